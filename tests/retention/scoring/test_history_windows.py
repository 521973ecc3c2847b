"""The weekly windows cut from the dense weekly totals equal a direct scan of the weekly rows,
for any date, window length and order of dates (what every weekly signal reads)."""

import numpy as np
import pandas as pd
import pytest

from retention.scoring.features import feature_frame, snapshot_dates, snapshot_frame
from retention.scoring.history import (
    WEEKLY_COLUMNS,
    RepHistory,
    last_complete_week,
    week_starts,
)

FIRST_MONDAY = pd.Timestamp("2024-01-01")


def random_history(seed: int = 0, n_reps: int = 40) -> RepHistory:
    """Reps hired before and during the data, some gone, weeks with gaps, several sources'
    rows for one week, rows of a rep the history does not know, and leave."""
    rng = np.random.default_rng(seed)
    hire = FIRST_MONDAY + pd.to_timedelta(rng.integers(-400, 300, n_reps), unit="D")
    gone = rng.random(n_reps) < 0.3
    departure = hire + pd.to_timedelta(rng.integers(60, 500, n_reps), unit="D")
    reps = pd.DataFrame(
        {
            "rep_id": np.arange(1, n_reps + 1),
            "team_id": rng.integers(1, 6, n_reps),
            "hire_date": hire,
            "annual_quota": rng.choice([0.0, 52_000.0, 80_000.0], n_reps),
            "departure_date": pd.Series(departure).where(gone),
            "departure_reason": np.where(gone, "voluntary", ""),
        }
    )
    rows = []
    for rep_id in [*reps["rep_id"], 999]:  # 999: rows of a rep outside ``reps``
        start = int(rng.integers(0, 30))
        for week in range(start, 90):
            if rng.random() < 0.15:
                continue  # a gap: no row that week
            for _source in range(int(rng.integers(1, 3))):  # two sources' rows, same week
                day = FIRST_MONDAY + pd.Timedelta(days=7 * week + int(rng.integers(0, 7)))
                rows.append(
                    {"rep_id": rep_id, "week": day}
                    | {c: float(rng.integers(0, 20)) for c in WEEKLY_COLUMNS}
                )
    leave = []
    for rep_id in reps["rep_id"]:
        for _ in range(int(rng.integers(0, 6))):
            first = FIRST_MONDAY + pd.Timedelta(days=int(rng.integers(-30, 620)))
            leave.append(
                {
                    "rep_id": rep_id,
                    "first_day": first,
                    "last_day": first + pd.Timedelta(days=int(rng.integers(0, 9))),
                    "kind": str(rng.choice(["vacation", "sick", "personal"])),
                }
            )
    return RepHistory(reps=reps, weekly=pd.DataFrame(rows), leave=pd.DataFrame(leave))


def scanned_matrix(history: RepHistory, column: str, as_of, n_weeks: int) -> pd.DataFrame:
    """The window the way it was first computed: scan the weekly rows for the date's weeks and
    its employed reps, add them up, then blank the weeks before hire or observation."""
    reps = history.reps_employed_on(as_of)
    last = last_complete_week(as_of)
    weeks = pd.date_range(end=last, periods=n_weeks, freq="7D")
    weekly = history.weekly
    window = weekly[(weekly["week"] >= weeks[0]) & (weekly["week"] <= last)]
    known = window[window["rep_id"].isin(reps.index)]
    values = np.zeros((len(reps), n_weeks))
    rows = reps.index.get_indexer(known["rep_id"])
    cols = ((known["week"] - weeks[0]).dt.days // 7).to_numpy()
    np.add.at(values, (rows, cols), known[column].to_numpy())
    grid = weeks.to_numpy()[None, :]
    values[grid < week_starts(reps["hire_date"]).to_numpy()[:, None]] = np.nan
    observed = reps["observed_from"].fillna(pd.Timestamp.max.normalize()).to_numpy()
    values[grid < observed[:, None]] = np.nan
    return pd.DataFrame(values, index=reps.index, columns=weeks)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weekly_windows_equal_a_scan_of_the_weekly_rows(seed):
    history = random_history(seed)
    # Dates before the data, inside them, near their end and after it (windows reaching
    # outside the weeks the rows cover).
    dates = [
        pd.Timestamp("2023-12-31"),
        *snapshot_dates("2024-02-01", "2026-02-01", every_days=63),
    ]
    for as_of in dates:
        for column in WEEKLY_COLUMNS:
            for n_weeks in (13, 26, 65):
                pd.testing.assert_frame_equal(
                    history.weekly_matrix(column, as_of, n_weeks),
                    scanned_matrix(history, column, as_of, n_weeks),
                    check_exact=True,
                    check_freq=False,
                )
        history.forget_matrices()


def test_feature_frames_do_not_depend_on_the_dates_computed_before():
    dates = snapshot_dates("2024-05-01", "2025-09-01", every_days=28)
    together = snapshot_frame(random_history(), dates)
    alone = pd.concat([snapshot_frame(random_history(), [day]) for day in dates], ignore_index=True)
    pd.testing.assert_frame_equal(together, alone, check_exact=True)
    history = random_history()
    backwards = {day: feature_frame(history, day) for day in reversed(dates)}
    fresh = random_history()
    for day in dates:
        pd.testing.assert_frame_equal(backwards[day], feature_frame(fresh, day), check_exact=True)
