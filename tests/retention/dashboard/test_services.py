import datetime as dt

import pytest
import time_machine

from config.errors import ApplicationError
from retention.dashboard import selectors, services
from retention.models import Intervention, RiskAlert
from retention.selectors import risk_reads_record

BEFORE = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def test_intervention_owner_defaults_to_who_records_it(manager_a, rep_a):
    intervention = services.intervention_create(
        rep=rep_a, kind="working_hours", created_by=manager_a, note="  flexible Fridays "
    )
    assert intervention.owner == manager_a
    assert intervention.note == "flexible Fridays"


def test_unknown_kind_is_refused(manager_a, rep_a):
    with pytest.raises(ApplicationError) as refused:
        services.intervention_create(rep=rep_a, kind="bribe", created_by=manager_a)
    assert refused.value.message.startswith(
        "The kind of intervention must be one of: Stay conversation, Job rotation, "
    )
    assert refused.value.message.endswith(", Other.")
    assert refused.value.field == "kind"
    assert not Intervention.objects.exists()


def test_an_owner_the_recorder_may_not_name_is_refused(manager_a, manager_b, rep_a):
    with pytest.raises(ApplicationError, match="owner") as refused:
        services.intervention_create(
            rep=rep_a, kind="other", created_by=manager_a, owner=manager_b
        )
    assert refused.value.field == "owner"
    assert not Intervention.objects.exists()


@time_machine.travel(BEFORE, tick=False)
def test_outcome_is_recorded_once_and_too_early_moves_follow_up(manager_a, rep_a):
    intervention = services.intervention_create(
        rep=rep_a, kind="other", created_by=manager_a, follow_up_on=dt.date(2026, 11, 1)
    )
    services.intervention_record_outcome(
        intervention=intervention, outcome="too_early", follow_up_on=dt.date(2027, 1, 1)
    )
    first = intervention.outcome_recorded_at
    services.intervention_record_outcome(intervention=intervention, outcome="too_early")
    intervention.refresh_from_db()
    assert intervention.follow_up_on == dt.date(2027, 1, 1)
    assert intervention.outcome_recorded_at == first
    assert intervention.is_open
    with pytest.raises(ApplicationError) as refused:
        services.intervention_record_outcome(intervention=intervention, outcome="maybe")
    assert refused.value.message == "The outcome must be one of: Stayed, Left, Too early to tell."
    assert refused.value.field == "outcome"


@time_machine.travel(NOW, tick=False)
def test_a_follow_up_date_in_the_past_is_refused_naming_the_field(manager_a, rep_a):
    with pytest.raises(ApplicationError, match="The follow-up date must be today") as refused:
        services.intervention_create(
            rep=rep_a, kind="other", created_by=manager_a, follow_up_on=dt.date(2026, 11, 19)
        )
    assert refused.value.field == "follow_up_on"
    assert "2026-11-20" in refused.value.message and "2026-11-19" in refused.value.message
    assert not Intervention.objects.exists()
    today = services.intervention_create(
        rep=rep_a, kind="other", created_by=manager_a, follow_up_on=dt.date(2026, 11, 20)
    )
    assert today.follow_up_on == dt.date(2026, 11, 20)


def test_the_follow_up_is_checked_against_the_organisations_local_date(
    manager_a, rep_a, settings
):
    settings.TIME_ZONE = "Asia/Shanghai"  # 20 November 23:30 UTC is 21 November there
    late_evening = dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC)
    with (
        time_machine.travel(late_evening, tick=False),
        pytest.raises(ApplicationError, match="today \\(2026-11-21\\)"),
    ):
        services.intervention_create(
            rep=rep_a, kind="other", created_by=manager_a, follow_up_on=dt.date(2026, 11, 20)
        )


def test_an_overdue_intervention_can_still_be_completed_but_not_moved_into_the_past(
    manager_a, rep_a
):
    with time_machine.travel(BEFORE, tick=False):
        intervention = services.intervention_create(
            rep=rep_a, kind="coaching", created_by=manager_a, follow_up_on=dt.date(2026, 11, 1)
        )
    with time_machine.travel(NOW, tick=False):
        # Too early, sending back the passed date it has: no change, no refusal.
        services.intervention_record_outcome(
            intervention=intervention, outcome="too_early", follow_up_on=dt.date(2026, 11, 1)
        )
        with pytest.raises(ApplicationError, match="follow-up date must be today") as refused:
            services.intervention_record_outcome(
                intervention=intervention, outcome="too_early", follow_up_on=dt.date(2026, 11, 10)
            )
        assert refused.value.field == "follow_up_on"
        intervention.refresh_from_db()
        assert (intervention.outcome, intervention.follow_up_on) == (
            "too_early",
            dt.date(2026, 11, 1),
        )
        services.intervention_record_outcome(intervention=intervention, outcome="stayed")
    intervention.refresh_from_db()
    assert intervention.outcome == "stayed"
    assert intervention.follow_up_on == dt.date(2026, 11, 1)


def test_acknowledging_twice_keeps_the_first_who_and_when(scored, manager_a, admin_user, rep_a):
    alert = RiskAlert.objects.create(
        rep=rep_a, score=scored["latest"].scores.get(rep=rep_a), kind="jump", message="m"
    )
    services.risk_alert_acknowledge(alert=alert, user=manager_a)
    stale = RiskAlert.objects.get(pk=alert.pk)
    stale.acknowledged_at = None
    again = services.risk_alert_acknowledge(alert=stale, user=admin_user)
    assert again.acknowledged_by == manager_a
    alert.refresh_from_db()
    assert alert.acknowledged_by == manager_a


def test_every_risk_read_is_logged_one_row_per_rep(manager_a, admin_user, rep_a, rep_a2):
    risk_reads_record(viewer=manager_a, rep_ids=[rep_a.pk])
    risk_reads_record(viewer=manager_a, rep_ids=[rep_a.pk, rep_a2.pk, rep_a.pk])
    risk_reads_record(viewer=admin_user, rep_ids=[rep_a.pk])
    assert rep_a.risk_page_views.count() == 3
    assert rep_a2.risk_page_views.get().viewer == manager_a


def test_cache_warm_makes_the_admin_dashboard_need_fewer_queries(client, admin_user, scored):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as cold:
        client.get("/dashboard/")
    cache.clear()

    assert services.dashboard_cache_warm(run_id=scored["latest"].pk)

    with CaptureQueriesContext(connection) as warm:
        client.get("/dashboard/")
    assert len(warm) < len(cold)


def test_cache_warm_fills_the_heat_map_figure_in_each_language(admin_user, scored):
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    from retention import charts

    cache.clear()
    latest = scored["latest"]
    assert services.dashboard_cache_warm(run_id=latest.pk)
    for language, _name in settings.LANGUAGES:
        warmed = cache.get(f"relay:dashboard:team-heatmap-json:{latest.pk}:{language}")
        with translation.override(language):
            built = charts.figure_json(
                charts.team_heatmap_spec(selectors.team_risk_heatmap(latest=latest))
            )
        assert warmed == built


def test_cache_warm_ignores_a_run_that_is_not_the_latest(scored):
    assert not services.dashboard_cache_warm(run_id=scored["runs"][0].pk)
    assert not services.dashboard_cache_warm(run_id=scored["failed"].pk)
