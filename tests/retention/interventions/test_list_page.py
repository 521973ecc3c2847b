"""The interventions list: the page behind the dashboard's "and N more" overdue follow-ups."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from retention.models import Intervention, SalesRep
from tests.conftest import make_rep

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
DUE = dt.date(2026, 11, 1)  # before NOW: an open intervention due then is overdue


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _overdue(rep, *, n: int, created_by, day: dt.date = DUE) -> list[Intervention]:
    return [
        Intervention.objects.create(
            rep=rep, kind="other", created_by=created_by, follow_up_on=day + dt.timedelta(n_)
        )
        for n_ in range(n)
    ]


def test_dashboard_lists_ten_overdue_follow_ups_and_links_to_all_of_them(
    client, manager_a, rep_a, rep_b, team_north_a
):
    mine = _overdue(rep_a, n=12, created_by=manager_a)
    _overdue(rep_b, n=2, created_by=manager_a)  # another manager's team
    gone = make_rep(
        team_north_a,
        "Gone",
        "Away",
        status=SalesRep.Status.LEFT,
        departure_date=dt.date(2026, 11, 5),
    )
    _overdue(gone, n=3, created_by=manager_a)
    Intervention.objects.create(  # done: not overdue
        rep=rep_a, kind="coaching", created_by=manager_a, follow_up_on=DUE, outcome="stayed"
    )
    client.force_login(manager_a)
    html = client.get(reverse("retention:dashboard")).content.decode()
    assert '<span class="stat-n" id="overdue-count">12</span>' in html
    listed = html[html.index('id="overdue"') :]
    assert listed.count("follow up was due") == 10
    assert "Gone Away" not in listed
    more = listed[listed.index('id="overdue-more"') :]
    assert "and 2 more: show all" in more
    assert f'href="{reverse("retention:intervention_list")}?overdue=true"' in more

    page = client.get(reverse("retention:intervention_list"), {"overdue": "true"})
    assert page.status_code == 200
    rows = page.content.decode()
    assert rows.count("<tr data-intervention-id=") == 12
    for item in mine:
        assert f'data-intervention-id="{item.pk}"' in rows
    assert "Gone Away" not in rows and "Bruno Silva" not in rows
    # The API lists the same, in the same order.
    api = client.get(reverse("api-interventions"), {"overdue": "true"}).json()
    listed = [row["id"] for row in (api["results"] if isinstance(api, dict) else api)]
    assert listed == [item.pk for item in mine]


def test_dashboard_says_no_more_when_every_overdue_follow_up_is_listed(client, manager_a, rep_a):
    _overdue(rep_a, n=3, created_by=manager_a)
    client.force_login(manager_a)
    html = client.get(reverse("retention:dashboard")).content.decode()
    assert '<span class="stat-n" id="overdue-count">3</span>' in html
    assert 'id="overdue-more"' not in html


def test_interventions_page_lists_the_scope_newest_first_and_refuses_a_bad_filter(
    client, manager_a, rep_a, rep_b
):
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        older = Intervention.objects.create(rep=rep_a, kind="other", created_by=manager_a)
    newer = Intervention.objects.create(rep=rep_a, kind="coaching", created_by=manager_a)
    Intervention.objects.create(rep=rep_b, kind="other", created_by=manager_a)
    client.force_login(manager_a)
    html = client.get(reverse("retention:intervention_list")).content.decode()
    assert html.index(f'data-intervention-id="{newer.pk}"') < html.index(
        f'data-intervention-id="{older.pk}"'
    )
    assert html.count("<tr data-intervention-id=") == 2
    bad = client.get(reverse("retention:intervention_list"), {"kind": "bribery"})
    assert bad.status_code == 400


def test_interventions_api_filters_a_reps_overdue_follow_ups(client, manager_a, rep_a):
    [overdue] = _overdue(rep_a, n=1, created_by=manager_a)
    Intervention.objects.create(
        rep=rep_a, kind="coaching", created_by=manager_a, follow_up_on=dt.date(2026, 12, 1)
    )
    client.force_login(manager_a)
    url = reverse("api-intervention-list", args=[rep_a.pk])
    found = client.get(url, {"overdue": "true"}).json()
    rows = found["results"] if isinstance(found, dict) else found
    assert [row["id"] for row in rows] == [overdue.pk]
    rest = client.get(url, {"overdue": "false"}).json()
    rows = rest["results"] if isinstance(rest, dict) else rest
    assert overdue.pk not in [row["id"] for row in rows] and len(rows) == 1


def test_a_reps_log_is_one_list_on_the_rep_page_and_in_the_api(
    client, manager_a, manager_b, rep_a, rep_b
):
    """Newest first, only the rep's own (``dashboard.selectors.rep_interventions``, which the
    API's per-rep log calls); a rep out of scope is 404 in the API."""
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        older = Intervention.objects.create(rep=rep_a, kind="other", created_by=manager_a)
    newer = Intervention.objects.create(rep=rep_a, kind="coaching", created_by=manager_a)
    Intervention.objects.create(rep=rep_b, kind="other", created_by=manager_b)
    client.force_login(manager_a)
    html = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    log = html.split('id="interventions"', 1)[1].split("</section>", 1)[0]
    on_page = [int(pk) for pk in re.findall(r'<tr id="intervention-(\d+)"', log)]
    in_api = client.get(reverse("api-intervention-list", args=[rep_a.pk])).json()["results"]
    assert on_page == [row["id"] for row in in_api] == [newer.pk, older.pk]
    assert client.get(reverse("api-intervention-list", args=[rep_b.pk])).status_code == 404
