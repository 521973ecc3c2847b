"""The demo generator's frames as the departure-cost method's input, and its planted truth.

Shared by the tests that hold the method against the losses the generator planted: the
ledger (deals, books, reps) as ``costs.Ledger`` wants it, each departure within the history
with its seat's successor, and the planted loss summed over the windows the method used."""

import datetime as dt

import numpy as np
import pandas as pd

from handover.hiring import costs
from retention.demo.generate import Org, chunk_count, history_chunk

# The ramp-up phase in these tests: 180 days from the successor's start (the page stops it when
# the successor reaches the target share; the truth is summed over whatever window is used).
RAMP_DAYS = 180


def histories(org: Org) -> tuple[pd.DataFrame, pd.DataFrame]:
    chunks = [history_chunk(org, c) for c in range(chunk_count(org))]
    deals = pd.concat([c.deals for c in chunks], ignore_index=True)
    lost = pd.concat([c.lost_sales for c in chunks], ignore_index=True)
    return deals, lost


def _dates_or_none(org: Org, days: np.ndarray) -> np.ndarray:
    days = np.asarray(days, dtype=np.int64)
    out = org.dates(np.maximum(days, 0)).astype("datetime64[D]")
    return np.where(days >= 0, out, np.datetime64("NaT", "D"))


def ledger(org: Org, deals: pd.DataFrame) -> costs.Ledger:
    owners = org.assignments[org.assignments["role"] == "owner"]
    people = org.people
    return costs.Ledger(
        deals=pd.DataFrame(
            {
                "customer_id": deals["customer"],
                "created_on": org.dates(deals["created"]),
                "close_date": org.dates(deals["close"]),
                "amount": deals["amount"],
                "won": deals["status"] == "won",
            }
        ),
        owners=pd.DataFrame(
            {
                "customer_id": owners["customer"],
                "rep_id": owners["person"],
                "valid_from": org.dates(owners["valid_from"]),
                "valid_to": _dates_or_none(org, owners["valid_to"]),
            }
        ),
        reps=pd.DataFrame(
            {
                "rep_id": people.index,
                "team_id": people["team"],
                "region": people["region"].astype(str),
                "hire_date": org.dates(people["hire_day"]),
                "departure_date": _dates_or_none(org, people["departure_day"]),
            }
        ),
    )


def departures(org: Org) -> list[costs.Departure]:
    """Every departure within the history (last day before the end date), with the seat's
    successor's first day and a ramp-up of ``RAMP_DAYS``."""
    people = org.people
    last = org.days - 1
    out = []
    for person in np.flatnonzero((people["departure_day"] >= 0) & (people["departure_day"] < last)):
        row = people.loc[person]
        later = people[
            (people["seat"] == row["seat"]) & (people["hire_day"] > row["departure_day"])
        ]
        start = org.date(later["hire_day"].iloc[0]) if len(later) else None
        out.append(
            costs.Departure(
                rep_id=int(person),
                team_id=int(row["team"]),
                region=str(row["region"]),
                last_day=org.date(row["departure_day"]),
                successor_start=start,
                target_reached_on=start + dt.timedelta(days=RAMP_DAYS) if start else None,
            )
        )
    return out


def planted(org: Org, lost: pd.DataFrame, cost: costs.DepartureCost, cause: str = "") -> float:
    """What the generator planted for this departure within the windows the method measured."""
    mine = lost[lost["departure_person"] == cost.departure.rep_id]
    if cause:
        mine = mine[mine["cause"] == cause]
    total = 0.0
    for phase in cost.phases:
        lo, hi = (phase.start - org.start).days, (phase.end - org.start).days
        total += float(mine.loc[(mine["close"] >= lo) & (mine["close"] <= hi), "amount"].sum())
    return total
