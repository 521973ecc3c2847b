"""The dashboard's page of rows read from the run's scores in the default order
(``dashboard_page_ids(..., sort=...)``) is the page the full sort gives: the same ids in the
same order, the same total and pagination, for every sort, filter and page, with reps serving
notice, reps who have left, reps not scored in the run and ties in probability and name."""

import datetime as dt

import pytest
from django.core.paginator import Paginator

from accounts.models import User
from retention.dashboard import selectors
from retention.dashboard.selectors import DASHBOARD_SORTS, DashboardQuery
from retention.models import RiskScore, SalesRep
from retention.selectors import scoring_run_latest_complete
from tests.conftest import make_rep
from tests.retention.dashboard.conftest import band_for, make_run, make_score, publish

pytestmark = pytest.mark.django_db

SIZE = 4


@pytest.fixture
def crowd(team_north_a, team_north_b, team_south_a):
    """23 reps: ties in probability (and in name within a tie), three serving notice (two on
    the same last day), two who have left (one scored), five not scored in the latest run
    (two of them scored in the run before, one with the name of a scored rep)."""
    older = publish(make_run(dt.date(2026, 11, 2)))
    latest = make_run(dt.date(2026, 11, 9))
    teams = [team_north_a, team_north_b, team_south_a]
    probabilities = [0.72, 0.6, 0.6, 0.6, 0.6, 0.41, 0.41, 0.3, 0.12, 0.12, 0.12, 0.05, 0.6]
    names = ["Berg", "Anders", "Anders", "Zeller", "Berg", "Moss", "Moss", "Ng", "Ito", "Ito"]
    for i, probability in enumerate(probabilities):
        rep = make_rep(teams[i % 3], f"First{i}", names[i % len(names)], email=f"s{i}@x.test")
        make_score(latest, rep, probability, change=None if i % 4 == 0 else probability / 10 - 0.03)
        make_score(older, rep, 0.2)
    for i, last_day in enumerate(
        [dt.date(2026, 12, 4), dt.date(2026, 12, 4), dt.date(2026, 11, 30)]
    ):
        rep = make_rep(
            teams[i % 3],
            f"Leaver{i}",
            ["Silva", "Abbott", "Silva"][i],
            email=f"l{i}@x.test",
            status=SalesRep.Status.NOTICE,
            departure_date=last_day,
        )
        RiskScore.objects.create(
            run=latest,
            rep=rep,
            as_of=latest.as_of,
            probability=0.9,
            band=band_for(0.9),
            status=RiskScore.Status.LEAVING,
            last_day=last_day,
        )
    for i, scored in enumerate([True, False]):
        rep = make_rep(
            teams[i],
            f"Gone{i}",
            "Moss",
            email=f"g{i}@x.test",
            status=SalesRep.Status.LEFT,
            departure_date=dt.date(2026, 11, 1),
        )
        if scored:
            make_score(latest, rep, 0.95)
    for i, last_name in enumerate(["Berg", "Young", "Adams", "Young", "Ng"]):
        rep = make_rep(
            teams[i % 3],
            f"New{i}",
            last_name,
            email=f"n{i}@x.test",
            hire_date=dt.date(2026, 10, 1 + i),
        )
        if i < 2:
            make_score(older, rep, 0.5)
    publish(latest)
    return latest


def _page(reps, number, sort):
    page = selectors.dashboard_page_ids(reps=reps, number=number, size=SIZE, sort=sort)
    return page.number, list(page.object_list), page.paginator.count, page.paginator.num_pages


def _expected(reps, number):
    """The page as ``Paginator`` slices the whole sorted list (the order the queryset gives)."""
    page = Paginator(list(reps.values_list("id", flat=True)), SIZE).get_page(number)
    return page.number, list(page.object_list), page.paginator.count, page.paginator.num_pages


QUERIES = [
    {},
    {"band": "high"},
    {"band": "medium"},
    {"band": "low"},
    {"band": "none"},
    {"search": "Moss"},
    {"search": "Berg"},
    {"search": "North"},
]


@pytest.mark.parametrize("sort", [*DASHBOARD_SORTS, "not-a-sort"])
@pytest.mark.parametrize("filters", QUERIES, ids=lambda filters: str(filters) or "all")
def test_every_page_is_the_page_of_the_whole_sorted_list(crowd, admin_user, sort, filters):
    reps = selectors.dashboard_reps(
        user=admin_user,
        run=scoring_run_latest_complete(),
        query=DashboardQuery(sort=sort, **filters),
    )
    total = reps.count()
    assert total == len(list(reps.values_list("id", flat=True)))
    for number in [*range(1, total // SIZE + 3), None, "x", "0", "-1"]:
        expected = _expected(reps, number)
        assert _page(reps, number, sort) == expected, number
        assert _page(reps, number, None) == expected, number  # the sort not said


def test_the_default_order_as_the_dashboard_shows_it(crowd, admin_user):
    reps = selectors.dashboard_reps(
        user=admin_user, run=scoring_run_latest_complete(), query=DashboardQuery()
    )
    shown = []
    for number in range(1, 7):
        ids = selectors.dashboard_page_ids(reps=reps, number=number, size=SIZE, sort="-risk")
        shown += list(ids.object_list)
    names = dict(SalesRep.objects.values_list("id", "first_name"))
    assert [names[rep_id] for rep_id in shown] == [
        "Leaver2",  # serving notice, soonest last day first, then by name
        "Leaver1",
        "Leaver0",
        "First0",  # 0.72
        "First1",  # the five at 0.6 by name (three Anders), then id
        "First2",
        "First12",
        "First4",
        "First3",
        "First5",
        "First6",
        "First7",
        "First10",  # the three at 0.12: Berg, then the two Itos
        "First8",
        "First9",
        "First11",
        "New2",  # not scored in the run: by name, then id (Gone1 has left)
        "New0",
        "New4",
        "New1",
        "New3",
    ]


def test_a_manager_pages_only_their_scope(crowd, manager_b):
    reps = selectors.dashboard_reps(
        user=manager_b, run=scoring_run_latest_complete(), query=DashboardQuery()
    )
    page = selectors.dashboard_page_ids(reps=reps, number=1, size=50, sort="-risk")
    in_scope = set(
        SalesRep.objects.filter(team__managers=manager_b)
        .exclude(status=SalesRep.Status.LEFT)
        .values_list("id", flat=True)
    )
    assert set(page.object_list) == in_scope and page.paginator.count == len(in_scope)
    assert isinstance(manager_b, User)
