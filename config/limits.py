"""What a model's number column holds, read from the model field, so that the form, the API
serializer and the service that fill the column refuse a number it cannot hold (PostgreSQL's
``smallint out of range`` or ``numeric field overflow``) instead of passing it to the database.
And whether a value a service is handed is a whole number within its bounds at all
(``whole_number_between``).

Integer ranges are the portable ones (PostgreSQL's, which Django's base backend lists): SQLite
would store a larger number, but a value must not be accepted on one database and refused on
the other.

And the dates Relay takes (``EARLIEST_DATE`` to ``LATEST_DATE``): outside them a date is a
placeholder or a typo (0001-01-01, 9999-12-31) that no record of a sales organisation means, and
what Relay works out from it (a hire's first year, the weeks of a leave) runs off the calendar.
Imports read ``date_taken``; a service refuses any other date typed on a page or sent to the API
with ``date_check``, which names the field.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _

from config.errors import ApplicationError

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def date_taken(day: dt.date) -> bool:
    """Whether ``day`` (a date, or the day of a datetime) is one Relay takes."""
    return EARLIEST_DATE <= (day.date() if isinstance(day, dt.datetime) else day) <= LATEST_DATE


def date_check(day: dt.date | None, *, field: str, label: str) -> None:
    """Refuse ``day`` when it is off the calendar Relay takes, naming ``field`` (the API's name
    for it) and saying it by ``label`` (the words a sentence uses for it, translated: "the
    follow-up date"). No date (``None``) is not this check's business."""
    if day is None or date_taken(day):
        return
    raise ApplicationError(
        _("The %(label)s %(day)s is not a date Relay takes: choose one from %(first)s to %(last)s.")
        % {
            "label": label,
            "day": day.isoformat(),
            "first": EARLIEST_DATE.isoformat(),
            "last": LATEST_DATE.isoformat(),
        },
        field=field,
    )


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def integer_max(model: type[models.Model], name: str) -> int:
    """The largest number the integer column ``model.name`` holds."""
    internal_type = _field(model, name).get_internal_type()
    return BaseDatabaseOperations.integer_field_ranges[internal_type][1]


def decimal_shape(model: type[models.Model], name: str) -> dict[str, int]:
    """``max_digits`` and ``decimal_places`` of the decimal column ``model.name``, as form and
    serializer ``DecimalField`` take them."""
    field = _field(model, name)
    return {"max_digits": field.max_digits, "decimal_places": field.decimal_places}


def decimal_largest(model: type[models.Model], name: str) -> Decimal:
    """The largest number the decimal column ``model.name`` holds (9999999999.99 for 12, 2)."""
    shape = decimal_shape(model, name)
    places = shape["decimal_places"]
    return Decimal(10 ** shape["max_digits"] - 1).scaleb(-places)


def decimal_fits(value: Decimal, model: type[models.Model], name: str) -> bool:
    """Whether ``value`` is a finite number with no more digits, nor decimal places, than the
    decimal column ``model.name`` holds."""
    shape = decimal_shape(model, name)
    try:
        DecimalValidator(shape["max_digits"], shape["decimal_places"])(Decimal(value))
    except ValidationError:
        return False
    return True


def whole_number_between(value: object, low: int, high: int) -> bool:
    """Whether ``value`` is a whole number from ``low`` to ``high``: an ``int``, not a string,
    a float, nor ``True`` or ``False`` (which Python counts as ints, but which no one meant as
    a number)."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
