import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from retention.dashboard import selectors
from retention.dashboard.selectors import DashboardQuery
from retention.dashboard.services import intervention_create
from retention.models import Assignment, Deal, Intervention, SalesRep
from retention.ownership import selectors as ownership
from retention.risk.selectors import rep_risk
from retention.selectors import scoring_run_latest_complete
from tests.conftest import make_customer, make_rep

TODAY = dt.date(2026, 11, 20)


def _rows(user, **query):
    run = scoring_run_latest_complete()
    reps = selectors.dashboard_reps(user=user, run=run, query=DashboardQuery(**query))
    return selectors.dashboard_rows_attach(reps=reps, today=TODAY)


def test_dashboard_shows_scores_of_latest_succeeded_run_only(scored, admin_user, rep_a):
    rows = {rep.pk: rep for rep in _rows(admin_user)}
    assert rows[rep_a.pk].probability == pytest.approx(0.72)
    assert rows[rep_a.pk].band == "high"
    assert rows[rep_a.pk].risk_change == pytest.approx(0.37)


def test_manager_dashboard_lists_only_reps_of_their_teams(scored, manager_a, manager_b):
    assert {rep.last_name for rep in _rows(manager_a)} == {"Anders", "Berg"}
    assert {rep.last_name for rep in _rows(manager_b)} == {"Silva"}


def test_dashboard_sorts_by_risk_both_ways(scored, admin_user):
    assert [r.last_name for r in _rows(admin_user, sort="-risk")] == ["Anders", "Silva", "Berg"]
    assert [r.last_name for r in _rows(admin_user, sort="risk")] == ["Berg", "Silva", "Anders"]


def test_dashboard_filters_by_band_team_and_search(scored, admin_user, team_north_b):
    assert [r.last_name for r in _rows(admin_user, band="medium")] == ["Silva"]
    assert [r.last_name for r in _rows(admin_user, team_id=team_north_b.pk)] == ["Berg"]
    assert [r.last_name for r in _rows(admin_user, search="alice")] == ["Anders"]


def test_dashboard_lists_unscored_reps_last_and_hides_reps_who_left(
    scored, admin_user, team_north_a
):
    make_rep(team_north_a, "Nina", "New", hire_date=dt.date(2026, 11, 1))
    make_rep(
        team_north_a,
        "Olga",
        "Old",
        status=SalesRep.Status.LEFT,
        departure_date=dt.date(2026, 6, 30),
    )
    names = [r.last_name for r in _rows(admin_user)]
    assert names[-1] == "New"
    assert "Old" not in names
    assert [r.last_name for r in _rows(admin_user, band="none")] == ["New"]


def test_dashboard_rows_carry_stake_top_driver_tenure_and_last_intervention(
    scored, admin_user, rep_a, rep_a2
):
    make_customer("Key One", owner=rep_a, annual_revenue=1_000_000, is_key_account=True)
    make_customer("Small", owner=rep_a, annual_revenue=50_000)
    customer = make_customer("Key Two", owner=rep_a2, annual_revenue=400_000, is_key_account=True)
    Deal.objects.create(
        customer=customer, owner=rep_a, amount=75_000, created_on=dt.date(2026, 9, 1)
    )
    Deal.objects.create(
        customer=customer,
        owner=rep_a,
        amount=999,
        created_on=dt.date(2026, 9, 1),
        status=Deal.Status.WON,
    )
    intervention_create(rep=rep_a, kind="job_rotation", created_by=admin_user)
    latest = intervention_create(rep=rep_a, kind="stay_conversation", created_by=admin_user)
    row = {r.pk: r for r in _rows(admin_user)}[rep_a.pk]
    assert row.key_revenue == Decimal("1000000")
    assert row.open_pipeline == Decimal("75000")
    assert row.top_driver.startswith("average leave episode 4.5 days")
    assert row.tenure_years == pytest.approx(4.9, abs=0.1)
    assert row.last_intervention.pk == latest.pk


def test_summary_counts_bands_and_what_high_risk_reps_hold(scored, manager_a, rep_a):
    make_customer("Key One", owner=rep_a, annual_revenue=1_000_000, is_key_account=True)
    make_customer("Small", owner=rep_a, annual_revenue=50_000)
    Deal.objects.create(
        customer=make_customer("Prospect"),
        owner=rep_a,
        amount=30_000,
        created_on=dt.date(2026, 10, 1),
    )
    summary = selectors.dashboard_summary(
        user=manager_a, run=scoring_run_latest_complete(), today=TODAY
    )
    assert summary.band_counts == {"low": 1, "medium": 0, "high": 1}
    assert summary.high_risk_revenue == Decimal("1050000")
    assert summary.high_risk_key_revenue == Decimal("1000000")
    assert summary.high_risk_pipeline == Decimal("30000")


def test_band_history_counts_each_succeeded_run_in_scope(scored, manager_a, admin_user):
    history = selectors.band_history(user=manager_a, latest=scored["latest"])
    assert [row["as_of"] for row in history] == [run.as_of for run in scored["runs"]]
    assert [(row["low"], row["medium"], row["high"]) for row in history] == [
        (2, 0, 0),
        (1, 1, 0),
        (1, 0, 1),
    ]
    org = selectors.band_history(user=admin_user, latest=scored["latest"])
    assert (org[-1]["low"], org[-1]["medium"], org[-1]["high"]) == (1, 1, 1)


def test_team_heatmap_has_mean_probability_per_team_and_run(scored, team_north_a):
    cells = selectors.team_risk_heatmap(latest=scored["latest"])
    north_a = [c for c in cells if c["team_id"] == team_north_a.pk]
    assert [round(c["mean_probability"], 2) for c in north_a] == [0.2, 0.35, 0.72]
    assert north_a[-1]["high"] == 1


def test_overdue_follow_ups_are_open_interventions_past_their_date(
    scored, manager_a, manager_b, rep_a, rep_b
):
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        overdue = intervention_create(
            rep=rep_a, kind="stay_conversation", created_by=manager_a, follow_up_on=TODAY
        )
        overdue.follow_up_on = dt.date(2026, 11, 10)
        overdue.save()
        intervention_create(
            rep=rep_a, kind="other", created_by=manager_a, follow_up_on=dt.date(2026, 12, 1)
        )
        done = intervention_create(
            rep=rep_a,
            kind="job_rotation",
            created_by=manager_a,
            follow_up_on=dt.date(2026, 11, 1),
        )
        done.outcome = Intervention.Outcome.STAYED
        done.save()
        intervention_create(
            rep=rep_b, kind="other", created_by=manager_b, follow_up_on=dt.date(2026, 11, 1)
        )
    assert list(selectors.interventions_overdue(user=manager_a, today=TODAY)) == [overdue]


def test_rep_score_history_skips_failed_and_running_runs(scored, manager_a, rep_a):
    history = rep_risk(user=manager_a, rep_id=rep_a.pk).history
    assert [s.probability for s in history] == [0.2, 0.35, 0.72]


def test_signal_series_follow_the_named_signals_in_order(scored, manager_a, rep_a):
    history = rep_risk(user=manager_a, rep_id=rep_a.pk).history
    series = selectors.rep_signal_series(
        history, names=["visit_hours_change", "leave_episode_change", "missing"]
    )
    assert list(series) == ["visit_hours_change", "leave_episode_change"]
    assert [v for _d, v in series["leave_episode_change"]] == [0.1, 0.2, 3.0]


def test_signal_baseline_is_mean_and_spread_of_earlier_values():
    baseline = selectors.signal_baseline([1.0, 3.0, 1.0, 3.0, 1.0, 3.0, 9.0, 9.0, 9.0, 9.0])
    assert baseline.points == 6
    assert baseline.mean == pytest.approx(2.0)
    assert (baseline.low, baseline.high) == (pytest.approx(1.0), pytest.approx(3.0))
    short = selectors.signal_baseline([2.0, 4.0])
    assert short.mean == pytest.approx(3.0) and short.points == 2
    assert selectors.signal_baseline([]) is None


def test_signals_charted_are_the_drivers_then_the_furthest_from_usual_and_never_flat_ones():
    day = dt.date(2026, 11, 2)
    series = {
        "flat": [(day, 1.0), (day, 1.0)],
        "a_little": [(day, 0.0), (day, 1.5)],
        "far": [(day, 0.0), (day, 9.0)],
        "driver": [(day, 0.0), (day, 0.1)],
    }
    usual = selectors.Baseline(low=-1.0, high=1.0, mean=0.0, points=4)
    baselines = {
        "flat": selectors.Baseline(low=1.0, high=1.0, mean=1.0, points=4),
        "a_little": usual,
        "far": usual,
        "driver": usual,
    }
    chosen = selectors.signals_to_chart(series, baselines, drivers=[{"feature": "driver"}])
    assert list(chosen) == ["driver", "far", "a_little"]
    assert list(selectors.signals_to_chart(series, baselines, limit=1)) == ["far"]


def test_customers_ranked_by_stake_marking_single_threaded(rep_a, rep_a2):
    make_customer("Big", owner=rep_a, annual_revenue=500_000, is_key_account=True)
    shared = make_customer("Shared", owner=rep_a, annual_revenue=300_000, is_key_account=True)
    Assignment.objects.create(
        customer=shared, rep=rep_a2, role=Assignment.Role.BACKUP, valid_from=dt.date(2024, 1, 1)
    )
    small = make_customer("Small", owner=rep_a, annual_revenue=100_000)
    Deal.objects.create(
        customer=small, owner=rep_a, amount=600_000, stage="Proposal", created_on=TODAY
    )
    rows = selectors.rep_customers_at_stake(rep=rep_a, today=TODAY)
    assert [row.customer.name for row in rows] == ["Small", "Big", "Shared"]
    assert rows[0].open_pipeline == Decimal("600000")
    assert rows[0].open_deals[0].stage == "Proposal"
    assert [row.only_relationship for row in rows] == [True, True, False]
    assert rows[1].relationship_since == dt.date(2023, 1, 1)
    assert ownership.rep_key_accounts(rep_id=rep_a.pk).alone_share == pytest.approx(500 / 800)


def test_single_threaded_share_is_none_without_key_accounts(rep_a):
    make_customer("Small", owner=rep_a, annual_revenue=100_000)
    [row] = selectors.rep_customers_at_stake(rep=rep_a, today=TODAY)
    assert row.only_relationship
    assert ownership.rep_key_accounts(rep_id=rep_a.pk).alone_share is None


def test_driver_text_and_sign_are_what_scoring_stored():
    driver = {"sign": "leave", "feature": "leave_days_recent", "text": "9 days off"}
    assert selectors.driver_text(driver) == "9 days off"
    assert selectors.driver_signal(driver) == "leave"


def test_dashboard_pages_keep_the_sort_order(scored, admin_user):
    run = scoring_run_latest_complete()
    reps = selectors.dashboard_reps(user=admin_user, run=run, query=DashboardQuery(sort="-risk"))
    first = selectors.dashboard_page(reps=reps, number=1, size=2)
    second = selectors.dashboard_page(reps=reps, number=2, size=2)
    assert [r.last_name for r in first.object_list] == ["Anders", "Silva"]
    assert [r.last_name for r in second.object_list] == ["Berg"]
    assert first.object_list[0].probability == pytest.approx(0.72)
    assert first.paginator.count == 3


def test_summary_follows_a_new_run_at_once(scored, admin_user, rep_a, rep_a2, rep_b):
    from tests.retention.dashboard.conftest import make_run, make_score

    before = selectors.dashboard_summary(
        user=admin_user, run=scoring_run_latest_complete(), today=TODAY
    )
    assert before.band_counts["high"] == 1
    newer = make_run(dt.date(2026, 11, 23))
    for rep in (rep_a, rep_a2, rep_b):
        make_score(newer, rep, 0.9)
    after = selectors.dashboard_summary(
        user=admin_user, run=scoring_run_latest_complete(), today=TODAY
    )
    assert after.band_counts["high"] == 3


def test_filtering_by_a_region_lists_the_reps_of_its_teams(scored, admin_user, region_north):
    assert {r.last_name for r in _rows(admin_user, team_id=region_north.pk)} == {"Anders", "Berg"}


@pytest.mark.parametrize("number", [None, "", "x", "1", "2", "3", "99", "0", "-1", "2.0"])
def test_dashboard_page_ids_numbers_pages_as_the_paginator_does(scored, admin_user, number):
    from django.core.paginator import Paginator

    run = scoring_run_latest_complete()
    reps = selectors.dashboard_reps(user=admin_user, run=run, query=DashboardQuery(sort="-risk"))
    expected = Paginator(reps.values_list("id", flat=True), 2).get_page(number)
    page = selectors.dashboard_page_ids(reps=reps, number=number, size=2)
    assert (page.number, list(page.object_list)) == (expected.number, list(expected.object_list))
    assert (page.paginator.count, page.paginator.num_pages) == (3, 2)


def test_open_pipeline_leaves_out_deals_the_crm_deleted(
    scored, admin_user, manager_a, rep_a, rep_a2
):
    """An import marks a deal the CRM deleted (is_deleted) but keeps its last stage, so an open
    deal deleted in the CRM is not pipeline: the dashboard's row and card, and the rep page's
    customers at stake, must not count it (scoring already leaves it out)."""
    customer = make_customer("Prospect", owner=rep_a)
    Deal.objects.create(
        customer=customer, owner=rep_a, amount=30_000, created_on=dt.date(2026, 10, 1)
    )
    Deal.objects.create(
        customer=customer,
        owner=rep_a,
        amount=500_000,
        created_on=dt.date(2026, 10, 1),
        is_deleted=True,
    )
    Deal.objects.create(
        customer=make_customer("Other", owner=rep_a2),
        owner=rep_a2,
        amount=100_000,
        created_on=dt.date(2026, 10, 1),
    )
    row = {r.pk: r for r in _rows(admin_user)}[rep_a.pk]
    assert row.open_pipeline == Decimal("30000")
    assert [r.last_name for r in _rows(admin_user, sort="-pipeline")][:2] == ["Berg", "Anders"]
    summary = selectors.dashboard_summary(
        user=manager_a, run=scoring_run_latest_complete(), today=TODAY
    )
    assert summary.high_risk_pipeline == Decimal("30000")
    [at_stake] = selectors.rep_customers_at_stake(rep=rep_a, today=TODAY)
    assert at_stake.open_pipeline == Decimal("30000")
