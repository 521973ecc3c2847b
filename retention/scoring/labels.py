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


# When the source does not say when a rep gave notice, notice is taken to start this many days
# before the last day (the shortest notice in common use): from then on the rep is "leaving",
# not a risk, and their snapshots are no training positives.
ASSUMED_NOTICE_DAYS = 14


def notice_starts(
    reps: pd.DataFrame, *, assumed_notice_days: int = ASSUMED_NOTICE_DAYS
) -> pd.Series:
    """Per rep: the day their departure became known (the notice date, else the last day minus
    the assumed notice). NaT for reps with no recorded departure."""
    assumed = reps["departure_date"] - pd.Timedelta(days=assumed_notice_days)
    if "notice_date" in reps:
        return reps["notice_date"].where(reps["notice_date"].notna(), assumed)
    return assumed


def serving_notice(
    reps: pd.DataFrame,
    snapshots: pd.DataFrame,
    *,
    assumed_notice_days: int = ASSUMED_NOTICE_DAYS,
) -> pd.Series:
    """True where the rep was already serving notice on the snapshot date (notice start on or
    before it, last day after it): such a rep is leaving, not at risk."""
    starts = notice_starts(reps, assumed_notice_days=assumed_notice_days)
    start = starts.reindex(snapshots["rep_id"]).to_numpy()
    last = reps["departure_date"].reindex(snapshots["rep_id"]).to_numpy()
    as_of = pd.to_datetime(snapshots["as_of"]).to_numpy()
    return pd.Series((start <= as_of) & (as_of < last), index=snapshots.index)


def horizon_labels(
    reps: pd.DataFrame,
    snapshots: pd.DataFrame,
    *,
    data_end: pd.Timestamp,
    horizons: tuple[int, ...],
) -> pd.DataFrame:
    """``label_<h>`` per horizon: 1/0 as ``departure_labels``, NaN where the horizon runs past
    the data's end (a 0 there would be "not yet known", not "stayed")."""
    result = {}
    for horizon in horizons:
        labels = departure_labels(reps, snapshots, horizon_days=horizon).astype(float)
        seen = observable(snapshots, data_end=data_end, horizon_days=horizon)
        result[f"label_{horizon}"] = labels.where(seen)
    return pd.DataFrame(result, index=snapshots.index)
