"""Parsing cell values as CRMs and spreadsheets write them. Each parser raises RowError on nonsense.

Cells from CSV arrive as strings; cells from XLSX may already be numbers, dates or datetimes.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from config.limits import EARLIEST_DATE, LATEST_DATE, date_taken
from retention.imports.errors import RowError

_TRUE = {"true", "1", "yes", "y", "t", "x", "是"}
_FALSE = {"false", "0", "no", "n", "f", "否", ""}
_CURRENCY = re.compile(r"^[\s$€£¥]+|[\s$€£¥]+$")


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_bool(value: object, column: str) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    cleaned = text(value).lower()
    if cleaned == "":
        return None
    if cleaned in _TRUE:
        return True
    if cleaned in _FALSE:
        return False
    raise RowError(column, value, _("not a yes/no value: use true or false"))


def parse_decimal(value: object, column: str) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    cleaned = _CURRENCY.sub("", str(value)).replace(" ", "").replace("_", "")
    if cleaned == "":
        return None
    if "," in cleaned:
        if "." in cleaned:
            # The later separator is the decimal point: 1,234.50 or 1.234,50.
            if cleaned.rfind(",") > cleaned.rfind("."):
                cleaned = cleaned.replace(".", "").replace(",", ".")
            else:
                cleaned = cleaned.replace(",", "")
        elif re.fullmatch(r"-?\d{1,3}(,\d{3})+", cleaned):
            cleaned = cleaned.replace(",", "")
        else:
            cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise RowError(column, value, _("not a number: write it like 1234.50")) from None
    if not number.is_finite():
        raise RowError(column, value, _("not a finite number"))
    return number


def parse_int(value: object, column: str) -> int | None:
    number = parse_decimal(value, column)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise RowError(column, value, _("not a whole number"))
    return int(number)


# Salesforce's US-locale reports and Developer Edition exports: 02/23/26 or 2/3/2024 08:55 PM.
_US_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)


def _us_moment(cleaned: str) -> dt.datetime | None:
    """Month/day/year as Salesforce's US locale writes it, with an optional time. Day-first
    dates are not guessed: 31/03/2024 is refused rather than read one way or the other."""
    match = _US_DATE.match(cleaned)
    if match is None:
        return None
    first, second, year, hour, minute, second_s, half = match.groups()
    month, day = int(first), int(second)
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    hours = int(hour or 0)
    if half:
        hours = hours % 12 + (12 if half.lower() == "pm" else 0)
    try:
        return dt.datetime(full_year, month, day, hours, int(minute or 0), int(second_s or 0))
    except ValueError:
        return None


def _in_range[D: dt.date](day: D, value: object, column: str) -> D:
    """The day, or a refusal when it is off the calendar Relay takes (``config.limits``): a rep
    imported as hired on 9999-12-31 broke the ramp-up and departure-cost pages for everyone."""
    if not date_taken(day):
        raise RowError(
            column,
            value,
            _("not a date Relay takes: write one from %(first)s to %(last)s")
            % {"first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()},
        )
    return day


def parse_date(value: object, column: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _in_range(value.date(), value, column)
    if isinstance(value, dt.date):
        return _in_range(value, value, column)
    cleaned = str(value).strip()
    if cleaned == "":
        return None
    us = _us_moment(cleaned) if "/" in cleaned[:6] else None
    if us is not None:
        return _in_range(us.date(), value, column)
    candidate = cleaned[:10].replace("/", "-").replace(".", "-")
    try:
        if len(cleaned) > 10 and cleaned[10] not in "T ":
            raise ValueError
        day = dt.date.fromisoformat(candidate)
    except ValueError:
        raise RowError(column, value, _("not a date: use YYYY-MM-DD, e.g. 2024-03-31")) from None
    return _in_range(day, value, column)


def parse_datetime(value: object, column: str, tz: dt.tzinfo) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        cleaned = str(value).strip()
        if cleaned == "":
            return None
        us = _us_moment(cleaned) if "/" in cleaned[:6] else None
        if us is not None:
            return us.replace(tzinfo=tz)
        if len(cleaned) >= 10 and cleaned[4] in "/.":
            cleaned = cleaned[:10].replace(cleaned[4], "-") + cleaned[10:]
        try:
            moment = dt.datetime.fromisoformat(cleaned)
        except ValueError:
            raise RowError(
                column,
                value,
                _("not a date and time: use YYYY-MM-DD HH:MM (or ISO 8601 with a UTC offset)"),
            ) from None
    _in_range(moment, value, column)  # the day as written, before any change of zone
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def timezone_named(name: str) -> dt.tzinfo:
    return dt.UTC if name in {"UTC", ""} else ZoneInfo(name)


def parse_duration_hms(value: object, column: str) -> int | None:
    """Minutes from HH:MM:SS, MM:SS or a number of milliseconds (HubSpot writes both)."""
    cleaned = text(value)
    if cleaned == "":
        return None
    if ":" in cleaned:
        parts = cleaned.split(":")
        try:
            numbers = [int(part) for part in parts]
        except ValueError:
            raise RowError(column, value, _("not a duration: use HH:MM:SS")) from None
        seconds = 0
        for number in numbers:
            seconds = seconds * 60 + number
        return -(-seconds // 60)
    millis = parse_int(value, column)
    return None if millis is None else -(-millis // 60000)
