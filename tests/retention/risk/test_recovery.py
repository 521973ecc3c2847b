"""Scoring runs recover when parts fail: real Celery workers on Redis, runs on PostgreSQL.

The stall window is shortened to a few seconds here (RELAY_JOB_STALL_SECONDS); the reaper is
called as beat would call it every minute.
"""

import datetime as dt
import threading
import time

import pytest
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone

from retention.models import OutboxMessage, RiskAlert, RiskScore, ScoringRun
from retention.outbox import outbox_flush
from retention.risk import services
from retention.selectors import risk_scores_current, scoring_run_latest_complete
from tests.conftest import running_celery_worker, wait_for
from tests.retention.risk.conftest import AS_OF

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery_worker]
STALL = 3



def _finished(run_id: int):
    return ScoringRun.objects.filter(
        pk=run_id, status__in=[ScoringRun.Status.SUCCEEDED, ScoringRun.Status.FAILED]
    ).first()


@override_settings(RELAY_JOB_STALL_SECONDS=STALL)
def test_a_run_whose_worker_was_killed_is_resumed_by_the_reaper_and_published_once(
    killable_worker, needs_redis, small_org
):
    with override_settings(RELAY_RISK_HIGH=0.0, RELAY_RISK_MEDIUM=0.0):
        with transaction.atomic():
            run = services.scoring_run_request(as_of=AS_OF)
        assert wait_for(lambda: RiskScore.objects.filter(run_id=run.pk).exists(), timeout=90)
        killable_worker.kill()  # SIGKILL mid-run: its chunk messages are left unacked
        killable_worker.wait()
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.RUNNING and 0 < run.done < run.total

    # Within the stall window nothing is resumed; after it, the reaper re-sends what is left.
    assert services.scoring_runs_reap().resumed == []
    time.sleep(STALL + 1)
    # A new worker (docker-compose restarts it); the reaper, as beat calls it, re-sends.
    with running_celery_worker(
        needs_redis, log_name="test-risk-worker-2.log", extra_env={"RELAY_RISK_CHUNK_SIZE": "1"}
    ):
        resumed_at = time.monotonic()
        assert services.scoring_runs_reap().resumed == [run.pk]
        outbox_flush()
        finished = wait_for(lambda: _finished(run.pk), timeout=120)
    assert finished is not None, "the resumed run never finished"
    assert finished.status == ScoringRun.Status.SUCCEEDED, finished.error
    assert finished.done == finished.total == finished.scores.count()
    print(f"published {time.monotonic() - resumed_at:.1f} s after the reaper's resume")
    # Every rep scored once and alerted at most once, though chunks were delivered twice.
    assert RiskAlert.objects.filter(score__run=finished).count() <= finished.total
    assert {s.run_id for s in risk_scores_current().values()} == {run.pk}


@override_settings(RELAY_JOB_STALL_SECONDS=STALL)
def test_a_kill_between_claim_and_fan_out_is_planned_and_sent_by_the_reaper(
    celery_worker_process, small_org
):
    # What a worker killed right after its claim leaves behind: RUNNING, no chunks planned.
    run = ScoringRun.objects.create(as_of=AS_OF)
    ScoringRun.objects.filter(pk=run.pk).update(
        status=ScoringRun.Status.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now() - dt.timedelta(seconds=STALL + 1),
    )
    assert services.scoring_runs_reap().resumed == [run.pk]
    outbox_flush()
    finished = wait_for(lambda: _finished(run.pk), timeout=90)
    assert finished is not None and finished.status == ScoringRun.Status.SUCCEEDED, finished
    assert finished.total == finished.done > 0


@pytest.mark.django_db(transaction=True)
def test_six_simultaneous_starts_make_one_run_and_one_set_of_alerts(needs_postgres, small_org):
    barrier = threading.Barrier(6)
    runs: list[int] = []
    errors: list[Exception] = []

    def start() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                runs.append(services.scoring_run_request(as_of=AS_OF).pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(runs)) == 1
    assert ScoringRun.objects.count() == 1
    assert OutboxMessage.objects.filter(task_name="retention.risk.scoring_run_execute").count() == 1

    # The in-process command refuses to run beside it instead of scoring side by side.
    with pytest.raises(services.RunInFlight):
        services.risk_scores_refresh(as_of=AS_OF)


@pytest.mark.django_db
@override_settings(RELAY_RISK_HIGH=0.0, RELAY_RISK_MEDIUM=0.0)
def test_a_back_dated_run_neither_replaces_newer_scores_nor_alerts(small_org):
    today = services.risk_scores_refresh(as_of=AS_OF)
    alerts = RiskAlert.objects.count()
    assert alerts > 0  # everyone is "high" here
    back_dated = services.risk_scores_refresh(as_of=AS_OF - dt.timedelta(days=14))
    assert back_dated.status == ScoringRun.Status.SUCCEEDED
    assert back_dated.finished_at > today.finished_at
    assert scoring_run_latest_complete() == today
    assert {s.run_id for s in risk_scores_current().values()} == {today.pk}
    assert RiskAlert.objects.count() == alerts


@pytest.mark.django_db
@override_settings(RELAY_RISK_HIGH=0.0, RELAY_RISK_MEDIUM=0.0)
def test_a_second_run_the_same_day_raises_no_second_alert_for_the_same_reason(small_org):
    services.risk_scores_refresh(as_of=AS_OF)
    first = set(RiskAlert.objects.values_list("rep_id", "kind"))
    RiskScore.objects.update(band=RiskScore.Band.LOW)  # as if everyone had dropped to low
    services.risk_scores_refresh(as_of=AS_OF)
    assert set(RiskAlert.objects.values_list("rep_id", "kind")) == first
    assert RiskAlert.objects.count() == len(first)


@pytest.mark.django_db
def test_score_reps_refuses_to_run_beside_a_run_in_flight(small_org):
    from django.core.management import CommandError, call_command

    run = services.scoring_run_request(as_of=AS_OF)
    with pytest.raises(CommandError, match=f"Run {run.pk} as of {AS_OF} is already waiting"):
        call_command("score_reps", "--as-of", AS_OF.isoformat(), verbosity=0)
    assert ScoringRun.objects.count() == 1
