"""Bulk-load mode (retention/imports/bulkload.py): a load at least twice the activity table drops
the table's indexes (primary key included) and foreign keys and rebuilds them from their catalog
definitions, inside the import's transaction. A small threshold makes the sample export large
enough."""

import contextlib
import csv
import datetime as dt
import io
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.db import connection, transaction
from django.test import override_settings

from retention.imports import bulkload, writers
from retention.imports.bulkload import bulk_load_wanted
from retention.models import Activity, ImportJob
from tests.retention.imports.conftest import run_import, snapshot, stored_activities
from tests.retention.imports.test_columnar import FROZEN, _export, _Undo
from tests.retention.imports.test_columnar_reimport import _changed

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
# Its primary key (an index and a constraint of that name) and the upsert's unique index.
KEYS = {"retention_activity_pkey", "retention_activity_unique_external_id"}


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
    # ... and what was rebuilt is exactly every index, the primary key and the two foreign keys.
    assert len(_foreign_keys(bulk["before"])) == 2
    assert _rebuilt(bulk["before"], bulk["after"]) == (
        SECONDARY | KEYS | _foreign_keys(bulk["before"])
    )
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
    tmp_path, settings, team_north_a, monkeypatch
):
    paths = _export(tmp_path)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 1
    existing = snapshot()
    # Which of the primary key and the unique index stood when they were to be rebuilt.
    standing = []
    restore = bulkload.Keys.restore

    def watched(self, cursor):
        if not self.restored:
            standing.append(set(_catalog()["indexes"]) & KEYS)
        restore(self, cursor)

    monkeypatch.setattr(bulkload.Keys, "restore", watched)
    photo = _import_and_photograph(paths, team_north_a.pk, apply=False)

    assert photo["status"] == ImportJob.Status.CHECKED
    assert photo["counts"]["total"]["created"] > 100
    assert standing == [set()]  # the check ran without either, rebuilt them once at the end
    assert photo["after"] == photo["before"]  # and its rollback brought the originals back
    assert snapshot() == existing


def _rewrite(source: Path, target: Path, edit) -> Path:
    """``source``'s rows (dicts by column) through ``edit``, written as Salesforce does."""
    text = source.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    rows = edit(list(reader))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(out.getvalue().encode("utf-8-sig"))
    return target


def _twice(first: list[Path], second: list[Path], team_id: int, *, bulk: bool) -> dict:
    """Import ``first``, then ``second`` (in bulk-load mode or not); photograph the second."""
    photo: dict = {}
    with contextlib.suppress(_Undo), transaction.atomic():
        with override_settings(RELAY_IMPORT_BULK_MIN_ROWS=0):
            done = run_import(*first, default_team_id=team_id, skip_rejected=True)
        assert done.status == ImportJob.Status.APPLIED, done.message
        photo["held"] = Activity.objects.count()
        photo["before"] = _catalog()
        with override_settings(RELAY_IMPORT_BULK_MIN_ROWS=1 if bulk else 0):
            job = run_import(*second, default_team_id=team_id, skip_rejected=True)
        photo["status"], photo["message"], photo["counts"] = job.status, job.message, job.counts
        photo["after"] = _catalog()
        photo["activities"] = stored_activities()
        raise _Undo
    return photo


def _file_counts(photo: dict, name: str) -> dict:
    return next(file for file in photo["counts"]["files"] if file["name"] == name)


@time_machine.travel(FROZEN, tick=False)
def test_a_bulk_import_over_partly_stored_ids_upserts_what_a_normal_one_does(
    tmp_path, team_north_a
):
    """Some of the load's ids are stored: the primary key and unique index come back for the
    upsert as soon as a chunk names one, and the rows, created, updated, unchanged and deleted,
    are those of a load through the indexes."""
    paths = _export(tmp_path)
    # First a fifth of the tasks; then the whole export, a third of those changed, and two
    # of them deleted in the CRM since.
    first = [*paths[:2], _rewrite(paths[2], tmp_path / "first" / "Task.csv", lambda r: r[:20])]
    again = _changed(paths, tmp_path / "again")

    def delete_two(rows):
        for row in rows[3:5]:
            row["IsDeleted"] = "true"
        return rows

    again[2] = _rewrite(again[2], again[2], delete_two)
    normal = _twice(first, again, team_north_a.pk, bulk=False)
    bulk = _twice(first, again, team_north_a.pk, bulk=True)

    assert bulk["status"] == normal["status"] == ImportJob.Status.APPLIED, bulk["message"]
    tasks = _file_counts(bulk, "Task.csv")
    assert tasks["updated"] >= 3 and tasks["unchanged"] >= 3 and tasks["created"] > 50
    assert tasks["deleted"] == 2
    assert bulk["counts"] == normal["counts"]
    assert bulk["activities"] == normal["activities"]
    # The second import was a bulk load (the table held under half of it), the first was not.
    assert 0 < bulk["held"] * 2 <= bulk["counts"]["total"]["rows"]
    assert _rebuilt(bulk["before"], bulk["after"]) >= SECONDARY | KEYS
    assert _rebuilt(normal["before"], normal["after"]) == set()
    assert _definitions(bulk["after"]) == _definitions(bulk["before"])


@time_machine.travel(FROZEN, tick=False)
def test_stored_ids_the_load_does_not_repeat_need_no_index(tmp_path, team_north_a, monkeypatch):
    """Events are stored and the tasks are new: every chunk is copied straight into the table,
    none staged for an upsert, and the keys are rebuilt only at the end."""
    paths = _export(tmp_path)
    staged = []
    upsert_staged = writers._upsert_staged

    def watched(spec, *args, **kwargs):
        if spec.model is Activity:
            staged.append(spec)
        return upsert_staged(spec, *args, **kwargs)

    monkeypatch.setattr(writers, "_upsert_staged", watched)
    events, tasks = [*paths[:2], paths[3]], paths[:3]
    normal = _twice(events, tasks, team_north_a.pk, bulk=False)
    staged_normally = len(staged)
    staged.clear()
    bulk = _twice(events, tasks, team_north_a.pk, bulk=True)

    assert bulk["status"] == ImportJob.Status.APPLIED, bulk["message"]
    assert bulk["held"] >= 3
    assert bulk["counts"] == normal["counts"]
    assert bulk["activities"] == normal["activities"]
    assert _rebuilt(bulk["before"], bulk["after"]) >= SECONDARY | KEYS
    assert staged_normally >= 1  # the per-row path's records go through the upsert's staging
    assert staged == []


@time_machine.travel(FROZEN, tick=False)
def test_an_id_written_by_an_earlier_file_of_the_load_is_upserted_as_a_normal_load_does(
    tmp_path, settings, team_north_a
):
    """Within one file the pipeline rejects a repeated id; across the files of one load the
    second is an update, with or without the unique index."""
    paths = _export(tmp_path)
    task_id = "00TEc00000Co1WiMAJ"  # the sample's second task

    def add_event(rows):
        return [*rows, {**rows[0], "Id": task_id, "Subject": "Same id as a task"}]

    _rewrite(paths[3], paths[3], add_event)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 0
    normal = _import_and_photograph(paths, team_north_a.pk)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 1
    bulk = _import_and_photograph(paths, team_north_a.pk)

    assert bulk["status"] == ImportJob.Status.APPLIED, bulk["message"]
    events = next(file for file in bulk["counts"]["files"] if file["name"] == "Event.csv")
    assert events["updated"] == 1
    assert bulk["counts"] == normal["counts"]
    assert bulk["activities"] == normal["activities"]
    assert [row[7] for row in bulk["activities"] if row[1] == task_id] == ["Same id as a task"]
    assert _rebuilt(bulk["before"], bulk["after"]) >= SECONDARY | KEYS


@time_machine.travel(FROZEN, tick=False)
def test_after_a_bulk_import_a_new_activity_still_gets_its_id_from_the_table(
    tmp_path, settings, team_north_a, rep_a
):
    paths = _export(tmp_path)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 1
    with contextlib.suppress(_Undo), transaction.atomic():
        job = run_import(*paths, default_team_id=team_north_a.pk, skip_rejected=True)
        assert job.status == ImportJob.Status.APPLIED, job.message
        highest = max(Activity.objects.values_list("id", flat=True))
        added = Activity.objects.create(
            rep=rep_a, kind=Activity.Kind.CALL, occurred_at=FROZEN, source="relay"
        )
        assert added.pk > highest
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT is_identity, is_nullable FROM information_schema.columns "
                "WHERE table_name = 'retention_activity' AND column_name = 'id'"
            )
            assert cursor.fetchone() == ("YES", "NO")
        raise _Undo


@time_machine.travel(FROZEN, tick=False)
def test_a_foreign_key_of_another_table_to_activities_is_dropped_and_added_again(
    tmp_path, settings, team_north_a, rep_a
):
    """Nothing in Relay points at an activity today; should something (a note, a follow-up),
    the primary key's drop takes its foreign key with it, and the rebuild adds it back."""
    paths = _export(tmp_path)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 1
    held = Activity.objects.create(rep=rep_a, kind=Activity.Kind.CALL, occurred_at=FROZEN)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE relay_test_note (id bigint PRIMARY KEY, activity_id bigint NOT NULL "
            "CONSTRAINT relay_test_note_activity REFERENCES retention_activity (id))"
        )
        cursor.execute("INSERT INTO relay_test_note VALUES (1, %s)", [held.pk])

    def note_key() -> tuple:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_constraintdef(oid), convalidated, oid FROM pg_constraint "
                "WHERE conname = 'relay_test_note_activity'"
            )
            return cursor.fetchone()

    photo: dict = {"key": note_key()}
    with contextlib.suppress(_Undo), transaction.atomic():
        job = run_import(*paths, default_team_id=team_north_a.pk, skip_rejected=True)
        photo["status"], photo["message"], photo["key_after"] = job.status, job.message, note_key()
        raise _Undo

    assert photo["status"] == ImportJob.Status.APPLIED, photo["message"]
    definition, valid, oid = photo["key_after"]
    assert (definition, valid) == photo["key"][:2]
    assert valid and oid != photo["key"][2]  # dropped with the primary key, added again


@pytest.mark.parametrize(
    "action,detail",
    [
        # The second row arrives with the first row's id: the unique index would refuse it.
        ("NEW.external_id := '{first}'", "(source, external_id)=(salesforce, {first})"),
        # ... or with the first row's primary key.
        ("NEW.id := (SELECT min(id) FROM retention_activity)", "Key (id)="),
    ],
)
@time_machine.travel(FROZEN, tick=False)
def test_two_rows_with_one_key_refuse_the_import_when_the_keys_are_rebuilt(
    tmp_path, settings, team_north_a, action, detail
):
    paths = _export(tmp_path)
    settings.RELAY_IMPORT_BULK_MIN_ROWS = 1
    rows = list(csv.DictReader(io.StringIO(paths[2].read_text(encoding="utf-8-sig"))))
    first, second = rows[0]["Id"], rows[1]["Id"]
    with connection.cursor() as cursor:
        cursor.execute(_TRIGGER.format(action=action.format(first=first), key=second))
    existing = snapshot()
    photo = _import_and_photograph(paths, team_north_a.pk)

    assert photo["status"] == ImportJob.Status.REFUSED, photo["message"]
    assert "two activities have the same key" in photo["message"], photo["message"]
    assert detail.format(first=first) in photo["message"], photo["message"]
    assert "nothing was imported" in photo["message"]
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
        # An error in the middle of the load, while the indexes are dropped: the database's
        # refusal, reported as such (the COPY's error goes through Django's error wrapping).
        (
            "RAISE EXCEPTION 'relay test: refused mid-batch'",
            ImportJob.Status.REFUSED,
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
