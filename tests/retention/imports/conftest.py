"""Helpers for import tests: run an import the way the command does, and photograph the data."""

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest

from accounts.models import User
from retention.imports.columnar import convert_chunk, read_columnar
from retention.imports.kinds import KINDS, Row, default_mapping
from retention.imports.lookups import ImportContext, Options
from retention.imports.readers import csv_table
from retention.imports.services import import_job_create_from_paths, import_job_run
from retention.models import (
    Activity,
    Assignment,
    Customer,
    Deal,
    ImportJob,
    LeaveRecord,
    SalesRep,
    ServiceRecord,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SALESFORCE = FIXTURES / "salesforce"
HUBSPOT = FIXTURES / "hubspot"


def run_import(
    *paths: Path,
    apply: bool = True,
    user: User | None = None,
    source: str = "auto",
    **options,
) -> ImportJob:
    job = import_job_create_from_paths(
        paths=list(paths), source=source, options=Options(**options), apply=apply, user=user
    )
    return import_job_run(job_id=job.pk)


def rows_each_way(path: Path, kind_name: str, today: dt.date) -> tuple[int, int]:
    """(rows the vectorised checks pass, rows left to the per-row converter) in one file of
    kind ``kind_name``, read by the column path with the lookups as they stand."""
    table = csv_table(path.name, lambda: path.open("rb"))
    kind = KINDS[kind_name]
    mapping = default_mapping(kind, table.header)
    row = Row({key: table.header.index(column) for key, column in mapping.items()}, mapping)
    ctx = ImportContext(options=Options(), today=today, tz=dt.UTC, user=None)
    read = read_columnar(table)
    fast = slow = 0
    for frame, numbers in read.batches(1000):
        converted = convert_chunk(kind, frame, numbers, row, ctx, "is_deleted", read.chars)
        fast, slow = fast + converted.records.height, slow + len(converted.slow)
    read.close()
    return fast, slow


def snapshot() -> dict:
    """Everything an import may write, as plain values, to compare before and after."""
    models = {
        "reps": SalesRep,
        "customers": Customer,
        "assignments": Assignment,
        "deals": Deal,
        "activities": Activity,
        "service": ServiceRecord,
        "leave": LeaveRecord,
    }
    return {name: sorted(map(repr, model.objects.values_list())) for name, model in models.items()}


# What an import stores of an activity, by natural keys (rep and customer by their CRM ids, not
# Relay's row ids), so two imports into different databases or transactions compare equal.
ACTIVITY_FIELDS = (
    "source",
    "external_id",
    "rep__crm_user_id",
    "customer__external_id",
    "kind",
    "occurred_at",
    "duration_minutes",
    "subject",
    "is_internal",
    "todo_status",
    "due_date",
    "is_deleted",
)


def stored_activities() -> list[tuple]:
    """The stored activities as ACTIVITY_FIELDS, sorted."""
    return sorted(Activity.objects.values_list(*ACTIVITY_FIELDS))


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def make_zip(target: Path, files: list[Path]) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, arcname=f"export/{path.name}")
    return target


@pytest.fixture
def sf_dir(tmp_path) -> Path:
    """A writable copy of the Salesforce fixtures, for tests that edit a file."""
    target = tmp_path / "salesforce"
    shutil.copytree(SALESFORCE, target)
    return target


@pytest.fixture
def eager_celery(settings):
    """Tasks queued on commit run at once, in this process (tests about pages and the API)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
