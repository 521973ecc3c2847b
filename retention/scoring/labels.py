"""Labels: did the rep leave voluntarily within the horizon after the snapshot date?"""

from __future__ import annotations

import pandas as pd

from retention.scoring.history import as_timestamp

DEFAULT_HORIZON_DAYS = 90
VOLUNTARY = "voluntary"


def departure_labels(
    reps: pd.DataFrame, snapshots: pd.DataFrame, *, horizon_days: int = DEFAULT_HORIZON_DAYS
) -> pd.Series:
    """1 where the rep's last day is voluntary and falls in (as_of, as_of + horizon], else 0.

    ``reps`` is the full rep table (with what happened later); ``snapshots`` has rep_id and
    as_of columns. Dismissals and transfers are 0: the model warns of resignations only.
    """
    departures = reps["departure_date"].reindex(snapshots["rep_id"]).to_numpy()
    reasons = reps["departure_reason"].reindex(snapshots["rep_id"]).to_numpy()
    as_of = pd.to_datetime(snapshots["as_of"]).to_numpy()
    horizon = pd.Timedelta(days=horizon_days).to_timedelta64()
    hit = (reasons == VOLUNTARY) & (departures > as_of) & (departures <= as_of + horizon)
    return pd.Series(hit.astype(int), index=snapshots.index, name="label")


def observable(
    snapshots: pd.DataFrame, *, data_end: pd.Timestamp, horizon_days: int = DEFAULT_HORIZON_DAYS
) -> pd.Series:
    """True where the whole horizon after the snapshot lies inside the data: only there is a
    0 a real "stayed" and not "not yet known"."""
    end = as_timestamp(data_end)
    return pd.to_datetime(snapshots["as_of"]) + pd.Timedelta(days=horizon_days) <= end


def voluntary_departures(reps: pd.DataFrame, *, until: pd.Timestamp) -> pd.DataFrame:
    """Reps who left voluntarily on or before ``until`` (rep_id index, departure_date)."""
    day = as_timestamp(until)
    left = reps[(reps["departure_reason"] == VOLUNTARY) & (reps["departure_date"] <= day)]
    return left[["departure_date"]]
