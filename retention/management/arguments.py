"""Argument types shared by Relay's management commands."""

import argparse
import datetime as dt

from django.utils.translation import gettext as _


def iso_date(value: str) -> dt.date:
    """``--as-of 2026-11-26``; argparse names the option in the message when this refuses."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("%(value)s is not a date: use YYYY-MM-DD") % {"value": repr(value)}
        ) from exc
