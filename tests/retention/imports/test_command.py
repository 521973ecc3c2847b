"""manage.py import_data: the same import from the shell, with a progress bar."""

import io

import pytest
from django.core.management import CommandError, call_command

from retention.models import Customer, ImportJob, ServiceRecord
from tests.retention.imports.conftest import SALESFORCE, make_zip

pytestmark = pytest.mark.django_db


def test_dry_run_prints_progress_and_counts_but_stores_nothing():
    out = io.StringIO()

    call_command("import_data", str(SALESFORCE / "Account.csv"), "--dry-run", stdout=out)

    text = out.getvalue()
    assert f"rows [{'#' * 30}] 100% 22/22 " in text
    assert "22 rows, 22 created, 0 updated, 0 unchanged, 0 rejected, 22 flagged" in text
    assert "Checked, ready to apply" in text
    assert not Customer.objects.exists()
    assert ImportJob.objects.get().origin == "command"


def test_whole_export_with_team_and_score_column(tmp_path, team_north_a, admin_user):
    archive = make_zip(
        tmp_path / "export.zip",
        [SALESFORCE / name for name in ("User.csv", "Account.csv", "Case.csv")],
    )
    out = io.StringIO()

    call_command(
        "import_data",
        str(archive),
        "--team",
        "North / North A",
        "--score-column",
        "CSAT__c",
        "--user",
        admin_user.username,
        stdout=out,
    )

    job = ImportJob.objects.get()
    assert f"Import {job.pk}: Applied" in out.getvalue()
    assert ServiceRecord.objects.count() == 2
    assert job.created_by == admin_user


def test_refused_import_exits_with_an_error_and_the_reason():
    out = io.StringIO()

    with pytest.raises(CommandError, match="refused"):
        call_command("import_data", str(SALESFORCE / "Task.csv"), stdout=out)

    assert "75 rows were rejected" in out.getvalue()


def test_unknown_team_is_an_error(team_north_a):
    with pytest.raises(CommandError, match="no single team"):
        call_command("import_data", str(SALESFORCE / "User.csv"), "--team", "Atlantis")


def test_a_claim_left_by_a_dead_worker_is_requeued_by_the_reaper_but_a_live_one_is_not(
    admin_user, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from retention.imports.services import (
        IMPORT_TIME_LIMIT_SECONDS,
        import_job_create_from_paths,
        import_job_run,
        import_jobs_reap,
    )

    live = import_job_create_from_paths(paths=[SALESFORCE / "Account.csv"], apply=False)
    dead = import_job_create_from_paths(paths=[SALESFORCE / "Account.csv"], apply=False)
    ImportJob.objects.filter(pk=live.pk).update(status=ImportJob.Status.CHECKING)
    ImportJob.objects.filter(pk=dead.pk).update(
        # Silent for longer than the task's time limit: dead on any database (SQLite cannot
        # write a working job's heartbeat, so there only the time limit tells).
        status=ImportJob.Status.CHECKING,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=IMPORT_TIME_LIMIT_SECONDS + 3600),
    )

    # A redelivery never takes a claim over; the reaper re-queues the dead one only.
    assert import_job_run(job_id=live.pk) is None
    assert import_job_run(job_id=dead.pk) is None
    with django_capture_on_commit_callbacks(execute=False):
        assert import_jobs_reap().requeued == [dead.pk]
    assert import_job_run(job_id=dead.pk).status == ImportJob.Status.CHECKED
    assert ImportJob.objects.get(pk=live.pk).status == ImportJob.Status.CHECKING
