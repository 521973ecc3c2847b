"""Argument types shared by Relay's management commands."""

import argparse
import datetime as dt


def iso_date(value: str) -> dt.date:
    """``--as-of 2026-11-26``; argparse names the option in the message when this refuses."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD") from exc
