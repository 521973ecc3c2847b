"""Had Relay scored on past dates: which departures it flagged, how early, how many false alarms.

A rep is *flagged* on a date when their probability is in the top share of that date's reps
(the same rule as the stored "top 10 %" figures). A *false alarm* is a flagged rep who did not
leave voluntarily within the horizon after that date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention.scoring.model import TOP_SHARE, lead_times, top_share_flags


def backtest_report(
    frame: pd.DataFrame,
    *,
    departures: pd.Series,
    horizon_days: int,
    share: float = TOP_SHARE,
) -> dict:
    """``frame``: rep_id, as_of, probability, label (one row per rep and snapshot date).

    Returns plain data (JSON-ready): a summary, each departure with its first flag and lead
    time, and per-date counts of reps, flags, hits and false alarms.
    """
    frame = frame.copy()
    frame["flagged"] = top_share_flags(frame, share=share) if len(frame) else []
    leads = lead_times(frame, departures=departures, horizon_days=horizon_days)
    flagged = frame[frame["flagged"]]
    false_alarms = flagged[flagged["label"] == 0]
    per_date = (
        frame.assign(
            hit=frame["flagged"] & (frame["label"] == 1),
            false_alarm=frame["flagged"] & (frame["label"] == 0),
        )
        .groupby("as_of")
        .agg(
            reps=("rep_id", "size"),
            flagged=("flagged", "sum"),
            hits=("hit", "sum"),
            false_alarms=("false_alarm", "sum"),
            leaving=("label", "sum"),
        )
        .reset_index()
    )
    caught = leads["lead_days"].dropna()
    departures_rows = [
        {
            "rep_id": int(row.rep_id),
            "departure_date": row.departure_date.date().isoformat(),
            "first_flag": None if pd.isna(row.first_flag) else row.first_flag.date().isoformat(),
            "lead_days": None if pd.isna(row.lead_days) else int(row.lead_days),
        }
        for row in leads.sort_values("departure_date").itertuples()
    ]
    return {
        "summary": {
            "start": _iso(frame["as_of"].min()),
            "end": _iso(frame["as_of"].max()),
            "dates": int(frame["as_of"].nunique()),
            "top_share": share,
            "horizon_days": horizon_days,
            "departures": len(leads),
            "departures_flagged": len(caught),
            "median_lead_days": float(caught.median()) if len(caught) else None,
            "flags": len(flagged),
            "false_alarms": len(false_alarms),
            "false_alarm_reps": int(false_alarms["rep_id"].nunique()),
            "precision": (len(flagged) - len(false_alarms)) / len(flagged)
            if len(flagged)
            else None,
        },
        "departures": departures_rows,
        "dates": [
            {
                "as_of": _iso(row.as_of),
                "reps": int(row.reps),
                "flagged": int(row.flagged),
                "hits": int(row.hits),
                "false_alarms": int(row.false_alarms),
                "leaving": int(row.leaving),
            }
            for row in per_date.itertuples()
        ],
    }


def _iso(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value):
        return None
    return pd.Timestamp(value).date().isoformat()
