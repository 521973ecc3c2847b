"""The input of scoring: what is known about each rep, as plain DataFrames.

``RepHistory`` holds four frames (see the column lists below) and hands signals *only the part
of them known on a given date*. Every signal goes through ``weekly_matrix``, ``leave_until``
and ``reps_employed_on``, so point-in-time correctness is enforced here, in one place:

- a week counts once it is complete (its Sunday is on or before the date);
- a leave episode counts from its first day, clipped to the date (a booked future leave is
  not yet known as taken);
- a rep is scored on a date only if hired on or before it and not yet gone.

Frames (dates as ``datetime64``). A week with no row *inside the observed window* counts as
zero; weeks before the rep's first record, or before the data start, are unknown (NaN), never
zero, so a rep hired years before the first import does not look idle for the first year.

reps:    rep_id (index), team_id, hire_date, annual_quota, departure_date, departure_reason,
         notice_date (optional: when the rep gave notice; NaT when unknown), first_record
         (optional: the day of the rep's first record in any weekly source, however long
         before the weekly rows begin; without it, the first weekly row)
weekly:  rep_id, week (the Monday), activities, visits (customer visits and meetings),
         visit_minutes (their minutes, internal events left out), pipeline_created, won_amount,
         service_n, service_score_sum (scores scaled to 0–1, summed), service_scale_sum (the
         scales' best scores, summed: for drivers in the source's units), complaints (cases
         escalated or complaints, from every escalation field), cases, resolved_n,
         resolution_days_sum (cases resolved that week and the days they took)
leave:   rep_id, first_day, last_day, kind (optional: sick, vacation, personal, …)
team_changes: rep_id, changed_on (optional; empty when the source keeps no history)
team_history: rep_id, team_id, manager_id, valid_from, valid_to (optional memberships)
todos:   rep_id, due_date, completed_on (optional: NaT while open)
open_deals: rep_id, created_on, close_date, status (deals as they stand now)

``data_start`` is the first day the weekly sources cover (by default the first week with any
row); ``leave_start`` the first day leave is known for (by default the first leave record).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

WEEKLY_COLUMNS = [
    "activities",
    "visits",
    "visit_minutes",
    "pipeline_created",
    "won_amount",
    "service_n",
    "service_score_sum",
    "service_scale_sum",
    "complaints",
    "cases",
    "resolved_n",
    "resolution_days_sum",
]
REP_COLUMNS = [
    "team_id",
    "hire_date",
    "annual_quota",
    "departure_date",
    "departure_reason",
    "notice_date",
]


def as_timestamp(day: dt.date | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(day).normalize()


def week_start(day: dt.date | pd.Timestamp) -> pd.Timestamp:
    """The Monday of the week holding ``day``."""
    ts = as_timestamp(day)
    return ts - pd.Timedelta(days=ts.weekday())


def last_complete_week(as_of: dt.date | pd.Timestamp) -> pd.Timestamp:
    """The Monday of the newest week whose Sunday is on or before ``as_of``."""
    ts = as_timestamp(as_of)
    return week_start(ts - pd.Timedelta(days=6))


def empty_reps() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "team_id": pd.Series(dtype="int64"),
            "hire_date": pd.Series(dtype="datetime64[ns]"),
            "annual_quota": pd.Series(dtype="float64"),
            "departure_date": pd.Series(dtype="datetime64[ns]"),
            "departure_reason": pd.Series(dtype="object"),
        }
    )
    frame.index.name = "rep_id"
    return frame


def empty_weekly() -> pd.DataFrame:
    return pd.DataFrame(
        {"rep_id": pd.Series(dtype="int64"), "week": pd.Series(dtype="datetime64[ns]")}
        | {name: pd.Series(dtype="float64") for name in WEEKLY_COLUMNS}
    )


def empty_leave() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep_id": pd.Series(dtype="int64"),
            "first_day": pd.Series(dtype="datetime64[ns]"),
            "last_day": pd.Series(dtype="datetime64[ns]"),
        }
    )


def empty_team_changes() -> pd.DataFrame:
    return pd.DataFrame(
        {"rep_id": pd.Series(dtype="int64"), "changed_on": pd.Series(dtype="datetime64[ns]")}
    )


def empty_team_history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep_id": pd.Series(dtype="int64"),
            "team_id": pd.Series(dtype="int64"),
            "manager_id": pd.Series(dtype="float64"),
            "valid_from": pd.Series(dtype="datetime64[ns]"),
            "valid_to": pd.Series(dtype="datetime64[ns]"),
        }
    )


def empty_todos() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep_id": pd.Series(dtype="int64"),
            "due_date": pd.Series(dtype="datetime64[ns]"),
            "completed_on": pd.Series(dtype="datetime64[ns]"),
        }
    )


def empty_open_deals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep_id": pd.Series(dtype="int64"),
            "created_on": pd.Series(dtype="datetime64[ns]"),
            "close_date": pd.Series(dtype="datetime64[ns]"),
            "status": pd.Series(dtype="object"),
        }
    )


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).astype("datetime64[ns]")


def week_starts(series: pd.Series) -> pd.Series:
    """``week_start`` for a whole column at once."""
    days = _dates(series).dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


@dataclass
class RepHistory:
    reps: pd.DataFrame
    weekly: pd.DataFrame = field(default_factory=empty_weekly)
    leave: pd.DataFrame = field(default_factory=empty_leave)
    team_changes: pd.DataFrame = field(default_factory=empty_team_changes)
    team_history: pd.DataFrame = field(default_factory=empty_team_history)
    todos: pd.DataFrame | None = None  # None: the source has no to-do due dates
    open_deals: pd.DataFrame | None = None  # None: the source has no close dates
    data_start: dt.date | pd.Timestamp | None = None
    leave_start: dt.date | pd.Timestamp | None = None
    # What one date's signals share (weekly matrices, the employed reps, their leave), kept
    # until ``forget_matrices``: across many snapshot dates it would pile up to gigabytes.
    _matrices: dict = field(default_factory=dict, repr=False)
    # Per weekly column, every rep (``reps`` order) × every week from ``_first_week``: built
    # once, so a date's window of weeks is a slice of it, not a scan of ``weekly``.
    _dense: dict = field(default_factory=dict, repr=False)
    _first_week: pd.Timestamp = field(init=False, repr=False)

    def __post_init__(self) -> None:
        reps = self.reps.copy()
        if reps.index.name != "rep_id":
            reps = reps.set_index("rep_id")
        for column in REP_COLUMNS:
            if column not in reps:
                reps[column] = np.nan if column != "departure_reason" else ""
        reps["hire_date"] = _dates(reps["hire_date"])
        reps["departure_date"] = _dates(reps["departure_date"])
        reps["notice_date"] = _dates(reps["notice_date"])
        reps["annual_quota"] = reps["annual_quota"].astype("float64").fillna(0.0)
        reps["departure_reason"] = reps["departure_reason"].fillna("").astype(str)
        self.reps = reps.sort_index()

        weekly = self.weekly.copy()
        for column in WEEKLY_COLUMNS:
            if column not in weekly:
                weekly[column] = 0.0
            weekly[column] = weekly[column].astype("float64").fillna(0.0)
        weekly["week"] = week_starts(weekly["week"])
        # Several sources (activities, deals, service) may each bring a row for the same week.
        # Ordered by week (then rep), so ``weekly_matrix`` slices a window of weeks.
        self.weekly = (
            weekly.groupby(["rep_id", "week"], as_index=False)[WEEKLY_COLUMNS]
            .sum()
            .sort_values(["week", "rep_id"], ignore_index=True)
            if len(weekly)
            else empty_weekly()
        )
        self._first_week = self.weekly["week"].min() if len(self.weekly) else pd.NaT

        leave = self.leave.copy()
        leave["first_day"] = _dates(leave["first_day"])
        leave["last_day"] = _dates(leave["last_day"])
        if "kind" not in leave:
            leave["kind"] = ""
        leave["kind"] = leave["kind"].fillna("").astype(str)
        self.leave = leave[["rep_id", "first_day", "last_day", "kind"]]

        changes = self.team_changes.copy()
        changes["changed_on"] = _dates(changes["changed_on"])
        self.team_changes = changes[["rep_id", "changed_on"]]

        memberships = self.team_history.copy()
        if "manager_id" not in memberships:
            memberships["manager_id"] = np.nan
        for column in ("valid_from", "valid_to"):
            memberships[column] = _dates(memberships[column])
        self.team_history = memberships[
            ["rep_id", "team_id", "manager_id", "valid_from", "valid_to"]
        ]
        if self.todos is not None:
            todos = self.todos.copy()
            todos["due_date"] = _dates(todos["due_date"])
            todos["completed_on"] = _dates(todos["completed_on"])
            self.todos = todos[["rep_id", "due_date", "completed_on"]]
        if self.open_deals is not None:
            deals = self.open_deals.copy()
            deals["created_on"] = _dates(deals["created_on"])
            deals["close_date"] = _dates(deals["close_date"])
            self.open_deals = deals[["rep_id", "created_on", "close_date", "status"]]

        if self.data_start is None:
            self.data_start = self.weekly["week"].min() if len(self.weekly) else pd.NaT
        self.data_start = pd.Timestamp(self.data_start)
        if self.leave_start is None:
            self.leave_start = self.leave["first_day"].min() if len(self.leave) else pd.NaT
        self.leave_start = pd.Timestamp(self.leave_start)
        # A rep is observed from their first record (any weekly source), and never before the
        # data start: earlier weeks are unknown, not idle.
        observed = self.weekly.groupby("rep_id")["week"].min().reindex(self.reps.index)
        if "first_record" in self.reps:
            # The read knows each rep's first record even when it lies before the read's own
            # start, so a read beginning later does not take the weeks before it for unknown.
            known = week_starts(self.reps["first_record"])
            observed = pd.concat([known, observed], axis=1).min(axis=1)
        if pd.notna(self.data_start):
            observed = observed.clip(lower=week_start(self.data_start))
        self.reps["observed_from"] = observed.astype("datetime64[ns]")

    # --- what is known on a date ------------------------------------------------------------

    def reps_employed_on(self, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
        """Reps hired on or before ``as_of`` and still there (no departure on or before it).

        The frame is shared by every signal of the date (until ``forget_matrices``): read it,
        do not change it."""
        day = as_timestamp(as_of)
        key = ("employed", day)
        if key in self._matrices:
            return self._matrices[key]
        reps = self.reps
        employed = (reps["hire_date"] <= day) & (
            reps["departure_date"].isna() | (reps["departure_date"] > day)
        )
        # A departure after the date is the future: hide it from anything computed on the date.
        known = reps.loc[employed].copy()
        known["departure_date"] = pd.NaT
        known["departure_reason"] = ""
        known.loc[known["notice_date"] > day, "notice_date"] = pd.NaT
        self._matrices[key] = known
        return known

    def _employed_weeks(self, day: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the reps employed on ``day``: their rows in ``reps``, hire weeks and the weeks
        they are observed from (never: the latest date), as numpy arrays."""
        key = ("employed_weeks", day)
        if key not in self._matrices:
            reps = self.reps_employed_on(day)
            self._matrices[key] = (
                self.reps.index.get_indexer(reps.index),
                week_starts(reps["hire_date"]).to_numpy(),
                reps["observed_from"].fillna(pd.Timestamp.max.normalize()).to_numpy(),
            )
        return self._matrices[key]

    def _dense_weeks(self, column: str) -> np.ndarray:
        """Every rep × every week from ``_first_week`` to the last weekly row: ``column``'s
        totals, 0 where there is no row."""
        if column not in self._dense:
            weekly = self.weekly
            n_weeks = (
                int((weekly["week"].max() - self._first_week).days // 7) + 1 if len(weekly) else 0
            )
            values = np.zeros((len(self.reps), n_weeks))
            rows = self.reps.index.get_indexer(weekly["rep_id"])
            known = rows >= 0  # rows of reps outside ``reps`` are not anyone's weeks
            cols = ((weekly["week"] - self._first_week).dt.days // 7).to_numpy()
            # One row per rep and week (summed in __post_init__): each cell gets one value,
            # added to 0 as the window of a date always did (unique cells: ``+=`` is
            # ``np.add.at`` without its per-element cost).
            values[rows[known], cols[known]] += weekly[column].to_numpy()[known]
            self._dense[column] = values
        return self._dense[column]

    def weekly_matrix(
        self, column: str, as_of: dt.date | pd.Timestamp, n_weeks: int
    ) -> pd.DataFrame:
        """Rep × week totals of ``column`` for the ``n_weeks`` complete weeks up to ``as_of``.

        Rows are the reps employed on ``as_of``; columns the Mondays, oldest first. A week with
        no data is 0; a week before the rep's hire week is NaN (not yet a rep, not idle), and so
        is a week before the rep's first record or the data start (not observed, not idle).
        """
        day = as_timestamp(as_of)
        key = (column, day, n_weeks)
        if key in self._matrices:
            return self._matrices[key]
        reps = self.reps_employed_on(day)
        rows, weeks, unknown = self._window(day, n_weeks)
        dense = self._dense_weeks(column)
        # The window's weeks inside the dense range; weeks outside it have no rows (0).
        offset = int((weeks[0] - self._first_week).days // 7) if dense.shape[1] else 0
        lo, hi = max(offset, 0), min(offset + n_weeks, dense.shape[1])
        if lo == offset and hi == offset + n_weeks:
            values = dense[rows, lo:hi]  # a copy (rows are picked by position)
        else:
            values = np.zeros((len(reps), n_weeks))
            if lo < hi:
                values[:, lo - offset : hi - offset] = dense[rows, lo:hi]
        values[unknown] = np.nan
        matrix = pd.DataFrame(values, index=reps.index, columns=weeks)
        self._matrices[key] = matrix
        return matrix

    def _window(
        self, day: pd.Timestamp, n_weeks: int
    ) -> tuple[np.ndarray, pd.DatetimeIndex, np.ndarray]:
        """The employed reps' rows, the window's Mondays and which of its cells are unknown
        (before the rep's hire week, or before the rep's first record or the data start: not
        observed, not idle), shared by every column's window of that length on ``day``."""
        key = ("window", day, n_weeks)
        if key not in self._matrices:
            rows, hire_week, observed = self._employed_weeks(day)
            weeks = pd.date_range(end=last_complete_week(day), periods=n_weeks, freq="7D")
            grid = weeks.to_numpy()[None, :]
            unknown = (grid < hire_week[:, None]) | (grid < observed[:, None])
            self._matrices[key] = (rows, weeks, unknown)
        return self._matrices[key]

    def on_date(self, name: str, as_of: dt.date | pd.Timestamp, compute):
        """``compute()``, once per ``name`` and date until ``forget_matrices``: for what
        several signals of a date share. The result is shared: read it, do not change it."""
        key = (name, as_timestamp(as_of))
        if key not in self._matrices:
            self._matrices[key] = compute()
        return self._matrices[key]

    def forget_matrices(self) -> None:
        """Drop what one date's signals shared (weekly matrices, employed reps, their leave)."""
        self._matrices.clear()

    def forget_weeks(self) -> None:
        """Drop the dense weekly totals too (rebuilt on the next ``weekly_matrix``)."""
        self._matrices.clear()
        self._dense.clear()

    def leave_until(self, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
        """Leave episodes of employed reps begun on or before ``as_of``, clipped to it.

        Shared by the date's signals like ``reps_employed_on``: read it, do not change it."""
        day = as_timestamp(as_of)
        key = ("leave", day)
        if key in self._matrices:
            return self._matrices[key]
        reps = self.reps_employed_on(day)
        leave = self.leave[(self.leave["first_day"] <= day) & self.leave["rep_id"].isin(reps.index)]
        leave = leave.copy()
        leave["last_day"] = leave["last_day"].clip(upper=day)
        self._matrices[key] = leave
        return leave

    def unobserved_weeks(self, as_of: dt.date | pd.Timestamp, n_weeks: int) -> pd.Series:
        """Per employed rep: weeks of the ``n_weeks`` up to ``as_of`` after hire but before the
        rep is observed (first record, data start). 0 means the window is fully observed."""
        day = as_timestamp(as_of)
        reps = self.reps_employed_on(day)
        _rows, hire_week, observed = self._employed_weeks(day)
        weeks = pd.date_range(end=last_complete_week(day), periods=n_weeks, freq="7D")
        grid = weeks.to_numpy()[None, :]
        missing = (grid >= hire_week[:, None]) & (grid < observed[:, None])
        return pd.Series(missing.sum(axis=1).astype(float), index=reps.index)

    def team_changes_until(self, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
        day = as_timestamp(as_of)
        return self.team_changes[self.team_changes["changed_on"] <= day]
