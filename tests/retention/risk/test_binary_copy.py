"""Binary COPY into numpy: every value as PostgreSQL sent it, and a loud failure otherwise; and
out of polars: every value as a CSV COPY would store it."""

import datetime as dt

import numpy as np
import polars as pl
import pytest
from django.db import connection

from retention.risk.binary_copy import CopyFormatError, binary_copy_rows, copy_fixed_width

pytestmark = pytest.mark.postgres

COLUMNS = [("id", ">i8"), ("week", ">i4"), ("amount", ">f8")]


def test_rows_across_several_blocks_arrive_whole_and_in_order(db):
    # 400,000 rows of 30 bytes: more than one 8 MB block, so rows split across blocks.
    query = "SELECT g::int8, (g % 1000)::int4, g / 3.0::float8 FROM generate_series(1, 400000) g"
    with connection.cursor() as cursor:
        columns = copy_fixed_width(cursor, query, COLUMNS)

    assert len(columns["id"]) == 400_000
    np.testing.assert_array_equal(columns["id"], np.arange(1, 400_001))
    np.testing.assert_array_equal(columns["week"], np.arange(1, 400_001) % 1000)
    np.testing.assert_array_equal(columns["amount"], np.arange(1, 400_001) / 3.0)
    assert columns["id"].dtype == np.int64 and columns["amount"].dtype == np.float64


def test_an_empty_result_gives_empty_columns(db):
    with connection.cursor() as cursor:
        columns = copy_fixed_width(
            cursor, "SELECT 1::int8, 1::int4, 1::float8 WHERE false", COLUMNS
        )
    assert [len(values) for values in columns.values()] == [0, 0, 0]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT NULL::int8, 1::int4, 1::float8",  # a NULL has no value bytes
        "SELECT 1::int4, 1::int4, 1::float8",  # narrower than asked
        "SELECT 1::int8, 1::int4",  # a column short
    ],
)
def test_a_null_or_another_type_fails_instead_of_shifting_the_numbers(db, query):
    with connection.cursor() as cursor, pytest.raises(CopyFormatError):
        copy_fixed_width(cursor, query, COLUMNS)


# Writing: every type the importer sends, with NULLs, empty and non-ASCII text, and moments
# and days on both sides of PostgreSQL's epoch (2000-01-01).
WRITE_TABLE = "(t varchar(20), i8 bigint, i4 integer, b boolean, d date, ts timestamptz, e text)"
WRITE_TYPES = ["text", "int8", "int4", "bool", "date", "timestamptz", "text"]


def _frame(rows: int) -> pl.DataFrame:
    start = dt.datetime(1999, 12, 31, 23, 59, tzinfo=dt.UTC)
    return pl.DataFrame(
        {
            "t": [f"Müller 张{n}" if n % 7 else None for n in range(rows)],
            "i8": [n * 1_000_003 - 5 if n % 5 else None for n in range(rows)],
            "i4": [n % 1000 - 500 for n in range(rows)],
            "b": [n % 3 == 0 if n % 11 else None for n in range(rows)],
            "d": [
                dt.date(1999, 12, 1) + dt.timedelta(days=n) if n % 4 else None for n in range(rows)
            ],
            "ts": [start + dt.timedelta(seconds=37 * n, microseconds=n) for n in range(rows)],
            "e": ["" for _n in range(rows)],
        },
        schema_overrides={"ts": pl.Datetime("us", "UTC")},
    )


def _load(cursor, table: str, sql: str, data: bytes) -> None:
    cursor.execute(f"CREATE TEMP TABLE {table} {WRITE_TABLE}")
    with cursor.cursor.copy(f"COPY {table} FROM STDIN ({sql})") as copy:
        copy.write(data)


def test_rows_written_by_binary_copy_are_those_a_csv_copy_stores(db):
    frame = _frame(50_000)
    data = binary_copy_rows(list(zip(WRITE_TYPES, frame.get_columns(), strict=True)))
    csv = frame.write_csv(include_header=False, null_value="\\N", quote_style="non_numeric")
    with connection.cursor() as cursor:
        _load(cursor, "from_binary", "FORMAT binary", data)
        _load(cursor, "from_csv", "FORMAT csv, NULL '\\N'", csv.encode())
        cursor.execute("SELECT count(*) FROM from_binary")
        assert cursor.fetchone() == (50_000,)
        for first, second in (("from_binary", "from_csv"), ("from_csv", "from_binary")):
            cursor.execute(f"SELECT count(*) FROM (TABLE {first} EXCEPT ALL TABLE {second}) x")
            assert cursor.fetchone() == (0,)
        cursor.execute("SELECT * FROM from_binary ORDER BY ts LIMIT 2")
        rows = cursor.fetchall()
    assert rows[0] == (None, None, -500, None, None, frame["ts"][0], "")
    assert rows[1] == (
        "Müller 张1",
        1_000_003 - 5,
        -499,
        False,
        dt.date(1999, 12, 2),
        frame["ts"][1],
        "",
    )


def test_no_rows_make_an_empty_binary_copy(db):
    data = binary_copy_rows(list(zip(WRITE_TYPES, _frame(0).get_columns(), strict=True)))
    with connection.cursor() as cursor:
        _load(cursor, "nothing", "FORMAT binary", data)
        cursor.execute("SELECT count(*) FROM nothing")
        assert cursor.fetchone() == (0,)


def test_a_number_too_large_for_its_column_is_refused_not_wrapped():
    with pytest.raises(ValueError, match="out of range for int4"):
        binary_copy_rows([("int4", pl.Series([1, 2**31]))])
