"""Tiny hand-built histories for the scoring tests."""

import datetime as dt

import pandas as pd

from retention.scoring.history import RepHistory

AS_OF = dt.date(2025, 6, 29)  # a Sunday: the week of Monday 23 June is complete
LAST_WEEK = pd.Timestamp("2025-06-23")


def weeks(n: int) -> list[pd.Timestamp]:
    """The Mondays of the ``n`` complete weeks up to AS_OF, oldest first."""
    return list(pd.date_range(end=LAST_WEEK, periods=n, freq="7D"))


def rep(rep_id: int, *, team_id: int = 1, hire_date="2022-01-03", quota=52_000.0, **extra):
    return {
        "rep_id": rep_id,
        "team_id": team_id,
        "hire_date": pd.Timestamp(hire_date),
        "annual_quota": quota,
        "departure_date": pd.Timestamp(extra.get("departure_date"))
        if extra.get("departure_date")
        else pd.NaT,
        "departure_reason": extra.get("departure_reason", ""),
    }


def weekly(rep_id: int, column: str, baseline: float, recent: float, *, skip=()) -> list[dict]:
    """52 baseline weeks at ``baseline`` then 13 recent weeks at ``recent`` (weeks in ``skip``,
    counted back from the last week = 0, have no row)."""
    rows = []
    for position, week in enumerate(weeks(65)):
        back = 64 - position
        if back in skip:
            continue
        rows.append({"rep_id": rep_id, "week": week, column: recent if back < 13 else baseline})
    return rows


def leave(rep_id: int, first: str, last: str | None = None) -> dict:
    return {
        "rep_id": rep_id,
        "first_day": pd.Timestamp(first),
        "last_day": pd.Timestamp(last or first),
    }


def history(reps, weekly_rows=(), leave_rows=(), team_changes=()) -> RepHistory:
    kwargs = {"reps": pd.DataFrame(list(reps))}
    if weekly_rows:
        kwargs["weekly"] = pd.DataFrame(list(weekly_rows))
    if leave_rows:
        kwargs["leave"] = pd.DataFrame(list(leave_rows))
    if team_changes:
        kwargs["team_changes"] = pd.DataFrame(list(team_changes))
    return RepHistory(**kwargs)
