"""A second import over stored activities: the column path (COPY into the staging table,
then INSERT … ON CONFLICT) updates and keeps exactly what the per-row path does."""

import contextlib
import csv
import io
from pathlib import Path

import polars as pl
import pytest
import time_machine
from django.db import connection, transaction

from retention.imports.writers import SPECS, Counts, array_literal, upsert_csv
from retention.models import Activity
from tests.retention.imports.conftest import run_import, stored_activities
from tests.retention.imports.test_columnar import FROZEN, _export, _Undo

pytestmark = pytest.mark.django_db


def _changed(paths: list[Path], folder: Path) -> list[Path]:
    """The export again, with every third activity's subject and every fifth one's date
    changed, so the second import has rows to update and rows to leave as they are."""
    folder.mkdir()
    changed = []
    for path in paths:
        target = folder / path.name
        text = path.read_text(encoding="utf-8-sig")
        if path.name in ("Task.csv", "Event.csv"):
            rows = list(csv.reader(io.StringIO(text)))
            header = rows[0]
            for number, row in enumerate(rows[1:]):
                if len(row) != len(header):
                    continue
                if number % 3 == 0 and "Subject" in header:
                    row[header.index("Subject")] += " (again)"
                if number % 5 == 0 and "ActivityDate" in header:
                    row[header.index("ActivityDate")] = "2024-03-15"
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            text = out.getvalue()
        target.write_bytes(text.encode("utf-8-sig"))
        changed.append(target)
    return changed


def _import_twice(first: list[Path] | None, second: list[Path], team_id: int) -> dict:
    """Import ``first`` (unless None), then ``second``; note what the second stored and said."""
    photo: dict = {}
    with contextlib.suppress(_Undo), transaction.atomic():
        if first is not None:
            run_import(*first, default_team_id=team_id, skip_rejected=True)
        job = run_import(*second, default_team_id=team_id, skip_rejected=True)
        photo["status"] = job.status
        photo["counts"] = job.counts
        photo["activities"] = stored_activities()
        raise _Undo
    return photo


@pytest.mark.postgres
@time_machine.travel(FROZEN, tick=False)
def test_a_changed_export_imported_again_updates_what_the_row_path_updates(
    tmp_path, settings, team_north_a
):
    paths = _export(tmp_path)
    again = _changed(paths, tmp_path / "again")

    settings.RELAY_IMPORT_COLUMNAR = True
    columns = _import_twice(paths, again, team_north_a.pk)
    settings.RELAY_IMPORT_COLUMNAR = False
    rows = _import_twice(paths, again, team_north_a.pk)

    fresh = _import_twice(None, again, team_north_a.pk)

    assert columns["status"] == "applied"
    tasks = next(file for file in columns["counts"]["files"] if file["name"] == "Task.csv")
    assert tasks["updated"] > 10 and tasks["unchanged"] > 10
    assert columns["counts"] == rows["counts"]
    assert columns["activities"] == rows["activities"]
    # What the second import leaves is what importing the changed export alone stores.
    assert columns["activities"] == fresh["activities"]
    fresh_tasks = next(file for file in fresh["counts"]["files"] if file["name"] == "Task.csv")
    assert tasks["updated"] + tasks["unchanged"] == fresh_tasks["created"]


@pytest.mark.postgres
def test_the_stored_id_probe_reads_the_index_once_when_the_statistics_say_the_table_is_empty(
    rep_a,
):
    """After a mass delete, VACUUM can leave the table's statistics at no rows over thousands
    of pages (seen on the bench: 0 rows, 10,758 pages, then a load). Planned on them, the probe
    joined its id bounds to every stored row of the source and computed them again for each:
    13 minutes for a 100,000-id chunk over 200,000 rows. Here 40,000 over 40,000."""
    count = 40_000
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("setting the table's statistics needs a superuser")
        cursor.execute(
            "INSERT INTO retention_activity (kind, occurred_at, duration_minutes, subject, "
            "source, external_id, rep_id, is_deleted, is_internal, todo_status) "
            "SELECT 'call', now(), 0, '', 'salesforce', 'T' || lpad(n::text, 8, '0'), %s, "
            "false, false, '' FROM generate_series(1, %s) AS n",
            [rep_a.pk, count],
        )
        # What VACUUM left on the bench, for the table and its indexes (rolled back with the
        # test's transaction).
        cursor.execute(
            "UPDATE pg_class SET reltuples = 0, relpages = 10000 WHERE oid = "
            "'retention_activity'::regclass OR oid IN (SELECT indexrelid FROM pg_index "
            "WHERE indrelid = 'retention_activity'::regclass)"
        )
        cursor.execute("SET LOCAL statement_timeout = '10s'")
    ids = [f"U{number:08d}" for number in range(count)]  # new, after every stored id
    data = "".join(
        f'"salesforce","{key}",{rep_a.pk},\\N,"call","2024-03-01 09:00:00+00",0,"",'
        f'false,"",\\N,false\n'
        for key in ids
    ).encode()

    counts = upsert_csv(
        SPECS["activities"], data, count, source="salesforce", keys=array_literal(pl.Series(ids))
    )

    assert counts == Counts(created=count)
    assert Activity.objects.filter(source="salesforce").count() == 2 * count
