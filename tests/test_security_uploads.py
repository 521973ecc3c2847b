"""Upload limits: zip bombs refused from the zip's directory, per-user size and rate limits, and
stored uploads deleted once their import is finished and old."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from config.celery import app as celery_app
from retention.imports import storage
from retention.imports.services import import_job_create, import_job_recheck, import_job_run
from retention.models import ImportJob

pytestmark = pytest.mark.django_db
PEOPLE = (
    b"employee_id,first_name,last_name,team,hire_date,annual_quota\n"
    b"E-1,Wei,Li,North A,2021-04-01,500000\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _zip(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buffer.getvalue()


def _upload(user, name: str, content: bytes) -> ImportJob:
    return import_job_create(user=user, uploads=[SimpleUploadedFile(name, content)])


def test_a_zip_that_unpacks_to_over_a_hundred_times_its_size_is_refused(admin_user):
    bomb = _zip(**{"people.csv": PEOPLE + b"0" * (8 * 1024 * 1024)})
    assert len(bomb) * 100 < 8 * 1024 * 1024
    job = _upload(admin_user, "export.zip", bomb)

    job = import_job_run(job_id=job.pk)

    assert job.status == ImportJob.Status.REFUSED
    assert "RELAY_IMPORT_MAX_UNPACK_RATIO" in job.message
    assert "export.zip" in job.message
    assert job.rows_done == 0


def test_a_zip_over_the_unpacked_size_cap_is_refused(admin_user, settings, team_north_a):
    settings.RELAY_IMPORT_MAX_UNPACKED_BYTES = 50
    job = _upload(admin_user, "export.zip", _zip(**{"people.csv": PEOPLE}))
    job = import_job_run(job_id=job.pk)
    assert job.status == ImportJob.Status.REFUSED
    assert "RELAY_IMPORT_MAX_UNPACKED_BYTES" in job.message


def test_an_ordinary_zip_is_read(admin_user, team_north_a):
    job = _upload(admin_user, "export.zip", _zip(**{"people.csv": PEOPLE}))
    job = import_job_run(job_id=job.pk)
    assert job.status == ImportJob.Status.CHECKED, job.message


def test_uploads_over_the_hourly_rate_are_refused_and_not_stored(admin_user, settings):
    settings.RELAY_IMPORT_UPLOADS_PER_HOUR = 2
    first, second = (_upload(admin_user, "people.csv", PEOPLE) for _ in range(2))
    assert first.status == second.status == ImportJob.Status.QUEUED
    third = _upload(admin_user, "people.csv", PEOPLE)
    assert third.status == ImportJob.Status.REFUSED
    assert "RELAY_IMPORT_UPLOADS_PER_HOUR" in third.message
    assert third.files == []


def test_uploads_over_the_daily_bytes_are_refused(admin_user, hr_user, settings):
    settings.RELAY_IMPORT_BYTES_PER_DAY = len(PEOPLE) * 2
    assert _upload(admin_user, "people.csv", PEOPLE).status == ImportJob.Status.QUEUED
    assert _upload(admin_user, "people.csv", PEOPLE).status == ImportJob.Status.QUEUED
    refused = _upload(admin_user, "people.csv", PEOPLE)
    assert refused.status == ImportJob.Status.REFUSED
    assert "RELAY_IMPORT_BYTES_PER_DAY" in refused.message
    # The limit is per user.
    assert _upload(hr_user, "people.csv", PEOPLE).status == ImportJob.Status.QUEUED


def _age(job: ImportJob, *, days: int, status: str) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, updated_at=timezone.now() - dt.timedelta(days=days)
    )
    job.refresh_from_db()
    return job


def test_finished_imports_files_are_deleted_after_the_retention_period(admin_user, media):
    old_applied = _age(_upload(admin_user, "a.csv", PEOPLE), days=31, status="applied")
    old_refused = _age(_upload(admin_user, "b.csv", PEOPLE), days=40, status="refused")
    old_failed = _age(_upload(admin_user, "c.csv", PEOPLE), days=31, status="failed")
    recent_applied = _age(_upload(admin_user, "d.csv", PEOPLE), days=3, status="applied")
    old_but_checked = _age(_upload(admin_user, "e.csv", PEOPLE), days=60, status="checked")
    report = media / "imports" / "reports" / f"job-{old_applied.pk}.csv"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("row,reason\n")
    paths = {job.pk: Path(job.files[0]["path"]) for job in ImportJob.objects.all()}

    assert storage.import_files_purge() == 3

    for job in (old_applied, old_refused, old_failed):
        assert not paths[job.pk].exists()
        assert not paths[job.pk].parent.exists()
        job.refresh_from_db()
        assert job.files == []
    assert not report.exists()
    assert paths[recent_applied.pk].exists()
    assert paths[old_but_checked.pk].exists()
    assert storage.import_files_purge() == 0  # a second run has nothing left to do


def test_a_file_a_newer_recheck_still_uses_is_kept(admin_user):
    original = _upload(admin_user, "a.csv", PEOPLE)
    recheck = import_job_recheck(job=original, user=admin_user, mappings={}, save=False)
    _age(original, days=31, status="refused")
    storage.import_files_purge()
    assert Path(recheck.files[0]["path"]).exists()


def test_files_outside_the_upload_folder_are_never_deleted(admin_user, tmp_path):
    outside = tmp_path / "export-on-the-server.csv"
    outside.write_bytes(PEOPLE)
    job = ImportJob.objects.create(
        created_by=admin_user,
        origin="command",
        file_name=outside.name,
        files=[{"name": outside.name, "path": str(outside)}],
    )
    _age(job, days=90, status="applied")
    storage.import_files_purge()
    assert outside.exists()


def test_the_purge_runs_nightly_as_a_celery_task(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "retention.imports.files_purge" in scheduled
    celery_app.loader.import_default_modules()
    assert "retention.imports.files_purge" in celery_app.tasks
