"""The column-at-a-time path (PostgreSQL) imports exactly what the per-row path (SQLite) does.

A small export whose Task.csv and Event.csv hold, beside the sample rows, the rows that test
every check: bad and odd ids, owners and accounts, every date form, numbers, yes/no values,
duplicates, deleted rows, quoted text with line breaks. Imported once each way, the stored
activities, the counts and the report (every row's outcome and reason, in order) are equal.
"""

import contextlib
import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import polars as pl
import pytest
import time_machine
from django.db import transaction

from retention.imports import pipeline
from retention.imports.columnar import _moments, read_columnar
from retention.imports.errors import RowError
from retention.imports.readers import csv_table
from retention.imports.services import report_path
from retention.imports.values import parse_datetime
from tests.retention.imports.conftest import (
    SALESFORCE,
    rows_each_way,
    run_import,
    stored_activities,
)

pytestmark = pytest.mark.django_db
FROZEN = dt.datetime(2024, 4, 2, 9, 0, tzinfo=dt.UTC)
_KIND_OF = {"Task.csv": "salesforce.task", "Event.csv": "salesforce.event"}
REP = "005Ec000004oBPNIA2"
ACCOUNT = "001Ec00000GGw40IAD"


def _with_rows(source: Path, target: Path, rows: list[dict[str, str]]) -> Path:
    """The sample file with ``rows`` appended (by column name), written as Salesforce does."""
    text = source.read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    target.write_bytes((text.rstrip("\n") + "\n" + out.getvalue()).encode("utf-8-sig"))
    return target


def _task(number: int, **cells: str) -> dict[str, str]:
    row = {
        "Id": f"00TEDGE{number:011d}",
        "OwnerId": REP,
        "AccountId": ACCOUNT,
        "Subject": f"Edge {number}",
        "ActivityDate": "2024-03-01",
        "Status": "Completed",
        "IsClosed": "true",
        "IsDeleted": "false",
        "CreatedDate": "2024-03-01T10:00:00.000+0000",
        "TaskSubtype": "Call",
        "CallDurationInSeconds": "65",
    }
    row.update(cells)
    return row


TASK_EDGES = [
    _task(1, Id="00TEc00000Co1WhMAJ"),  # the sample's first id again: a duplicate
    _task(2, Id=""),
    _task(3, Id="x" * 70),
    _task(4, OwnerId=""),
    _task(5, OwnerId="005XXXXXXXXXXXXXXX"),
    _task(6, OwnerId="wei.li@example.com"),  # the rep's e-mail: the per-row lookup finds them
    _task(7, AccountId="001XXXXXXXXXXXXXXX"),  # unknown: flagged, kept without a customer
    _task(8, AccountId="000000000000000AAA"),
    _task(9, AccountId=f"{ACCOUNT};001XXXXXXXXXXXXXXX"),
    _task(10, AccountId="", WhatId=ACCOUNT),
    _task(11, AccountId="", WhatId="001XXXXXXXXXXXXXXX"),
    _task(12, ActivityDate="03/31/2024"),
    _task(13, ActivityDate="2024-02-30"),
    _task(14, ActivityDate="31.03.2024"),
    _task(15, ActivityDate="", CreatedDate="2024-01-23 17:50"),
    _task(16, ActivityDate="", CreatedDate="2024-01-23T17:50:51Z"),
    _task(17, ActivityDate="", CreatedDate="2024-01-23T23:50:51.123456+05:30"),
    _task(18, ActivityDate="", CreatedDate="soon"),
    _task(19, ActivityDate="", CreatedDate=""),
    _task(20, Status="Not Started", IsClosed="false", ActivityDate="2024-05-01"),
    _task(21, CallDurationInSeconds="-5"),
    _task(22, CallDurationInSeconds="1,200"),
    _task(23, CallDurationInSeconds="9999999999"),
    _task(24, IsClosed="maybe"),
    _task(25, IsClosed="是", Status=""),
    _task(26, IsClosed="", Status=""),
    _task(27, IsDeleted="true", Id="00TNEVERIMPORTED01"),
    _task(28, IsDeleted="true", Id="00TNEVERIMPORTED01"),
    _task(29, Subject='He said "no", then\nhung up'),
    _task(30, Subject="\\N"),
    _task(31, Subject="y" * 300),
    _task(32, Subject="  padded  ", Id="  00TEDGEPADDED0001  "),
    _task(33, Subject="\x1cseparated\x1c"),
    _task(34, Id="00TEDGEDUP00000001", ActivityDate="03/15/2024"),  # first, on the row path
    _task(35, Id="00TEDGEDUP00000001"),  # then again
    _task(36, TaskSubtype="", Type="Email"),
    _task(37, TaskSubtype="Webinar"),
    _task(38, IsDeleted="maybe"),
    _task(39, CompletedDateTime="2024-03-02T08:00:00.000+0000"),
    {"Subject": "   "},  # only spaces: not a row
    _task(40),
]
EVENT_EDGES = [
    {
        "Id": "00UEDGE00000000001",
        "OwnerId": REP,
        "Type": "Other",
        "ActivityDateTime": "2024-03-04T09:00:00.000+0000",
        "DurationInMinutes": "30",
        "AccountId": ACCOUNT,
    },
    {"Id": "00UEDGE00000000002", "OwnerId": REP, "StartDateTime": "2024-03-05T09:00:00.000+0000"},
    {"Id": "00UEDGE00000000003", "OwnerId": REP, "ActivityDate": "2024-03-06", "Type": "Task"},
    {"Id": "00UEDGE00000000004", "OwnerId": REP, "DurationInMinutes": "abc"},
    {"Id": "00UEDGE00000000005", "OwnerId": REP, "ActivityDate": "2024-03-07", "WhoId": "003X"},
    {"Id": "00UEDGE00000000006", "OwnerId": REP},
    {"Id": "00UEDGE00000000007", "OwnerId": REP, "ActivityDateTime": "2024-03-08 14:00"},
]


def _export(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "export"
    folder.mkdir()
    for name in ("User.csv", "Account.csv"):
        shutil.copy(SALESFORCE / name, folder / name)
    return [
        folder / "User.csv",
        folder / "Account.csv",
        _with_rows(SALESFORCE / "Task.csv", folder / "Task.csv", TASK_EDGES),
        _with_rows(SALESFORCE / "Event.csv", folder / "Event.csv", EVENT_EDGES),
    ]


class _Undo(Exception):
    pass


def _import_and_photograph(paths: list[Path], team_id: int) -> dict:
    """Apply the export, note what it stored and said, then roll everything back."""
    photo: dict = {}
    with contextlib.suppress(_Undo), transaction.atomic():
        job = run_import(*paths, default_team_id=team_id, skip_rejected=True)
        photo["each_way"] = {
            path.name: rows_each_way(path, _KIND_OF[path.name], FROZEN.date()) for path in paths[2:]
        }
        photo["status"] = job.status
        photo["counts"] = job.counts
        photo["report"] = report_path(job).read_text(encoding="utf-8-sig")
        photo["activities"] = stored_activities()
        raise _Undo
    return photo


@pytest.mark.postgres
# Chunks of 9 rows: duplicates and deleted rows whose first row is in an earlier chunk.
@pytest.mark.parametrize("chunk", [None, 9])
@time_machine.travel(FROZEN, tick=False)
def test_the_column_path_stores_and_reports_exactly_what_the_row_path_does(
    tmp_path, settings, monkeypatch, team_north_a, chunk
):
    if chunk is not None:
        monkeypatch.setattr(pipeline, "_COLUMNAR_CHUNK", chunk)
    paths = _export(tmp_path)
    for path in paths[2:]:
        table = csv_table(path.name, lambda path=path: path.open("rb"))
        assert read_columnar(table) is not None, f"{path.name} would not take the column path"

    settings.RELAY_IMPORT_COLUMNAR = True
    columns = _import_and_photograph(paths, team_north_a.pk)
    settings.RELAY_IMPORT_COLUMNAR = False
    rows = _import_and_photograph(paths, team_north_a.pk)

    assert columns["status"] == "applied"
    # Both ways are taken: the sample rows pass the vectorised checks, the edges do not.
    (task_fast, task_slow), (event_fast, event_slow) = columns["each_way"].values()
    assert task_fast >= 75 and task_slow >= 15
    assert event_fast >= 3 and event_slow >= 2
    assert columns["counts"]["total"]["rejected"] >= 10  # the edges did reach the checks
    assert columns["counts"]["total"]["flagged"] >= 1
    assert len(columns["activities"]) > 75
    assert columns["activities"] == rows["activities"]
    assert columns["counts"] == rows["counts"]
    assert columns["report"].splitlines() == rows["report"].splitlines()


def test_rows_are_numbered_as_the_csv_reader_numbers_them(tmp_path):
    path = tmp_path / "Task.csv"
    path.write_bytes(
        b'Id,OwnerId,Subject\r\n00T1,005A,"two\r\nlines"\r\n\r\n00T2,005A,Call\r\n'
        b' , , \r\n00T3,005A,"three\nlines\nhere"\n00T4,005A,x\n'
    )
    table = csv_table(path.name, lambda: path.open("rb"))
    read = read_columnar(table)
    assert read is not None
    numbered = []
    for frame, numbers in read.batches(2):
        blank = frame.select(
            pl.all_horizontal(pl.col(name).str.strip_chars() == "" for name in frame.columns)
        ).to_series()
        numbered += [
            (number, list(cells))
            for number, cells, is_blank in zip(numbers, frame.iter_rows(), blank, strict=True)
            if not is_blank
        ]
    read.close()
    assert not read.path.exists()
    assert numbered == [(number, list(cells)) for number, cells in table.rows()]


def test_a_utf8_file_on_disk_is_read_where_it_is_as_the_csv_reader_reads_it(tmp_path):
    path = tmp_path / "Task.csv"
    text = '"Id","OwnerId","Subject"\r\n00T1,005A,"Café\r\nau lait"\r\n00T2,005A,\ufeff拜访\r\n'
    path.write_bytes(text.encode("utf-8-sig"))
    copied = read_columnar(csv_table(path.name, lambda: path.open("rb")))
    table = csv_table(path.name, lambda: path.open("rb"), path=path)
    read = read_columnar(table)
    assert read is not None and copied is not None
    # Valid UTF-8 is not copied: polars skips the byte-order mark as the CSV reader does.
    assert read.path == path and copied.path != path
    read_rows = [(frame.rows(), numbers.to_list()) for frame, numbers in read.batches(10)]
    copied_rows = [(frame.rows(), numbers.to_list()) for frame, numbers in copied.batches(10)]
    read.close()
    copied.close()
    assert path.exists() and not copied.path.exists()
    expected = list(table.rows())
    assert len(expected) == 2
    assert (
        read_rows
        == copied_rows
        == [
            ([tuple(cells) for _number, cells in expected], [number for number, _cells in expected])
        ]
    )


def test_a_gb18030_file_is_read_column_wise_as_the_csv_reader_reads_it(tmp_path):
    path = tmp_path / "Task.csv"
    path.write_bytes(
        "Id,OwnerId,Subject\n00T1,005A,给张伟打电话\n00T2,005A,拜访客户\n".encode("gb18030")
    )
    table = csv_table(path.name, lambda: path.open("rb"))
    assert table.encoding.label == "GB18030/GBK"
    read = read_columnar(table)
    assert read is not None
    [(frame, numbers)] = list(read.batches(10))
    read.close()
    assert list(zip(numbers, frame.iter_rows(), strict=True)) == [
        (number, tuple(cells)) for number, cells in table.rows()
    ]


def test_a_lossy_or_ragged_file_keeps_the_row_path(tmp_path):
    lossy = tmp_path / "lossy.csv"
    lossy.write_bytes("Id,OwnerId,Subject\n00T1,005A,Caf\u00e9 ok\n".encode() + b"00T2,005A,\xff\n")
    ragged = tmp_path / "ragged.csv"
    ragged.write_bytes(b"Id,OwnerId,Subject\n00T1,005A,Call,extra\n")
    assert read_columnar(csv_table(lossy.name, lambda: lossy.open("rb"))) is None
    assert read_columnar(csv_table(ragged.name, lambda: ragged.open("rb"))) is None


@pytest.mark.parametrize("tz_name", ["UTC", "Europe/Berlin"])
def test_moments_are_read_column_wise_as_the_row_parser_reads_them(tz_name):
    from zoneinfo import ZoneInfo

    tz = dt.UTC if tz_name == "UTC" else ZoneInfo(tz_name)
    samples = [
        "",
        "2024-03-31",
        "2024-03-31T02:30:00",  # no such time in Berlin that night
        "2024-10-27T02:30:00",  # twice in Berlin that night
        "2024-03-31T09:00:00.000+0000",
        "2024-03-31T09:00:00Z",
        "2024-03-31 09:00",
        "2024-03-31T09:00:00.5-03:30",
        "2024-02-30",
        "2024-13-01T00:00:00",
        "2024-03-31T24:00:00",
        "2024-03-31T09:60:00",
        "03/31/2024",
        "2024/03/31",
        "2024-3-1",
        "tomorrow",
        "0000-01-01",  # polars reads year 0; Python and PostgreSQL do not
        "0000-01-01T00:00:00.000+0000",
        "2016-12-31T23:59:60.000+0000",  # a leap second: polars reads it, Python does not
        "2024-03-31T09:00:00.250+0000",
        "2024-03-31T09:00:00.000+0530",
    ]
    # Columns all in Salesforce's form: whole seconds in UTC, and not.
    salesforce = [samples[4], "2024-03-31T23:59:59.000+0000", ""]
    common = ["", "2024-03-31", "2024-03-31T09:00:00.000+0000", "2024-03-31 09:00"]
    assert _moments(pl.DataFrame({"text": common}), pl.col("text"), tz_name)["ok"].all()
    assert _moments(pl.DataFrame({"text": salesforce}), pl.col("text"), tz_name)["ok"].all()
    for column in (
        samples,
        samples[:2],
        samples[4:5] * 3,
        samples[17:18] + samples[4:5],
        salesforce,
        [*salesforce, samples[18]],
        [*salesforce, samples[19]],
        [*salesforce, samples[20]],
        [*salesforce, samples[18], samples[19]],
    ):
        frame = pl.DataFrame({"text": column})
        parsed = _moments(frame, pl.col("text"), tz_name)
        for text, moment, ok in zip(column, parsed["moment"], parsed["ok"], strict=True):
            try:
                expected = parse_datetime(text, "When", tz)
            except RowError:
                expected = "error"
            if not ok:
                continue  # left to the row parser, which says what it says
            if expected is None:
                assert moment is None, text
            else:
                assert expected != "error", text
                assert moment == expected.astimezone(dt.UTC), text


@pytest.mark.postgres
def test_an_array_literal_reads_back_in_postgresql_as_the_ids_it_was_made_of():
    from django.db import connection

    from retention.imports.writers import array_literal

    ids = ["00T1", 'say "hi"', "back\\slash\\", " padded ", "{braces}", "a,b", "NULL", "'", "拜访"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::varchar[]", [array_literal(pl.Series(ids))])
        assert cursor.fetchone()[0] == ids
        cursor.execute(
            "SELECT cardinality(%s::varchar[])", [array_literal(pl.Series([], dtype=pl.String))]
        )
        assert cursor.fetchone()[0] == 0
