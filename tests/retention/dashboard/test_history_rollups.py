"""The band history and the team heat map read the runs' rollups (``RiskRollup``) and show
what the aggregates over the runs' scores showed; scope is the access layer's, and each rep
counts in the team they were in when the run was published. The latest point of the band
history is the summary's live count, so the page's numbers agree with each other."""

import datetime as dt
import json
from collections import defaultdict

import pytest
import time_machine
from django.db.models import Count, Q, Sum
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.access import narrow
from retention.dashboard import selectors
from retention.models import RiskScore, SalesRep
from retention.selectors import scoring_run_latest_complete
from tests.conftest import make_rep
from tests.retention.dashboard.conftest import make_run, make_score, publish

pytestmark = pytest.mark.django_db

DATES = [dt.date(2026, 10, 26), dt.date(2026, 11, 2), dt.date(2026, 11, 9)]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _leaving(run, rep, last_day: dt.date) -> RiskScore:
    return RiskScore.objects.create(
        run=run,
        rep=rep,
        as_of=run.as_of,
        probability=1.0,
        band=RiskScore.Band.HIGH,
        status=RiskScore.Status.LEAVING,
        last_day=last_day,
    )


@pytest.fixture
def history(rules_model, team_north_a, team_north_b, team_south_a, rep_a, rep_a2, rep_b):
    """Three published runs over three teams: every band in each, a rep serving notice in the
    last two (leaving, not a band), and a rep scored in every run who has left since."""
    cast = {
        "north_a": [rep_a, *(make_rep(team_north_a, f"Na{i}", "North") for i in range(3))],
        "north_b": [rep_a2, *(make_rep(team_north_b, f"Nb{i}", "North") for i in range(2))],
        "south_a": [rep_b, *(make_rep(team_south_a, f"Sa{i}", "South") for i in range(3))],
    }
    reps = [rep for team in cast.values() for rep in team]
    gone = cast["north_a"][3]
    leaving = cast["south_a"][1]
    runs = []
    for index, as_of in enumerate(DATES):
        run = make_run(as_of, model=rules_model)
        for number, rep in enumerate(reps):
            if rep == leaving and index:
                _leaving(run, rep, dt.date(2026, 12, 31))
                continue
            # Spread over the bands, shifting run by run.
            make_score(run, rep, [0.1, 0.3, 0.7, 0.2][(number + index) % 4] + index / 100)
        runs.append(publish(run))
    SalesRep.objects.filter(pk=gone.pk).update(
        status=SalesRep.Status.LEFT, departure_date=dt.date(2026, 11, 12)
    )
    return {"runs": runs, "latest": runs[-1], "gone": gone, "leaving": leaving, "cast": cast}


def _scores_band_history(user, runs) -> list[dict]:
    """What ``band_history`` computed before rollups: the runs' scores, by band, in scope."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    scores = narrow(
        RiskScore.objects.filter(run__in=runs, status=RiskScore.Status.SCORED),
        user=user,
        team_field="rep__team_id",
    )
    for row in scores.values("run_id", "band").annotate(n=Count("id")):
        counts[row["run_id"]][row["band"]] = row["n"]
    return [
        {
            "as_of": run.as_of,
            **{band: counts[run.pk].get(band, 0) for band in RiskScore.Band.values},
        }
        for run in runs
    ]


def _scores_heatmap(runs) -> list[dict]:
    """What ``team_risk_heatmap`` computed before rollups, from the runs' scores."""
    by_id = {run.pk: run for run in runs}
    rows = (
        RiskScore.objects.filter(run__in=runs, status=RiskScore.Status.SCORED)
        .values("run_id", "rep__team_id", "rep__team__name")
        .annotate(
            n=Count("id"),
            high=Count("id", filter=Q(band=RiskScore.Band.HIGH)),
            total=Sum("probability"),
        )
    )
    cells = [
        {
            "as_of": by_id[row["run_id"]].as_of,
            "team_id": row["rep__team_id"],
            "team": row["rep__team__name"],
            "reps": row["n"],
            "high": row["high"],
            "mean_probability": row["total"] / row["n"],
        }
        for row in rows
    ]
    return sorted(cells, key=lambda cell: (cell["team"], cell["as_of"]))


def _bands(point: dict) -> tuple[int, int, int]:
    return point["low"], point["medium"], point["high"]


@pytest.mark.parametrize("who", ["admin_user", "manager_a", "manager_b"])
def test_band_history_shows_what_the_scores_showed_in_each_scope(history, who, request):
    user = request.getfixturevalue(who)
    runs = history["runs"]
    before = _scores_band_history(user, runs)
    after = selectors.band_history(user=user, latest=history["latest"])
    assert [point["as_of"] for point in after] == DATES
    assert after[:-1] == before[:-1]
    # The latest point is the summary's: without the rep who has left since the run.
    summary = selectors.dashboard_summary(user=user, run=history["latest"], today=DATES[-1])
    assert after[-1] == {"as_of": DATES[-1], **summary.band_counts}
    gone_band = RiskScore.objects.get(run=history["latest"], rep=history["gone"]).band
    in_scope = who != "manager_b"  # the rep who left was in North A
    expected = {**before[-1], gone_band: before[-1][gone_band] - in_scope}
    assert after[-1] == expected


def test_band_history_leaves_out_reps_serving_notice_and_sees_several_bands(history, admin_user):
    points = selectors.band_history(user=admin_user, latest=history["latest"])
    # Eleven reps; from the second run one is leaving, counted apart, not as high risk.
    assert [sum(_bands(point)) for point in points[:-1]] == [11, 10]
    assert all(min(_bands(point)) > 0 for point in points)
    summary = selectors.dashboard_summary(user=admin_user, run=history["latest"], today=DATES[-1])
    assert summary.leaving == 1 and sum(_bands(points[-1])) == 9  # nor the one who left


def test_a_managers_band_history_counts_only_their_teams(history, manager_a, manager_b):
    north = selectors.band_history(user=manager_a, latest=history["latest"])
    south = selectors.band_history(user=manager_b, latest=history["latest"])
    assert [sum(_bands(point)) for point in north] == [7, 7, 6]  # North A lost a rep at the end
    assert [sum(_bands(point)) for point in south] == [4, 3, 3]  # one of four serving notice


def test_team_heatmap_shows_what_the_scores_showed(history):
    cells = selectors.team_risk_heatmap(latest=history["latest"])
    before = _scores_heatmap(history["runs"])
    assert [{**cell, "mean_probability": round(cell["mean_probability"], 9)} for cell in cells] == [
        {**cell, "mean_probability": round(cell["mean_probability"], 9)} for cell in before
    ]
    assert {cell["team"] for cell in cells} == {"North A", "North B", "South A"}
    assert any(cell["high"] for cell in cells)


def test_history_keeps_each_rep_in_the_team_they_were_in_at_each_run(
    history, rules_model, manager_a, manager_b, rep_a, team_south_a
):
    """A rep who moves from North to South after the third run counts in North for the runs
    before the move and in South from the run after it: history as it was."""
    SalesRep.objects.filter(pk=rep_a.pk).update(team=team_south_a)
    fourth = make_run(dt.date(2026, 11, 16), model=rules_model)
    for rep in SalesRep.objects.exclude(status=SalesRep.Status.LEFT).exclude(
        pk=history["leaving"].pk
    ):
        make_score(fourth, rep, 0.1)
    publish(fourth)
    north = selectors.band_history(user=manager_a, latest=fourth)
    south = selectors.band_history(user=manager_b, latest=fourth)
    assert [sum(_bands(point)) for point in north] == [7, 7, 7, 5]
    assert [sum(_bands(point)) for point in south] == [4, 3, 3, 4]
    cells = selectors.team_risk_heatmap(latest=fourth)
    reps = {(cell["team"], cell["as_of"]): cell["reps"] for cell in cells}
    assert reps[("North A", DATES[-1])] == 4 and reps[("North A", fourth.as_of)] == 2
    assert reps[("South A", DATES[-1])] == 3 and reps[("South A", fourth.as_of)] == 4


def test_dashboard_page_and_api_show_the_same_numbers(history, client, manager_a):
    api = APIClient()
    api.force_authenticate(manager_a)
    body = api.get(reverse("api-dashboard-summary")).json()
    client.force_login(manager_a)
    page = client.get(reverse("retention:dashboard"))
    assert page.status_code == 200
    summary = page.context["summary"]
    assert body["band_counts"] == summary.band_counts
    assert body["leaving"] == summary.leaving == 0  # the rep serving notice is in the South
    chart = json.loads(page.context["history_chart"])
    by_band = {trace["name"]: trace["y"] for trace in chart["data"]}
    api_history = body["band_history"]
    assert by_band["High risk"] == [point["high"] for point in api_history]
    assert by_band["Medium risk"] == [point["medium"] for point in api_history]
    assert by_band["Low risk"] == [point["low"] for point in api_history]
    expected = selectors.band_history(user=manager_a, latest=scoring_run_latest_complete())
    assert [_bands(point) for point in api_history] == [_bands(point) for point in expected]
    # The chart ends on the counts the page prints above it.
    assert _bands(api_history[-1]) == tuple(
        summary.band_counts[b] for b in ("low", "medium", "high")
    )


def test_a_date_scored_twice_is_one_point_of_the_later_run(history, admin_user):
    """An import re-scores the day already scored (a second succeeded run for the same as-of
    date): the band chart and the heat map show that date once, from the later run, as the
    dashboard's numbers do. Two points at one date stacked into one bar twice as tall."""
    latest = history["latest"]
    rescore = make_run(latest.as_of, model=latest.model)
    rescore.finished_at = latest.finished_at + dt.timedelta(hours=1)
    rescore.save(update_fields=["finished_at"])
    for score in RiskScore.objects.filter(run=latest):
        RiskScore.objects.create(
            run=rescore,
            rep=score.rep,
            as_of=score.as_of,
            probability=score.probability,
            band=score.band,
            status=score.status,
            last_day=score.last_day,
        )
    publish(rescore)
    assert scoring_run_latest_complete() == rescore
    points = selectors.band_history(user=admin_user, latest=rescore)
    assert [point["as_of"] for point in points] == DATES
    summary = selectors.dashboard_summary(user=admin_user, run=rescore, today=latest.as_of)
    assert {band: points[-1][band] for band in summary.band_counts} == summary.band_counts
    cells = selectors.team_risk_heatmap(latest=rescore)
    per_team_date = [(cell["team_id"], cell["as_of"]) for cell in cells]
    assert len(per_team_date) == len(set(per_team_date))
