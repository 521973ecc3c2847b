"""config.limits: whether a value is a whole number within bounds, and whether a date is on the
calendar Relay takes."""

import datetime as dt

import pytest
from django.utils import translation

from config.errors import ApplicationError
from config.limits import date_check, date_taken, whole_number_between


@pytest.mark.parametrize("value", [0, 1, 3650])
def test_a_whole_number_within_the_bounds_passes(value):
    assert whole_number_between(value, 0, 3650)


@pytest.mark.parametrize("value", [-1, 3651, 10**30, True, False, 1.0, "1", None, [1]])
def test_anything_else_is_no_whole_number_within_the_bounds(value):
    assert not whole_number_between(value, 0, 3650)


@pytest.mark.parametrize(
    "day", [dt.date(1900, 1, 1), dt.date(2100, 12, 31), dt.datetime(2100, 12, 31, 23, 59), None]
)
def test_the_calendar_s_own_ends_and_no_date_pass(day):
    date_check(day, field="follow_up_on", label="follow-up date")
    assert day is None or date_taken(day)


@pytest.mark.parametrize(
    "day", [dt.date(1, 1, 1), dt.date(1899, 12, 31), dt.date(2101, 1, 1), dt.date(9999, 12, 31)]
)
def test_a_date_off_the_calendar_is_refused_naming_the_field(day):
    assert not date_taken(day)
    with pytest.raises(ApplicationError) as refused:
        date_check(day, field="follow_up_on", label="follow-up date")
    assert refused.value.field == "follow_up_on"
    assert refused.value.message == (
        f"The follow-up date {day.isoformat()} is not a date Relay takes: choose one from "
        "1900-01-01 to 2100-12-31."
    )


def test_the_refusal_is_translated():
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as refused:
        date_check(
            dt.date(9999, 12, 31),
            field="earliest_start",
            label=translation.gettext("earliest start date"),
        )
    assert refused.value.message == (
        "最早到岗日期 9999-12-31 不是 Relay 接受的日期："
        "请选择 1900-01-01 至 2100-12-31 之间的日期。"
    )
