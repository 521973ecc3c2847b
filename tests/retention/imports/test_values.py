"""Cell values as CRMs and spreadsheets write them."""

import datetime as dt
from decimal import Decimal

import pytest

from retention.imports.errors import RowError
from retention.imports.values import (
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_duration_hms,
)


def test_salesforce_datetimes_keep_their_offset():
    moment = parse_datetime("2024-01-22T16:14:25.000+0000", "CreatedDate", dt.UTC)

    assert moment == dt.datetime(2024, 1, 22, 16, 14, 25, tzinfo=dt.UTC)


def test_naive_datetimes_are_read_in_the_configured_zone():
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    moment = parse_datetime("2024/03/05 14:30", "occurred_at", shanghai)

    assert moment == dt.datetime(2024, 3, 5, 6, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2024-03-31", dt.date(2024, 3, 31)),
        ("2024/03/31", dt.date(2024, 3, 31)),
        ("2024-03-31T23:00:00.000+0000", dt.date(2024, 3, 31)),
        ("", None),
    ],
)
def test_dates_in_iso_styles(text, expected):
    assert parse_date(text, "d") == expected


@pytest.mark.parametrize("text", ["31/03/2024", "March 3", "2024-02-30"])
def test_bad_dates_name_the_expected_form(text):
    with pytest.raises(RowError, match="YYYY-MM-DD"):
        parse_date(text, "CloseDate")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("1124741.15", Decimal("1124741.15")),
        ("15,000.50", Decimal("15000.50")),
        ("1.234,50", Decimal("1234.50")),
        ("12,5", Decimal("12.5")),
        ("$ 300", Decimal(300)),
        ("", None),
        (42, Decimal(42)),
    ],
)
def test_numbers_with_thousands_and_decimal_separators(text, expected):
    assert parse_decimal(text, "Amount") == expected


def test_bad_numbers_are_rejected():
    with pytest.raises(RowError, match="not a number"):
        parse_decimal("twelve", "Amount")


def test_salesforce_booleans():
    assert [parse_bool(value, "IsWon") for value in ("true", "false", "", "1")] == [
        True,
        False,
        None,
        True,
    ]
    with pytest.raises(RowError, match="true or false"):
        parse_bool("maybe", "IsWon")


def test_hubspot_durations_round_up_to_minutes():
    assert parse_duration_hms("00:12:30", "d") == 13
    assert parse_duration_hms("180000", "d") == 3


@pytest.mark.parametrize(
    "value,expected",
    [
        ("02/03/24", dt.date(2024, 2, 3)),  # Salesforce US locale: month first, two-digit year
        ("2/23/2026", dt.date(2026, 2, 23)),
        ("2024/03/05", dt.date(2024, 3, 5)),
    ],
)
def test_us_short_dates_of_salesforce_reports_are_read(value, expected):
    assert parse_date(value, "CloseDate") == expected


def test_us_date_with_twelve_hour_time_is_read():
    moment = parse_datetime("02/23/26 08:55 PM", "CreatedDate", dt.UTC)

    assert moment == dt.datetime(2026, 2, 23, 20, 55, tzinfo=dt.UTC)


def test_a_us_date_that_is_no_day_is_rejected():
    with pytest.raises(RowError, match="not a date"):
        parse_date("2/30/2024", "CloseDate")


@pytest.mark.parametrize(
    "value", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31", dt.date(9999, 12, 31)]
)
def test_a_date_off_the_calendar_relay_takes_is_refused(value):
    with pytest.raises(RowError, match="from 1900-01-01 to 2100-12-31"):
        parse_date(value, "hire_date")
    with pytest.raises(RowError, match="from 1900-01-01 to 2100-12-31"):
        parse_datetime(value, "occurred_at", dt.UTC)


def test_the_first_and_last_days_relay_takes_are_read_by_the_day_as_written():
    assert parse_date("1900-01-01", "c") == dt.date(1900, 1, 1)
    late = parse_datetime("2100-12-31T23:30:00-05:00", "c", dt.UTC)
    assert late.astimezone(dt.UTC).date() == dt.date(2101, 1, 1)
