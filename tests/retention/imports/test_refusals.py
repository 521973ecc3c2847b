"""Bad input is refused with a message a person can act on, and nothing stored changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from retention.imports.services import import_job_apply, import_job_create, import_job_run
from retention.models import ImportJob
from tests.retention.imports.conftest import SALESFORCE, snapshot

pytestmark = pytest.mark.django_db
PEOPLE_HEADER = "employee_id,first_name,last_name,team,hire_date,annual_quota\n"


def check_then_apply(user, name: str, content: bytes, **options) -> ImportJob:
    """Upload, check and (when the check passes) apply, the way the page does it."""
    job = import_job_create(user=user, uploads=[SimpleUploadedFile(name, content)], **options)
    if job.status == ImportJob.Status.REFUSED:
        return job
    job = import_job_run(job_id=job.pk)
    if job.status == ImportJob.Status.CHECKED:
        import_job_apply(job=job, user=user)
        job = import_job_run(job_id=job.pk)
    return job


@pytest.fixture
def existing(admin_user, rep_a, customer_a):
    """Some data already there, which a refused import must leave exactly as it is."""
    return snapshot()


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("report.pdf", b"%PDF-1.7\n...", "not a spreadsheet"),
        ("people.csv", b"", "empty"),
        ("notes.csv", b"colour,shape\nred,round\n", "not those of a file Relay imports"),
    ],
)
def test_file_level_problems_refuse_the_import(admin_user, existing, name, content, message):
    job = check_then_apply(admin_user, name, content)

    assert job.status == ImportJob.Status.REFUSED
    assert message in job.message
    assert snapshot() == existing


def test_missing_required_columns_are_named(admin_user, existing):
    job = check_then_apply(
        admin_user, "people.csv", b"employee_id,first_name\nE-9,Zoe\n", kind="relay.people"
    )

    assert job.status == ImportJob.Status.REFUSED
    assert "required columns are missing: last_name" in job.message
    assert job.detected[0]["mapping"] == {"employee_id": "employee_id", "first_name": "first_name"}
    assert snapshot() == existing


@pytest.mark.parametrize(
    "row,column,reason",
    [
        ("E-9,Zoe,Zhou,North A,2024-13-01,1", "hire_date", "not a date"),
        ("E-9,Zoe,Zhou,North A,2024-01-01,lots", "annual_quota", "not a number"),
        ("E-9,Zoe,Zhou,Atlantis,2024-01-01,1", "team", "no Relay team"),
        ("E-1,Zoe,Zhou,North A,2024-01-01,1", "employee_id", "duplicate id: also on row 2"),
    ],
)
def test_row_problems_reject_the_row_and_refuse_the_apply(
    admin_user, existing, row, column, reason
):
    content = (PEOPLE_HEADER + "E-1,Wei,Li,North A,2021-04-01,500000\n" + row + "\n").encode()

    job = check_then_apply(admin_user, "people.csv", content)

    assert job.status == ImportJob.Status.REFUSED
    assert "1 row was rejected" in job.message
    [issue] = [issue for issue in job.issues if issue["outcome"] == "rejected"]
    assert (issue["row"], issue["column"]) == (3, column)
    assert reason in issue["reason"]
    assert snapshot() == existing


def test_file_over_the_configured_limit_is_refused_and_not_stored(admin_user, existing, settings):
    settings.RELAY_IMPORT_MAX_BYTES = 100
    content = (PEOPLE_HEADER + "E-1,Wei,Li,North A,2021-04-01,500000\n" * 5).encode()

    job = check_then_apply(admin_user, "people.csv", content)

    assert job.status == ImportJob.Status.REFUSED
    assert "over the limit of 100 bytes" in job.message
    assert job.files == []
    assert snapshot() == existing


def test_refused_zip_changes_nothing_even_when_earlier_files_were_fine(
    admin_user, existing, tmp_path, team_north_a
):
    import zipfile

    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(SALESFORCE / "Account.csv", "Account.csv")
        zipped.writestr(
            "Opportunity.csv",
            "Id,AccountId,StageName,Amount,CloseDate\n"
            "006X,001Ec00000GGw3hIAD,Prospecting,abc,2024-01-01\n",
        )

    job = check_then_apply(admin_user, "export.zip", archive.read_bytes())

    assert job.status == ImportJob.Status.REFUSED
    assert job.issues[-1]["column"] == "Amount"
    assert snapshot() == existing


def test_every_import_is_recorded_with_who_what_and_outcome(admin_user, existing):
    check_then_apply(admin_user, "report.pdf", b"%PDF-1.7")

    job = ImportJob.objects.get()
    assert (job.created_by, job.file_name, job.status) == (
        admin_user,
        "report.pdf",
        ImportJob.Status.REFUSED,
    )
