"""Bulk-load mode (retention/imports/bulkload.py): a load at least twice the activity table drops
the table's secondary indexes and foreign keys and rebuilds them from their catalog definitions,
inside the import's transaction. A small threshold makes the sample export large enough."""

import contextlib
import csv
import datetime as dt
import io

import psycopg
import pytest
import time_machine
from django.db import connection, transaction

from retention.imports import bulkload
from retention.imports.bulkload import bulk_load_wanted
from retention.models import Activity, ImportJob
from tests.retention.imports.conftest import run_import, snapshot, stored_activities
from tests.retention.imports.test_columnar import FROZEN, _export, _Undo

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _catalog() -> dict:
    """retention_activity's indexes and constraints: definitions, and the oids that a rebuild
    changes (the same definition under a new oid means it was dropped and made again)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid), indexrelid "
            "FROM pg_index WHERE indrelid = 'retention_activity'::regclass"
        )
        indexes = {name: (definition, oid) for name, definition, oid in cursor.fetchall()}
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated, oid FROM pg_constraint "
            "WHERE conrelid = 'retention_activity'::regclass"
        )
        constraints = {
            name: (definition, valid, oid) for name, definition, valid, oid in cursor.fetchall()
        }
    return {"indexes": indexes, "constraints": constraints}


def _definitions(catalog: dict) -> dict:
    return {
        "indexes": {name: value[0] for name, value in catalog["indexes"].items()},
        "constraints": {name: value[:2] for name, value in catalog["constraints"].items()},
    }


def _rebuilt(before: dict, after: dict) -> set[str]:
    """The indexes and constraints whose oid changed."""
    return {
        name
        for group in ("indexes", "constraints")
        for name in before[group]
        if before[group][name][-1] != after[group][name][-1]
    }




def _import_and_photograph(paths, team_id: int, *, apply: bool = True) -> dict:
    photo: dict = {"before": _catalog()}
    with contextlib.suppress(_Undo), transaction.atomic():
        job = run_import(*paths, default_team_id=team_id, skip_rejected=True, apply=apply)
        photo["status"], photo["message"], photo["counts"] = job.status, job.message, job.counts
        photo["after"] = _catalog()
        photo["activities"] = stored_activities()
        raise _Undo
    photo["rolled_back"] = _catalog()
    return photo


# The secondary indexes and foreign keys of retention_activity, as the migrations make them.
SECONDARY = {
    "retention_activity_rep_when",
    "retention_activity_cust_when",
    "retention_activity_open_todo",
}


def _foreign_keys(catalog: dict) -> set[str]:
    return {
        name
        for name, (definition, _valid, _oid) in catalog["constraints"].items()
        if definition.startswith("FOREIGN KEY")
    }


@time_machine.travel(FROZEN, tick=False)
def test_a_bulk_import_stores_what_a_normal_one_does_and_rebuilds_exactly_what_it_dropped(
    tmp_path, settings, team_north_a
):
    paths = _export(tmp_path)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 0  # off
    normal = _import_and_photograph(paths, team_north_a.pk)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 1
    bulk = _import_and_photograph(paths, team_north_a.pk)

    assert normal["status"] == bulk["status"] == ImportJob.Status.APPLIED
    assert len(bulk["activities"]) > 100
    assert bulk["activities"] == normal["activities"]
    assert bulk["counts"] == normal["counts"]
    # The same definitions, every constraint validated, ...
    assert _definitions(bulk["after"]) == _definitions(bulk["before"])
    assert all(valid for _d, valid, _oid in bulk["after"]["constraints"].values())
    # ... and what was rebuilt is exactly the secondary indexes and the two foreign keys.
    assert len(_foreign_keys(bulk["before"])) == 2
    assert _rebuilt(bulk["before"], bulk["after"]) == SECONDARY | _foreign_keys(bulk["before"])
    assert _rebuilt(normal["before"], normal["after"]) == set()


@time_machine.travel(FROZEN, tick=False)
def test_below_the_threshold_nothing_is_dropped(tmp_path, settings, team_north_a):
    paths = _export(tmp_path)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 1_000_000
    photo = _import_and_photograph(paths, team_north_a.pk)

    assert photo["status"] == ImportJob.Status.APPLIED
    assert photo["activities"]
    assert _rebuilt(photo["before"], photo["after"]) == set()


@time_machine.travel(FROZEN, tick=False)
def test_a_table_holding_more_than_the_load_is_not_bulk_loaded(tmp_path, settings, team_north_a):
    paths = _export(tmp_path)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 1
    with contextlib.suppress(_Undo), transaction.atomic():
        first = run_import(*paths, default_team_id=team_north_a.pk, skip_rejected=True)
        assert first.status == ImportJob.Status.APPLIED
        held = Activity.objects.count()
        # Only the Event file again, far fewer rows than the table holds.
        before = _catalog()
        again = run_import(paths[3], skip_rejected=True)
        assert again.status == ImportJob.Status.APPLIED
        assert Activity.objects.count() == held
        assert _rebuilt(before, _catalog()) == set()
        raise _Undo


@time_machine.travel(FROZEN, tick=False)
def test_a_dry_run_leaves_indexes_constraints_and_data_as_they_were(
    tmp_path, settings, team_north_a
):
    paths = _export(tmp_path)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 1
    existing = snapshot()
    photo = _import_and_photograph(paths, team_north_a.pk, apply=False)

    assert photo["status"] == ImportJob.Status.CHECKED
    assert photo["counts"]["total"]["created"] > 100
    assert photo["after"] == photo["before"]
    assert snapshot() == existing


_TRIGGER = """
CREATE FUNCTION relay_test_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.external_id = '{key}' THEN
        {action};
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER relay_test_activity BEFORE INSERT ON retention_activity
    FOR EACH ROW EXECUTE FUNCTION relay_test_activity();
"""


def _second_row_key(paths) -> str:
    """The Id of the Task file's second data row: written in the first chunk."""
    rows = list(csv.DictReader(io.StringIO(paths[2].read_text(encoding="utf-8-sig"))))
    return rows[1]["Id"]


@pytest.mark.parametrize(
    "action,status,message",
    [
        # The row arrives pointing at a rep that does not exist: with the foreign key dropped
        # the COPY takes it, and re-adding the key finds it.
        (
            "NEW.rep_id := -1",
            ImportJob.Status.REFUSED,
            "some activities refer to a rep or customer that does not exist",
        ),
        # An error in the middle of the load, while the indexes are dropped.
        # (The COPY's own error, as any failed COPY ends: the job fails, nothing is written.)
        (
            "RAISE EXCEPTION 'relay test: refused mid-batch'",
            ImportJob.Status.FAILED,
            "relay test: refused mid-batch",
        ),
    ],
)
@time_machine.travel(FROZEN, tick=False)
def test_a_failure_in_the_load_rolls_everything_back(
    tmp_path, settings, team_north_a, action, status, message
):
    paths = _export(tmp_path)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 1
    key = _second_row_key(paths)
    assert key.isalnum()
    with connection.cursor() as cursor:
        cursor.execute(_TRIGGER.format(action=action, key=key))
    existing = snapshot()
    photo = _import_and_photograph(paths, team_north_a.pk)

    assert photo["status"] == status, photo["message"]
    assert message in photo["message"], photo["message"]
    assert photo["after"] == photo["before"]
    assert snapshot() == existing


def test_only_a_load_at_least_twice_the_table_is_wanted(settings, rep_a):
    """A reload of a full export (about as large as the table) writes through the indexes: the
    mode's locks are for a first import, where nobody has anything to read yet."""
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 1
    assert bulk_load_wanted(1)  # an empty table
    when = dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC)
    Activity.objects.bulk_create(
        Activity(rep=rep_a, kind=Activity.Kind.CALL, occurred_at=when) for _ in range(3)
    )
    assert bulk_load_wanted(6)
    assert not bulk_load_wanted(5)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 7
    assert not bulk_load_wanted(6)


@time_machine.travel(FROZEN, tick=False)
def test_a_reader_holding_the_table_past_the_lock_timeout_makes_a_normal_load(
    tmp_path, settings, team_north_a, monkeypatch
):
    """A scoring run reading activities holds a lock the drops must wait for: past the timeout
    the import loads through the indexes instead of making every page queue behind it."""
    paths = _export(tmp_path)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 1
    monkeypatch.setattr(bulkload, "LOCK_TIMEOUT", "200ms")
    params = connection.get_connection_params()
    with psycopg.connect(**params) as reader:
        reader.execute("SELECT 1 FROM retention_activity LIMIT 1")  # holds ACCESS SHARE
        photo = _import_and_photograph(paths, team_north_a.pk)
        reader.rollback()
    assert photo["status"] == ImportJob.Status.APPLIED, photo["message"]
    assert _rebuilt(photo["before"], photo["after"]) == set()
    assert _definitions(photo["after"]) == _definitions(photo["before"])
    assert photo["activities"]
