"""A real Celery worker on Redis and PostgreSQL runs the import job, checks it, then applies it."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from retention.imports.services import import_job_apply, import_job_create
from retention.models import Customer, ImportJob
from tests.retention.imports.conftest import SALESFORCE


def wait_for(job: ImportJob, status: str, timeout: float = 60) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == status:
            return job
        if job.status in (ImportJob.Status.FAILED, ImportJob.Status.REFUSED):
            break
        time.sleep(0.2)
    pytest.fail(f"import {job.pk} is {job.status}, not {status}: {job.message}")


@pytest.fixture
def worker_media(monkeypatch, settings):
    """The worker writes its report where this test reads it."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))


@pytest.mark.celery_worker
def test_worker_checks_then_applies_an_upload(
    worker_media, celery_worker_process, admin_user, team_north_a
):
    job = import_job_create(
        user=admin_user,
        uploads=[SimpleUploadedFile("Account.csv", (SALESFORCE / "Account.csv").read_bytes())],
    )

    checked = wait_for(job, ImportJob.Status.CHECKED)
    assert (checked.rows_done, checked.rows_total) == (22, 22)
    assert checked.counts["total"]["created"] == 22
    assert not Customer.objects.exists()

    assert import_job_apply(job=checked, user=admin_user)
    applied = wait_for(job, ImportJob.Status.APPLIED)
    assert Customer.objects.count() == 22
    assert applied.percent_done == 100
    # A second delivery of the task finds the job done and changes nothing.
    from retention.imports.tasks import import_job_process

    assert import_job_process.delay(job.pk).get(timeout=30) == "skipped"
    assert Customer.objects.count() == 22


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_outside_the_import_transaction(
    needs_postgres, monkeypatch, tmp_path, team_north_a
):
    from retention.imports import services

    monkeypatch.setattr(services, "PROGRESS_EVERY_SECONDS", 0)
    rows = "".join(f"C-{n},Customer {n}\n" for n in range(45_000))
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,name\n" + rows)
    job = services.import_job_create_from_paths(paths=[path], apply=True)
    seen: list[tuple[int, int]] = []

    def look(done: int, total: int) -> None:
        # Another connection's committed writes are visible to this one's statements.
        seen.append(
            tuple(ImportJob.objects.filter(pk=job.pk).values_list("rows_done", "rows_total").get())
        )

    services.import_job_run(job_id=job.pk, progress=look)

    assert (0, 45_000) in seen and (20_000, 45_000) in seen
    assert Customer.objects.count() == 45_000
