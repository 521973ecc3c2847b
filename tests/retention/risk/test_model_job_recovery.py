"""A training whose worker is killed recovers: a real Celery worker on Redis, trainings on
PostgreSQL, SIGKILL mid-training, the reaper as beat calls it every minute, a late redelivery
of the dead attempt's message through a real worker.

The stall window is shortened here (RELAY_JOB_STALL_SECONDS); it must still outlast the gap
between two heartbeats of this training (one fit, or a couple of seconds of snapshots).
"""

import time

import pytest
from django.db import transaction
from django.test import override_settings

from config.celery import app
from retention.models import ModelJob, RiskModel
from retention.outbox import outbox_flush
from retention.risk import model_jobs
from tests.conftest import running_celery_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery_worker]
STALL = 8
Status = ModelJob.Status


@override_settings(RELAY_JOB_STALL_SECONDS=STALL)
def test_a_training_whose_worker_was_killed_is_resumed_and_a_late_redelivery_is_refused(
    needs_postgres, needs_redis, transactional_db, large_org
):
    with running_celery_worker(needs_redis, log_name="test-training-worker.log") as worker:
        with transaction.atomic():
            job, created = model_jobs.model_job_request(kind=ModelJob.Kind.TRAIN)
        assert created
        fitting = wait_for(
            lambda: ModelJob.objects.filter(
                pk=job.pk, status=Status.RUNNING, stage=ModelJob.Stage.FITTING, done__gt=0
            ).first(),
            timeout=300,
        )
        assert fitting is not None, "the worker never showed progress fitting the model"
        worker.kill()  # SIGKILL mid-fit: its message stays unacked, nothing is stored
        worker.wait()
        killed_at = time.monotonic()
    job.refresh_from_db()
    assert job.status == Status.RUNNING and job.stage, job
    print(f"killed at stage {job.stage} {job.done}/{job.total}")
    trained_before = RiskModel.objects.filter(kind=RiskModel.Kind.TRAINED).count()
    assert model_jobs.model_jobs_reap().resumed == []  # within the stall window: left alone

    # A new worker (docker-compose restarts it). Past the stall window the job is resumed as
    # attempt 1, which the new worker takes and finishes.
    with running_celery_worker(needs_redis, log_name="test-training-worker-2.log"):
        assert wait_for(lambda: model_jobs.model_jobs_reap().resumed, timeout=STALL + 5, step=0.5)
        resumed_at = time.monotonic()
        job.refresh_from_db()
        assert job.resumes == 1 and job.reason.startswith("Resumed: no sign of work")
        outbox_flush()
        finished = wait_for(
            lambda: ModelJob.objects.filter(
                pk=job.pk, status__in=[Status.SUCCEEDED, Status.FAILED, Status.STALLED]
            ).first(),
            timeout=300,
        )
        assert finished is not None, "the resumed training never finished"
        assert finished.status == Status.SUCCEEDED, finished.reason
        print(
            f"resumed {resumed_at - killed_at:.1f} s after the kill (window {STALL} s); "
            f"succeeded {time.monotonic() - resumed_at:.1f} s after the resume"
        )
        # One model trained, whether the kill came before or after it was stored.
        trained = RiskModel.objects.filter(kind=RiskModel.Kind.TRAINED)
        assert trained.count() == max(1, trained_before)
        assert finished.model == trained.get() and finished.model.evaluated_at is not None
        evaluated_at = finished.model.evaluated_at

        # The dead attempt's message, redelivered late through the worker: refused by its claim.
        late = app.send_task(model_jobs.TASK, args=[job.pk, 0]).get(timeout=60)
        assert late == "refused"
        again = app.send_task(model_jobs.TASK, args=[job.pk, 1]).get(timeout=60)
        assert again == "refused"
    finished.refresh_from_db()
    assert finished.status == Status.SUCCEEDED and finished.resumes == 1
    assert RiskModel.objects.filter(kind=RiskModel.Kind.TRAINED).count() == 1
    assert RiskModel.objects.get(pk=finished.model_id).evaluated_at == evaluated_at
