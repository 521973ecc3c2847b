"""Trainings and backtests as jobs: one in flight, claimed per attempt, heartbeats and progress,
the reaper's resume and stall, the model page's states and the retry, on page and API.

Jobs run in this process here (``model_job_run``); tests/retention/risk/test_model_job_recovery.py
kills a real worker mid-training.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from config.background import broker_state_forget
from retention.models import ModelJob, OutboxMessage, RiskModel
from retention.outbox import outbox_flush
from retention.risk import model_jobs, selectors, services
from tests.test_redis_outage import app_on_own_redis, own_redis  # noqa: F401  (fixtures)

Status = ModelJob.Status
Kind = ModelJob.Kind
STALL = 3


def _queued(kind: str = Kind.TRAIN, **extra) -> ModelJob:
    """A job as a request leaves it, without sending its message (no queue in these tests)."""
    return ModelJob.objects.create(kind=kind, heartbeat_at=timezone.now(), **extra)


def _stale() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=STALL + 1)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- one in flight ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_six_simultaneous_training_starts_make_one_job_and_one_message(needs_postgres):
    barrier = threading.Barrier(6)
    jobs: list[int] = []
    errors: list[Exception] = []

    def start() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                jobs.append(model_jobs.model_job_request(kind=Kind.TRAIN)[0].pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(jobs)) == 1 and ModelJob.objects.count() == 1
    assert OutboxMessage.objects.filter(task_name=model_jobs.TASK).count() == 1
    assert OutboxMessage.objects.get().args == [jobs[0], 0]


@pytest.mark.django_db
def test_a_backtest_is_one_in_flight_per_model_and_a_training_beside_it(
    django_capture_on_commit_callbacks,
):
    first = RiskModel.objects.create(version="m1", kind=RiskModel.Kind.RULES)
    second = RiskModel.objects.create(version="m2", kind=RiskModel.Kind.RULES)
    one, created = model_jobs.model_job_request(kind=Kind.EVALUATE, model=first)
    again, created_again = model_jobs.model_job_request(kind=Kind.EVALUATE, model=first)
    other, _ = model_jobs.model_job_request(kind=Kind.EVALUATE, model=second)
    training, _ = model_jobs.model_job_request(kind=Kind.TRAIN)
    assert created and not created_again and again.pk == one.pk
    assert len({one.pk, other.pk, training.pk}) == 3


# --- claimed per attempt; heartbeats and progress ---------------------------------------------


@pytest.mark.django_db
def test_a_backtest_job_runs_with_heartbeats_and_progress_and_a_redelivery_is_refused(small_org):
    model = services.risk_model_ensure_active()
    job = _queued(Kind.EVALUATE, model=model)

    done = model_jobs.model_job_run(job_id=job.pk, attempt=0)

    assert done.status == Status.SUCCEEDED and done.reason == ""
    assert done.stage == ModelJob.Stage.BACKTEST and done.done == done.total > 0
    assert done.started_at <= done.heartbeat_at <= done.finished_at
    model.refresh_from_db()
    assert model.evaluated_at is not None and model.backtest["summary"]["dates"] > 0
    evaluated_at = model.evaluated_at
    # The same message again, or a later attempt's that was never sent: refused, nothing run.
    assert model_jobs.model_job_run(job_id=job.pk, attempt=0) is None
    assert model_jobs.model_job_run(job_id=job.pk, attempt=1) is None
    model.refresh_from_db()
    assert model.evaluated_at == evaluated_at


@pytest.mark.django_db
def test_a_training_job_stays_on_the_rules_with_too_few_departures_then_backtests_them(small_org):
    job = _queued()
    done = model_jobs.model_job_run(job_id=job.pk, attempt=0)
    assert done.status == Status.SUCCEEDED
    assert done.model.kind == RiskModel.Kind.RULES and done.model.is_active
    assert done.model.evaluated_at is not None
    assert done.as_of is not None


@pytest.mark.django_db
def test_a_stalled_or_failed_job_never_comes_back_to_life(small_org):
    for status in (Status.STALLED, Status.FAILED):
        job = _queued(status=status, reason="Stalled: …")
        assert model_jobs.model_job_run(job_id=job.pk, attempt=0) is None
        job.refresh_from_db()
        assert job.status == status and job.started_at is None
    assert not RiskModel.objects.exclude(backtest={}).exists()


@pytest.mark.django_db
def test_an_error_fails_the_job_with_the_reason(small_org):
    # A model whose stored pipeline was altered cannot be loaded: the backtest fails, saying so.
    model = RiskModel.objects.create(
        version="broken", kind=RiskModel.Kind.TRAINED, artifact=b"not a signed model"
    )
    job = _queued(Kind.EVALUATE, model=model)
    with pytest.raises(Exception):  # noqa: B017  (raised on, for Celery's log)
        model_jobs.model_job_run(job_id=job.pk, attempt=0)
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.finished_at is not None
    assert job.reason and "signed" in job.reason.lower()


@pytest.mark.django_db
def test_work_taken_over_meanwhile_stores_nothing(small_org):
    model = services.risk_model_ensure_active()
    with pytest.raises(services.Superseded):
        services.risk_model_evaluate(model=model, keep=lambda: False)
    model.refresh_from_db()
    assert model.evaluated_at is None and model.backtest == {}


# --- the reaper -------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(RELAY_JOB_STALL_SECONDS=STALL, RELAY_JOB_MAX_RESUMES=1)
def test_the_reaper_resumes_a_dead_job_once_then_stalls_it_with_the_reason(
    small_org, django_capture_on_commit_callbacks
):
    job = _queued()
    # What a worker killed mid-training leaves behind: running, its heartbeat going stale.
    ModelJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, heartbeat_at=timezone.now())
    assert model_jobs.model_jobs_reap().resumed == []  # within the window: alive
    ModelJob.objects.filter(pk=job.pk).update(heartbeat_at=_stale())

    reaped = model_jobs.model_jobs_reap()
    assert reaped.resumed == [job.pk]
    assert model_jobs.model_jobs_reap().resumed == []  # a second reaper finds nothing to do
    job.refresh_from_db()
    assert (job.status, job.resumes) == (Status.QUEUED, 1)
    assert job.reason.startswith("Resumed: no sign of work")
    assert OutboxMessage.objects.filter(task_name=model_jobs.TASK, args=[job.pk, 1]).exists()
    # The killed worker's message, redelivered late, is refused: the job is attempt 1's now.
    assert model_jobs.model_job_run(job_id=job.pk, attempt=0) is None

    # Attempt 1 dies too: no more resumes; stalled, with the reason.
    ModelJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, heartbeat_at=_stale())
    assert model_jobs.model_jobs_reap().stalled == [job.pk]
    job.refresh_from_db()
    assert job.status == Status.STALLED and job.finished_at is not None
    assert job.reason.startswith("Stalled: no sign of work for 1 minute after 1 attempts")
    assert model_jobs.model_job_run(job_id=job.pk, attempt=1) is None
    assert selectors.model_job_in_flight(kind=Kind.TRAIN) is None


@pytest.mark.django_db
@override_settings(RELAY_JOB_STALL_SECONDS=STALL)
def test_a_queued_job_is_sent_again_for_the_same_attempt_unless_its_message_waits(
    django_capture_on_commit_callbacks,
):
    job = _queued()
    message = OutboxMessage.objects.create(
        task_name=model_jobs.TASK, args=[job.pk, 0], sent_at=timezone.now()
    )
    ModelJob.objects.filter(pk=job.pk).update(heartbeat_at=_stale())
    assert model_jobs.model_jobs_reap().resent == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.resumes) == (Status.QUEUED, 0)  # never stalled for waiting
    assert OutboxMessage.objects.filter(args=[job.pk, 0]).count() == 2

    # With the broker down its message waits in the outbox: nothing to re-send.
    OutboxMessage.objects.exclude(pk=message.pk).update(sent_at=None)
    ModelJob.objects.filter(pk=job.pk).update(heartbeat_at=_stale())
    reaped = model_jobs.model_jobs_reap()
    assert reaped.resent == [] and reaped.stalled == []


@pytest.mark.django_db
def test_a_resumed_training_that_had_stored_its_model_starts_at_the_backtest(small_org):
    model = services.risk_model_ensure_active()
    job = _queued(model=model, resumes=1)  # attempt 0 trained (here: stayed on rules), then died
    done = model_jobs.model_job_run(job_id=job.pk, attempt=1)
    assert done.status == Status.SUCCEEDED and done.model_id == model.pk
    assert RiskModel.objects.count() == 1  # nothing trained again


# --- the model page and the API ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_model_page_shows_each_state_of_the_training(client, admin_user, small_org):
    client.force_login(admin_user)
    model = services.risk_model_ensure_active()
    job = _queued()
    page = client.get(reverse("retention:risk_model")).content.decode()
    assert f'id="model-job-{job.pk}" data-status="queued"' in page and "asked for" in page

    ModelJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING,
        stage=ModelJob.Stage.SNAPSHOTS,
        done=12,
        total=40,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=7),
    )
    partial = client.get(reverse("retention:risk_model_job", args=[job.pk])).content.decode()
    assert "Building training snapshots · 12/40" in partial
    assert "last sign of work 7 seconds ago" in partial
    assert 'hx-trigger="every 2s"' in partial  # polled while in flight

    ModelJob.objects.filter(pk=job.pk).update(
        status=Status.STALLED, reason="Stalled: no sign of work for 3 minutes after 3 attempts"
    )
    page = client.get(reverse("retention:risk_model")).content.decode()
    assert "stalled — retry" in page and "Stalled: no sign of work for 3 minutes" in page
    assert f'id="retry-model-job-{job.pk}"' in page and f'id="retry-job-{job.pk}"' in page
    assert "The model in use stays as it was." in page

    ModelJob.objects.filter(pk=job.pk).update(status=Status.FAILED, reason="ValueError: bad")
    page = client.get(reverse("retention:risk_model")).content.decode()
    assert "Failed" in page and "ValueError: bad" in page and f'id="retry-job-{job.pk}"' in page

    ModelJob.objects.filter(pk=job.pk).update(
        status=Status.SUCCEEDED, reason="", model=model, finished_at=timezone.now()
    )
    partial = client.get(reverse("retention:risk_model_job", args=[job.pk])).content.decode()
    assert 'data-status="succeeded"' in partial and model.version in partial
    assert "hx-trigger" not in partial and "Retry" not in partial


@pytest.mark.django_db
def test_retry_from_the_page_starts_a_new_job_and_the_old_one_stays_as_it_ended(
    client, admin_user, django_capture_on_commit_callbacks
):
    stalled = _queued(status=Status.STALLED, reason="Stalled: …")
    client.force_login(admin_user)
    response = client.post(reverse("retention:risk_model_job_retry", args=[stalled.pk]))
    assert response.status_code == 302
    new = ModelJob.objects.exclude(pk=stalled.pk).get()
    assert (new.status, new.retry_of_id, new.requested_by) == (
        Status.QUEUED,
        stalled.pk,
        admin_user,
    )
    stalled.refresh_from_db()
    assert stalled.status == Status.STALLED
    # A second retry while the new one is in flight gets the new one, not a third job.
    client.post(reverse("retention:risk_model_job_retry", args=[stalled.pk]))
    assert ModelJob.objects.count() == 2
    page = client.get(reverse("retention:risk_model")).content.decode()
    assert f'id="retry-job-{stalled.pk}"' not in page  # nothing to retry while one is in flight


@pytest.mark.django_db
def test_the_api_starts_one_training_lists_it_and_retries_only_a_stalled_or_failed_job(
    admin_user, django_capture_on_commit_callbacks
):
    api = _api(admin_user)
    first = api.post(reverse("api-risk-model-train"))
    second = api.post(reverse("api-risk-model-train"))
    assert first.status_code == second.status_code == 202
    body = first.json()
    assert body["id"] == second.json()["id"] and body["status"] == "queued"
    assert body["kind"] == "train" and body["heartbeat_age_seconds"] is not None

    listed = api.get(reverse("api-risk-model-job-list")).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    detail = api.get(reverse("api-risk-model-job", args=[body["id"]])).json()
    assert detail["stage"] == "" and detail["resumes"] == 0

    refused = api.post(reverse("api-risk-model-job-retry", args=[body["id"]]))
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "Training is queued: only a stalled or failed job is retried."
    )
    ModelJob.objects.filter(pk=body["id"]).update(status=Status.FAILED, reason="boom")
    retried = api.post(reverse("api-risk-model-job-retry", args=[body["id"]]))
    assert retried.status_code == 202 and retried.json()["id"] != body["id"]

    model = RiskModel.objects.create(version="m1", kind=RiskModel.Kind.RULES)
    backtest = api.post(reverse("api-risk-model-backtest-start", args=[model.pk]))
    assert backtest.status_code == 202 and backtest.json()["model"]["id"] == model.pk


@pytest.mark.django_db
def test_only_roles_that_may_train_may_start_or_retry_a_training(
    client, hr_user, manager_a, django_capture_on_commit_callbacks
):
    stalled = _queued(status=Status.STALLED, reason="Stalled: …")
    for user in (hr_user, manager_a):
        client.force_login(user)
        assert client.post(reverse("retention:risk_model_retrain")).status_code == 403
        assert (
            client.post(reverse("retention:risk_model_job_retry", args=[stalled.pk])).status_code
            == 403
        )
        assert _api(user).post(reverse("api-risk-model-train")).status_code == 403
        assert (
            _api(user).post(reverse("api-risk-model-job-retry", args=[stalled.pk])).status_code
            == 403
        )
    assert ModelJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_retrain_with_the_queue_down_says_queued_and_is_sent_when_it_is_back(
    app_on_own_redis,  # noqa: F811
    client,
    admin_user,
):
    client.force_login(admin_user)
    app_on_own_redis.stop()
    broker_state_forget()

    content = client.post(reverse("retention:risk_model_retrain"), follow=True).content.decode()
    assert "Training queued: background work is paused, it starts when the queue is back." in (
        content
    )
    assert 'id="training-queue-paused"' in content
    job = ModelJob.objects.get()
    assert job.status == Status.QUEUED
    waiting = OutboxMessage.objects.get(task_name=model_jobs.TASK)
    assert waiting.args == [job.pk, 0] and waiting.sent_at is None

    # Asked again meanwhile: the same job, said so.
    content = client.post(reverse("retention:risk_model_retrain"), follow=True).content.decode()
    assert "Training is already queued" in content and ModelJob.objects.count() == 1

    app_on_own_redis.start()
    broker_state_forget()
    assert outbox_flush() == 1
    assert app_on_own_redis.queued() == 1
    content = client.get(reverse("retention:risk_model")).content.decode()
    assert 'id="training-queue-paused"' not in content
