"""Models, runs and alerts through the services, on the real database (SQLite or PostgreSQL)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from retention.models import RiskAlert, RiskModel, RiskScore, ScoringRun
from retention.risk import selectors, services
from retention.scoring import model as scoring_model
from retention.selectors import risk_scores_current
from tests.retention.risk.conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_too_few_departures_keep_the_rules_model_labelled_not_trained(small_org):
    model = services.risk_model_train(as_of=AS_OF)
    assert model.kind == RiskModel.Kind.RULES and model.is_active
    assert model.metrics["trained"] is False
    assert model.metrics["voluntary_departures"] == 3
    assert str(model.get_kind_display()) == "Rule-based (not trained)"
    assert not RiskModel.objects.filter(kind=RiskModel.Kind.TRAINED).exists()


def test_enough_departures_switch_to_a_trained_model_and_keep_the_old_one(mixed_signs_org):
    rules = services.risk_model_ensure_active()
    assert rules.kind == RiskModel.Kind.RULES
    run = services.risk_scores_refresh(as_of=AS_OF)
    assert run.model == rules

    model = services.risk_model_train(as_of=AS_OF)

    assert model.kind == RiskModel.Kind.TRAINED and model.is_active
    assert model.algorithm in scoring_model.candidate_pipelines()
    for key in ("roc_auc", "average_precision", "precision_top", "recall_top", "median_lead_days"):
        assert key in model.metrics
    # Each leaver shows one of two signs: the model reads both, each baseline only one.
    assert model.metrics["roc_auc"] > 0.8
    assert model.artifact and model.features
    rules.refresh_from_db()
    assert not rules.is_active  # kept, no longer in use
    second = services.risk_scores_refresh(as_of=AS_OF)
    assert second.model == model
    assert second.scores.count() == len(selectors.reps_to_score(as_of=AS_OF))


def test_scores_count_only_once_the_whole_run_succeeds(small_org):
    first = services.risk_scores_refresh(as_of=AS_OF)
    assert first.status == ScoringRun.Status.SUCCEEDED
    before = {rep_id: s.run_id for rep_id, s in risk_scores_current().items()}
    assert set(before.values()) == {first.pk}

    with override_settings(RELAY_RISK_CHUNK_SIZE=1):
        second = ScoringRun.objects.create(as_of=AS_OF)
        todo = services.scoring_run_start(run_id=second.pk)
        assert len(todo) == 3  # whole teams per chunk: peers are compared within a team
        services.scoring_chunk_run(run_id=second.pk, index=todo[0])

    # Half-way: the dashboards still read the first run only, and it cannot be published.
    assert {s.run_id for s in risk_scores_current().values()} == {first.pk}
    assert services.scoring_run_finish(run_id=second.pk) is False
    for index in todo[1:]:
        services.scoring_chunk_run(run_id=second.pk, index=index)
    assert services.scoring_run_finish(run_id=second.pk)
    assert {s.run_id for s in risk_scores_current().values()} == {second.pk}


def test_a_run_nobody_works_on_is_resumed_then_failed_leaving_the_previous_scores(small_org):
    first = services.risk_scores_refresh(as_of=AS_OF)
    second = ScoringRun.objects.create(as_of=AS_OF)
    with override_settings(RELAY_RISK_CHUNK_SIZE=1):
        todo = services.scoring_run_start(run_id=second.pk)
    services.scoring_chunk_run(run_id=second.pk, index=todo[0])

    # The worker died. Each stall window the reaper resumes the run (re-sends the chunks not
    # done); when nobody works on it after the last resume, it fails and drops its scores.
    now = dt.datetime.now(dt.UTC)
    window = dt.timedelta(seconds=300)
    with override_settings(RELAY_JOB_STALL_SECONDS=300, RELAY_JOB_MAX_RESUMES=2):
        for attempt in range(1, 3):
            now += window * 2
            with time_machine.travel(now):
                assert services.scoring_runs_reap().resumed == [second.pk]
            second.refresh_from_db()
            assert second.resumes == attempt and second.status == ScoringRun.Status.RUNNING
        now += window * 2
        with time_machine.travel(now):
            assert services.scoring_runs_reap().failed == [second.pk]
    second.refresh_from_db()
    assert second.status == ScoringRun.Status.FAILED
    assert "Stalled" in second.error
    assert not second.scores.exists()
    assert {s.run_id for s in risk_scores_current().values()} == {first.pk}
    # A late delivery of a chunk or of the finish changes nothing.
    assert services.scoring_chunk_run(run_id=second.pk, index=todo[1]) is False
    assert services.scoring_run_finish(run_id=second.pk) is False
    assert not second.scores.exists()


def test_a_run_missing_scores_fails_instead_of_publishing(small_org):
    run = ScoringRun.objects.create(as_of=AS_OF)
    with override_settings(RELAY_RISK_CHUNK_SIZE=1):
        todo = services.scoring_run_start(run_id=run.pk)
    for index in todo:
        services.scoring_chunk_run(run_id=run.pk, index=index)
    lost = RiskScore.objects.filter(run=run).order_by("rep_id").first()
    lost.delete()
    assert services.scoring_run_finish(run_id=run.pk) is False
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.FAILED
    assert f"1 of {run.total} reps were not scored" in run.error
    assert risk_scores_current() == {}


def test_duplicate_deliveries_write_nothing_twice(small_org):
    run = ScoringRun.objects.create(as_of=AS_OF)
    todo = services.scoring_run_start(run_id=run.pk)
    assert services.scoring_run_start(run_id=run.pk) is None  # second claim loses
    assert services.scoring_chunk_run(run_id=run.pk, index=todo[0]) is (len(todo) == 1)
    assert services.scoring_chunk_run(run_id=run.pk, index=todo[0]) is False
    for index in todo[1:]:
        services.scoring_chunk_run(run_id=run.pk, index=index)
    assert services.scoring_run_finish(run_id=run.pk) is True
    assert services.scoring_run_finish(run_id=run.pk) is False
    run.refresh_from_db()
    assert run.done == run.total == RiskScore.objects.filter(run=run).count()
    assert sum(run.chunk_rows.values_list("written", flat=True)) == run.total


def test_scores_carry_band_change_and_drivers_with_numbers(small_org, rep_a):
    first = services.risk_scores_refresh(as_of=AS_OF - dt.timedelta(days=7))
    second = services.risk_scores_refresh(as_of=AS_OF)
    assert second.previous_run == first
    score = RiskScore.objects.get(run=second, rep=rep_a)
    earlier = RiskScore.objects.get(run=first, rep=rep_a)
    assert score.change == pytest.approx(score.probability - earlier.probability)
    assert score.band in RiskScore.Band.values
    assert "activity_change" in score.signals
    drivers = [driver for other in second.scores.all() for driver in other.drivers]
    assert drivers, "some rep should have a driver (several left with clear signs)"
    assert all(any(ch.isdigit() for ch in driver["text"]) for driver in drivers)


def _give_manager_email(user, email):
    user.email = email
    user.save(update_fields=["email"])


@override_settings(RELAY_RISK_HIGH=0.0, RELAY_RISK_MEDIUM=0.0)
def test_crossing_into_high_alerts_the_team_and_parent_managers_once(
    small_org, rep_b, manager_a, manager_b
):
    _give_manager_email(manager_a, "mona@example.com")  # manages region North (parent team)
    _give_manager_email(manager_b, "sam@example.com")  # manages South A
    run = services.risk_scores_refresh(as_of=AS_OF)

    alerts = RiskAlert.objects.filter(score__run=run)
    assert alerts.count() == run.total
    assert set(alerts.values_list("kind", flat=True)) == {RiskAlert.Kind.BECAME_HIGH}
    assert alerts.filter(emailed_at__isnull=True).count() == 0
    assert len(mail.outbox) == run.total
    expected = {
        score.rep.full_name: ["sam@example.com"]
        if score.rep.team_id == rep_b.team_id
        else ["mona@example.com"]
        for score in run.scores.select_related("rep")
    }
    sent = {m.subject.split(": ", 1)[1].split(" – ")[0]: m.to for m in mail.outbox}
    assert sent == expected
    assert sent[rep_b.full_name] == ["sam@example.com"]

    # Delivered again: nothing new, no second e-mail.
    services.risk_alerts_raise(run_id=run.pk)
    assert RiskAlert.objects.filter(score__run=run).count() == run.total
    assert len(mail.outbox) == run.total

    # Next run: still high, so no new "became high" alert.
    services.risk_scores_refresh(as_of=AS_OF)
    assert RiskAlert.objects.count() == run.total


def test_a_line_moved_under_unchanged_reps_raises_no_became_high_alert(small_org, rep_a):
    """A retrained model draws its own high line (here RELAY_RISK_HIGH stands in for it): reps
    whose chance did not rise are not news when the line drops under them; a rep whose chance
    rose across the new line is."""
    with override_settings(RELAY_RISK_HIGH=1.0, RELAY_RISK_JUMP=1.0):
        first = services.risk_scores_refresh(as_of=AS_OF)
    assert not RiskScore.objects.filter(run=first, band=RiskScore.Band.HIGH).exists()
    assert not RiskAlert.objects.exists()
    # rep_a's chance was nil last run: only they crossed the line.
    RiskScore.objects.filter(run=first, rep=rep_a).update(probability=0.0)
    scored = RiskScore.objects.filter(run=first, status=RiskScore.Status.SCORED)
    assert scored.count() > 1
    with override_settings(RELAY_RISK_HIGH=1e-9, RELAY_RISK_MEDIUM=0.0, RELAY_RISK_JUMP=1.0):
        second = services.risk_scores_refresh(as_of=AS_OF)
    assert second.scores.filter(band=RiskScore.Band.HIGH).count() == scored.count()
    alerts = RiskAlert.objects.filter(score__run=second)
    assert list(alerts.values_list("rep_id", "kind")) == [(rep_a.pk, RiskAlert.Kind.BECAME_HIGH)]


def test_a_jump_beyond_the_step_raises_a_jump_alert(small_org, rep_a):
    first = services.risk_scores_refresh(as_of=AS_OF)
    RiskScore.objects.filter(run=first, rep=rep_a).update(probability=0.0)
    with override_settings(RELAY_RISK_JUMP=0.01, RELAY_RISK_HIGH=1.0):
        second = services.risk_scores_refresh(as_of=AS_OF)
    alert = RiskAlert.objects.get(score__run=second, rep=rep_a)
    assert alert.kind == RiskAlert.Kind.JUMP
    assert RiskAlert.objects.filter(score__run=second).count() == 1


def test_requesting_a_run_returns_the_one_in_flight_and_queues_after_commit(
    small_org, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        run = services.scoring_run_request(requested_by=admin_user, as_of=AS_OF)
        again = services.scoring_run_request(requested_by=admin_user, as_of=AS_OF)
    assert again == run
    assert run.status == ScoringRun.Status.PENDING
    assert len(callbacks) == 1


def test_backtest_lists_resignations_and_false_alarms(large_org):
    model = services.risk_model_train(as_of=AS_OF)
    model = services.risk_model_evaluate(model=model, as_of=AS_OF)
    report = model.backtest
    assert report["summary"]["dates"] > 0
    assert report["summary"]["departures"] == len(report["departures"]) > 0
    assert report["summary"]["departures_flagged"] >= 1
    flagged = [row for row in report["departures"] if row["first_flag"]]
    assert all(0 < row["lead_days"] <= model.horizon_days for row in flagged)
    assert all(row["rep_name"].endswith("Leaver") for row in report["departures"])
    assert "false_alarms" in report["summary"]


def test_a_departure_recorded_during_the_run_does_not_fail_it(small_org, rep_b):
    run = ScoringRun.objects.create(as_of=AS_OF)
    with override_settings(RELAY_RISK_CHUNK_SIZE=1):
        todo = services.scoring_run_start(run_id=run.pk)
    rep_b.departure_date = AS_OF
    rep_b.departure_reason = "voluntary"
    rep_b.status = "left"
    rep_b.save()
    for index in todo:
        services.scoring_chunk_run(run_id=run.pk, index=index)
    assert services.scoring_run_finish(run_id=run.pk) is True
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.SUCCEEDED
    assert rep_b.pk not in risk_scores_current()
    assert run.done == run.total == run.scores.count()


@override_settings(RELAY_RISK_HIGH=0.0, RELAY_RISK_MEDIUM=0.0)
def test_history_backfill_scores_weekly_and_back_dated_runs_raise_no_alerts(small_org):
    # Everyone is "high" here, so the oldest run would alert for every rep if it were news.
    runs = services.risk_history_backfill(end=AS_OF, weeks=4)

    assert [run.as_of for run in runs] == [AS_OF - dt.timedelta(weeks=w) for w in (3, 2, 1, 0)]
    assert {run.status for run in runs} == {ScoringRun.Status.SUCCEEDED}
    # The earlier runs are history; the newest is the first news anyone gets, so every rep
    # high in it is alerted once (with the e-mail), and nobody for the earlier runs.
    assert not RiskAlert.objects.exclude(score__run=runs[-1]).exists()
    assert RiskAlert.objects.filter(score__run=runs[-1]).count() == runs[-1].total
    assert {s.run_id for s in risk_scores_current().values()} == {runs[-1].pk}


def test_history_backfill_scores_every_four_weeks_before_the_weekly_runs(small_org):
    runs = services.risk_history_backfill(end=AS_OF, weeks=2, months=2)
    assert [run.as_of for run in runs] == [AS_OF - dt.timedelta(weeks=w) for w in (9, 5, 1, 0)]


@override_settings(RELAY_RISK_HIGH=0.0, RELAY_RISK_MEDIUM=0.0)
def test_history_backfill_of_one_week_alerts_like_a_nightly_run(small_org):
    (run,) = services.risk_history_backfill(end=AS_OF, weeks=1)
    assert RiskAlert.objects.filter(score__run=run).count() == run.total
