"""The feature frame: every signal for every rep employed on a date, and snapshots of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import pandas as pd

from retention.scoring.history import RepHistory, as_timestamp
from retention.scoring.signals import FEATURES, SIGNALS


def feature_frame(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """One row per rep employed on ``as_of``: the signals (``FEATURES``), the numbers behind
    them, the team and the date. Uses nothing dated after ``as_of``."""
    day = as_timestamp(as_of)
    reps = history.reps_employed_on(day)
    parts = [reps[["team_id"]]]
    seen = {"team_id"}
    for signal in SIGNALS:
        part = signal(history, day)
        fresh = [column for column in part.columns if column not in seen]
        seen.update(fresh)
        parts.append(part[fresh])
    frame = pd.concat(parts, axis=1)
    frame.insert(0, "as_of", day)
    frame.index.name = "rep_id"
    # The weekly matrices of this date are done with: across many snapshot dates they would
    # pile up to gigabytes at 10,000 reps.
    history.forget_matrices()
    return frame


def snapshot_dates(
    start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp, *, every_days: int = 14
) -> list[pd.Timestamp]:
    """Sundays from the first on or after ``start`` up to ``end``, every ``every_days`` days.

    Sundays, so that each snapshot sees whole weeks.
    """
    first = as_timestamp(start)
    first += pd.Timedelta(days=(6 - first.weekday()) % 7)
    return list(pd.date_range(first, as_timestamp(end), freq=f"{every_days}D"))


# What training and the backtest need of each snapshot besides the features.
SNAPSHOT_COLUMNS = ["rep_id", "as_of", "team_id", "recent_unobserved_weeks"]


def snapshot_frame(
    history: RepHistory,
    dates: Iterable[pd.Timestamp],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Feature frames at many dates stacked, with rep_id as a column: the features only (the
    numbers behind them are for the drivers of a score, not for learning), in float32."""
    dates = list(dates)
    frames = []
    for number, day in enumerate(dates, start=1):
        frame = feature_frame(history, day).reset_index()
        keep = [c for c in SNAPSHOT_COLUMNS if c in frame] + [
            c for c in FEATURES if c not in SNAPSHOT_COLUMNS
        ]
        frame = frame[keep]
        numbers = [c for c in keep if c not in ("rep_id", "as_of", "team_id")]
        frame[numbers] = frame[numbers].astype("float32")
        frames.append(frame)
        if progress:
            progress(number, len(dates))
    # The dense weekly totals served every date; what follows (the fit) does not need them.
    history.forget_weeks()
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return pd.DataFrame(columns=["rep_id", "as_of", "team_id", *FEATURES])
    return pd.concat(frames, ignore_index=True)
