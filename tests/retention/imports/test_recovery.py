"""Imports recover when parts fail: a worker killed mid-apply (a real Celery worker on Redis,
SIGKILL), the reaper, a newer import of the same source, a late redelivery; the progress
counter between check and apply; an upload with the queue down.

The stall window is shortened to a few seconds (RELAY_JOB_STALL_SECONDS); the reaper is called
as beat calls it every minute.
"""

import datetime as dt
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from config.background import broker_state_forget
from retention.imports import services
from retention.imports.tasks import import_job_process
from retention.models import Customer, ImportJob, OutboxMessage
from retention.outbox import outbox_flush
from tests.conftest import running_celery_worker
from tests.retention.imports.conftest import SALESFORCE, run_import
from tests.test_redis_outage import app_on_own_redis, own_redis  # noqa: F401  (fixtures)

STALL = 3
Status = ImportJob.Status
PAUSED = "Queued: background work is paused, it starts when the queue is back."


def _customers_csv(path: Path, rows: int, name: str = "Customer") -> Path:
    path.write_text("customer_id,name\n" + "".join(f"C-{n},{name} {n}\n" for n in range(rows)))
    return path


def _customers() -> list[tuple]:
    return list(Customer.objects.order_by("pk").values_list("pk", "external_id", "name"))


def _wait_for(predicate, *, timeout: float, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery_worker
@override_settings(RELAY_JOB_STALL_SECONDS=STALL)
def test_an_import_killed_mid_apply_is_stalled_and_never_applied_over_a_newer_import(
    needs_postgres, needs_redis, transactional_db, settings, tmp_path, admin_user, team_north_a
):
    big = _customers_csv(tmp_path / "customers.csv", 150_000)
    job = services.import_job_create_from_paths(paths=[big], apply=False, user=admin_user)
    checked = services.import_job_run(job_id=job.pk)  # the check, here; the apply, in a worker
    assert checked.status == Status.CHECKED, checked.message
    assert not Customer.objects.exists()

    with running_celery_worker(
        needs_redis,
        log_name="test-import-worker.log",
        extra_env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)},
    ) as worker:
        assert services.import_job_apply(job=checked, user=admin_user)
        applying = _wait_for(
            lambda: ImportJob.objects.filter(
                pk=job.pk, status=Status.APPLYING, rows_done__gt=0
            ).first(),
            timeout=120,
        )
        assert applying is not None, "the worker never showed progress applying the import"
        worker.kill()  # SIGKILL mid-apply: its transaction rolls back, its message stays unacked
        worker.wait()
    job.refresh_from_db()
    assert job.status == Status.APPLYING and 0 < job.rows_done < job.rows_total
    assert not Customer.objects.exists(), "a killed apply leaves nothing half-written"

    # Within the stall window the reaper leaves it; after it, the job is stalled with the reason.
    assert services.import_jobs_reap().stalled == []
    time.sleep(STALL + 1)
    reaped = services.import_jobs_reap()
    assert reaped.stalled == [job.pk] and reaped.requeued == []
    job.refresh_from_db()
    assert job.status == Status.STALLED
    assert job.message.startswith("Stalled while applying")
    assert not OutboxMessage.objects.filter(args=[job.pk], sent_at__isnull=True).exists()

    # A newer import of the same source (customers, recognised from the headers) is applied.
    newer = run_import(_customers_csv(tmp_path / "newer.csv", 10, name="Renamed"), user=admin_user)
    assert newer.status == Status.APPLIED, newer.message
    after_newer = _customers()
    assert len(after_newer) == 10

    # The old job's late redelivery is refused by its claim and changes no row.
    assert import_job_process(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.status == Status.STALLED
    assert _customers() == after_newer
    # Even if it were waiting to be applied again, its older check is refused, with the reason.
    ImportJob.objects.filter(pk=job.pk).update(status=Status.APPLY_QUEUED)
    assert import_job_process(job.pk) == Status.REFUSED
    job.refresh_from_db()
    assert f"import {newer.pk} of the same data" in job.message
    assert _customers() == after_newer


@pytest.mark.django_db
def test_an_older_check_is_refused_after_a_newer_import_of_the_same_source_was_applied(
    tmp_path, admin_user, team_north_a
):
    older = run_import(_customers_csv(tmp_path / "a.csv", 5, name="Old"), apply=False)
    assert older.status == Status.CHECKED
    # Another source's import (a Salesforce export of accounts) does not block it.
    other = run_import(SALESFORCE / "Account.csv", user=admin_user)
    assert other.status == Status.APPLIED, other.message
    assert services.import_job_newer_applied(older) is None
    newer = run_import(_customers_csv(tmp_path / "b.csv", 5, name="New"), user=admin_user)
    assert newer.status == Status.APPLIED
    before = _customers()
    assert services.import_job_newer_applied(newer) is None  # nothing is newer than the newest

    assert services.import_job_apply(job=older, user=admin_user)
    older = services.import_job_run(job_id=older.pk)
    assert older.status == Status.REFUSED
    assert older.message.startswith(
        f"Not applied: import {newer.pk} of the same data (relay.customers)"
    )
    assert _customers() == before
    names = set(
        Customer.objects.filter(external_id__startswith="C-").values_list("name", flat=True)
    )
    assert names == {f"New {n}" for n in range(5)}


@pytest.mark.django_db
def test_the_progress_counter_restarts_at_zero_for_the_apply(
    tmp_path, client, admin_user, team_north_a
):
    checked = run_import(_customers_csv(tmp_path / "c.csv", 30), apply=False, user=admin_user)
    assert (checked.status, checked.rows_done, checked.rows_total) == (Status.CHECKED, 30, 30)
    assert services.import_job_apply(job=checked, user=admin_user)  # queued; not run here
    checked.refresh_from_db()
    assert (checked.status, checked.rows_done, checked.rows_total) == (Status.APPLY_QUEUED, 0, 30)
    client.force_login(admin_user)
    content = client.get(reverse("retention:imports:job_status", args=[checked.pk])).content
    assert b"0 of 30 rows" in content and b"30 of 30 rows" not in content

    applied = services.import_job_run(job_id=checked.pk)
    assert applied.status == Status.APPLIED and applied.rows_done == applied.rows_total == 30


@pytest.mark.django_db
@override_settings(RELAY_JOB_STALL_SECONDS=STALL, RELAY_JOB_MAX_RESUMES=1)
def test_a_stalled_check_is_requeued_then_stalled_and_retried_from_the_page(
    tmp_path, client, admin_user, team_north_a, django_capture_on_commit_callbacks
):
    job = services.import_job_create_from_paths(
        paths=[_customers_csv(tmp_path / "d.csv", 3)], apply=False, user=admin_user
    )
    # Past the stall window, and past a task's whole time limit (all SQLite can go by).
    old = timezone.now() - dt.timedelta(seconds=services.IMPORT_TIME_LIMIT_SECONDS + STALL + 1)
    # What a worker killed while checking leaves behind.
    ImportJob.objects.filter(pk=job.pk).update(status=Status.CHECKING, heartbeat_at=old)
    # A late redelivery while it is claimed does nothing: the reaper decides.
    assert import_job_process(job.pk) == "skipped"
    with django_capture_on_commit_callbacks():
        reaped = services.import_jobs_reap()
    assert reaped.requeued == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.resumes) == (Status.QUEUED, 1)
    assert OutboxMessage.objects.filter(task_name=services.TASK, args=[job.pk]).exists()

    ImportJob.objects.filter(pk=job.pk).update(status=Status.CHECKING, heartbeat_at=old)
    assert services.import_jobs_reap().stalled == [job.pk]
    job.refresh_from_db()
    assert job.status == Status.STALLED and job.message.startswith("Stalled")
    assert import_job_process(job.pk) == "skipped"  # a stalled job never comes back to life

    # A job only waiting (its message sent, maybe lost, maybe behind a long queue) is never
    # stalled, however often: its message is sent again once per stall window.
    waiting = services.import_job_create_from_paths(
        paths=[_customers_csv(tmp_path / "e.csv", 3)], apply=False, user=admin_user
    )
    ImportJob.objects.filter(pk=waiting.pk).update(resumes=5, heartbeat_at=old)
    assert services.import_jobs_reap().requeued == [waiting.pk]
    assert services.import_jobs_reap().requeued == []  # within the window of that re-send
    waiting.refresh_from_db()
    assert (waiting.status, waiting.resumes) == (Status.QUEUED, 6)
    ImportJob.objects.filter(pk=waiting.pk).delete()

    client.force_login(admin_user)
    page = client.get(reverse("retention:imports:job", args=[job.pk])).content.decode()
    assert "Stalled — retry" in page and 'id="retry-import"' in page
    response = client.post(reverse("retention:imports:job_retry", args=[job.pk]))
    retry = ImportJob.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{retry.pk}/")
    assert retry.files == job.files and retry.status == Status.QUEUED
    job.refresh_from_db()
    assert job.status == Status.STALLED
    # Only a stalled or failed import is retried.
    response = client.post(reverse("retention:imports:job_retry", args=[retry.pk]), follow=True)
    assert "only a stalled or failed import is retried" in response.content.decode()
    assert ImportJob.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_upload_with_the_queue_down_is_queued_in_the_outbox_and_starts_when_it_is_back(
    app_on_own_redis,  # noqa: F811
    client,
    admin_user,
    team_north_a,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client.force_login(admin_user)
    app_on_own_redis.stop()
    broker_state_forget()
    upload = SimpleUploadedFile("customers.csv", b"customer_id,name\nC-1,One\nC-2,Two\n")
    response = client.post(reverse("retention:imports:page"), {"files": [upload], "source": "auto"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == Status.QUEUED
    waiting = OutboxMessage.objects.get(task_name=services.TASK)
    assert waiting.args == [job.pk] and waiting.sent_at is None
    page = client.get(response["Location"]).content.decode()
    assert PAUSED in page
    # Waiting in the outbox is not a stall: the reaper leaves it however long it waits.
    later = timezone.now() + dt.timedelta(hours=1)
    assert services.import_jobs_reap(now=later).requeued == []

    app_on_own_redis.start()
    broker_state_forget()
    assert outbox_flush() == 1
    assert app_on_own_redis.queued() == 1, "the broker holds the job's task"
    page = client.get(response["Location"]).content.decode()
    assert PAUSED not in page


@pytest.mark.django_db
def test_a_job_at_work_is_stalled_by_its_heartbeat_or_on_sqlite_its_time_limit(admin_user):
    """SQLite's one writer keeps a working import from writing its heartbeat beside its own
    transaction, so there the stall window alone must not stall it; its task's hard time limit
    does. PostgreSQL's heartbeat goes through a second connection and is trusted."""
    from django.db import connection

    job = ImportJob.objects.create(created_by=admin_user, file_name="Task.csv")
    long_ago = timezone.now() - dt.timedelta(minutes=30)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.APPLYING, heartbeat_at=long_ago, updated_at=long_ago
    )
    on_heartbeat = [] if connection.vendor == "sqlite" else [job.pk]
    assert services.import_jobs_reap().stalled == on_heartbeat
    if on_heartbeat:
        return
    later = timezone.now() + dt.timedelta(seconds=services.IMPORT_TIME_LIMIT_SECONDS)
    assert services.import_jobs_reap(now=later).stalled == [job.pk]
