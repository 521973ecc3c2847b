"""A second import over stored activities: the column path (COPY into the staging table,
then INSERT … ON CONFLICT) updates and keeps exactly what the per-row path does."""

import contextlib
import csv
import io
from pathlib import Path

import pytest
import time_machine
from django.db import transaction

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
