"""Binary COPY into numpy: every value as PostgreSQL sent it, and a loud failure otherwise."""

import numpy as np
import pytest
from django.db import connection

from retention.risk.binary_copy import CopyFormatError, copy_fixed_width

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
