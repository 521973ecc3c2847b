"""Reps serving notice are leaving, not a probability; scoring and training default to the
data's end; the model page shows the validation against the baselines."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from retention.models import RiskAlert, RiskModel, RiskScore, SalesRep
from retention.risk import services
from tests.retention.risk.conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_a_rep_serving_notice_is_leaving_with_a_last_day_and_raises_no_alert(small_org, rep_a):
    last_day = AS_OF + dt.timedelta(days=20)
    SalesRep.objects.filter(pk=rep_a.pk).update(
        status=SalesRep.Status.NOTICE,
        departure_date=last_day,
        departure_reason=SalesRep.DepartureReason.VOLUNTARY,
    )
    with time_machine.travel(dt.datetime.combine(AS_OF, dt.time(12), dt.UTC), tick=False):
        run = services.risk_scores_refresh(as_of=AS_OF)
    score = RiskScore.objects.get(run=run, rep=rep_a)
    assert score.status == RiskScore.Status.LEAVING and score.last_day == last_day
    assert str(score.state_label) == f"Leaving — last day {last_day.isoformat()}"
    assert score.drivers == [] and score.change is None
    assert not RiskAlert.objects.filter(rep=rep_a).exists()
    others = RiskScore.objects.filter(run=run).exclude(rep=rep_a)
    assert set(others.values_list("status", flat=True)) == {RiskScore.Status.SCORED}


def test_a_rep_whose_notice_was_withdrawn_and_who_is_high_raises_an_alert(small_org, rep_a):
    """While serving notice the rep's score is "leaving" (stored in the high band, but a fact,
    not a chance): once the notice is withdrawn a high score is news for their manager."""
    SalesRep.objects.filter(pk=rep_a.pk).update(
        status=SalesRep.Status.NOTICE,
        departure_date=AS_OF + dt.timedelta(days=20),
        departure_reason=SalesRep.DepartureReason.VOLUNTARY,
    )
    travel = time_machine.travel(dt.datetime.combine(AS_OF, dt.time(12), dt.UTC), tick=False)
    with travel, override_settings(RELAY_RISK_HIGH=0.0, RELAY_RISK_MEDIUM=0.0, RELAY_RISK_JUMP=1.0):
        services.risk_scores_refresh(as_of=AS_OF)
        assert not RiskAlert.objects.filter(rep=rep_a).exists()
        SalesRep.objects.filter(pk=rep_a.pk).update(
            status=SalesRep.Status.ACTIVE, departure_date=None, departure_reason=""
        )
        second = services.risk_scores_refresh(as_of=AS_OF)
    alerts = RiskAlert.objects.filter(score__run=second)
    # Everyone else was already high last run: only the rep who withdrew is news.
    assert list(alerts.values_list("rep_id", "kind")) == [(rep_a.pk, RiskAlert.Kind.BECAME_HIGH)]


def test_a_back_dated_run_before_the_notice_scores_the_rep(small_org, rep_a):
    last_day = AS_OF + dt.timedelta(days=20)
    SalesRep.objects.filter(pk=rep_a.pk).update(
        status=SalesRep.Status.LEFT,
        departure_date=last_day,
        departure_reason=SalesRep.DepartureReason.VOLUNTARY,
    )
    early = AS_OF - dt.timedelta(days=28)
    run = services.risk_scores_refresh(as_of=early, raise_alerts=False)
    assert RiskScore.objects.get(run=run, rep=rep_a).status == RiskScore.Status.SCORED


def test_every_score_has_three_monotone_horizons_and_worded_drivers(small_org):
    run = services.risk_scores_refresh(as_of=AS_OF)
    for score in RiskScore.objects.filter(run=run):
        assert score.probability_30 <= score.probability <= score.probability_180
        for driver in score.drivers:
            assert driver["sign"] in {"output", "leave", "service", "visits", "context"}
            assert driver["text"] and driver["message"]


def test_scoring_defaults_to_the_data_end_when_the_data_stop_before_today(small_org):
    later = dt.datetime.combine(AS_OF + dt.timedelta(days=40), dt.time(12), dt.UTC)
    with time_machine.travel(later, tick=False):
        as_of, warning = services.risk_data_as_of()
        run = services.risk_scores_refresh()
    assert as_of <= AS_OF and run.as_of == as_of
    assert as_of.isoformat() in warning


def test_scoring_as_of_today_when_the_data_reach_today(small_org):
    with time_machine.travel(dt.datetime.combine(AS_OF, dt.time(23), dt.UTC), tick=False):
        as_of, warning = services.risk_data_as_of()
    assert as_of == AS_OF and warning == ""


def test_trained_model_reports_baselines_horizons_and_calibration(large_org, client, admin_user):
    model = services.risk_model_train(as_of=AS_OF)
    trained = RiskModel.objects.filter(kind=RiskModel.Kind.TRAINED).latest("id")
    metrics = trained.metrics
    assert set(metrics["baselines"]) == {"leave_days_recent", "activity_variation"}
    assert {"30", "90"} <= set(metrics["horizons"])
    assert [band["band"] for band in metrics["bands"]] == ["low", "medium", "high"]
    # Each band with rows is checked against the 5 points with an interval resampling reps.
    for band in metrics["bands"]:
        if band["rows"]:
            assert band["verdict"] in {"within", "outside", "undecided"}
            assert band["gap_low"] <= band["predicted"] - band["observed"] <= band["gap_high"]
    assert metrics["high_band_count"]["dates"] >= 1
    assert metrics["reliability"]
    # Published only if it beats the best baseline; otherwise the rules stay, with the reason.
    if metrics["publishable"]:
        assert model == trained and model.is_active
    else:
        assert model.kind == RiskModel.Kind.RULES
        assert trained.version in model.metrics["not_trained_because"]
    client.force_login(admin_user)
    page = client.get(reverse("retention:risk_model")).content.decode()
    assert "Validation of " + trained.version in page
    assert "Leave days in the last 90 days" in page and "reliability-table" in page
    assert "against 5 points" in page and 'id="high-band-count"' in page


def test_score_reps_warns_when_the_data_end_before_today(small_org):
    from io import StringIO

    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    later = dt.datetime.combine(AS_OF + dt.timedelta(days=40), dt.time(12), dt.UTC)
    with time_machine.travel(later, tick=False):
        call_command("score_reps", stdout=out, stderr=err, verbosity=0)
    assert "The data end on" in err.getvalue()
    assert "as of 2025-12-2" in out.getvalue()  # the data's last day, not today
