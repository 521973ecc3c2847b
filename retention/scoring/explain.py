"""Why a rep scores as they do: the top drivers, in plain words with the numbers behind them.

A driver's weight is how much the probability falls when that one signal is set back to an
ordinary value (the training median for a trained model; for the rules, the points it earned).
Only signals that push the risk up are drivers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def _num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _usual(value: float, digits: int = 1) -> str:
    return "none" if pd.isna(value) else _num(value, digits)


# One sentence per signal, built from the numbers behind it.
TEXTS: dict[str, Callable[[pd.Series], str]] = {
    "activity_change": lambda r: (
        f"{_num(r.activities_recent)} activities a week in the last 13 weeks, against "
        f"{_num(r.activities_baseline)} over the year before ({r.activity_change:+.0%})"
    ),
    "activity_volatility": lambda r: (
        f"weekly activity swings of {_pct(r.volatility_recent)} around the average in the last "
        f"13 weeks, against {_pct(r.volatility_baseline)} over the year before"
    ),
    "activity_vs_peers": lambda r: (
        f"{_num(r.activities_recent)} activities a week in the last 13 weeks, against a team "
        f"median of {_num(r.activities_team_median)}"
    ),
    "pipeline_change": lambda r: (
        f"new pipeline of {_num(r.pipeline_recent, 0)} a week in the last 13 weeks, against "
        f"{_num(r.pipeline_baseline, 0)} over the year before"
    ),
    "quota_attainment": lambda r: (
        f"won {_num(r.won_recent, 0)} in the last 26 weeks, {_pct(r.quota_attainment)} of quota"
    ),
    "visit_hours_change": lambda r: (
        f"{_num(r.visit_hours_recent)} hours of visits and meetings a week in the last 13 "
        f"weeks, against {_num(r.visit_hours_before)} in the 13 weeks before"
    ),
    "leave_episode_change": lambda r: (
        f"average leave episode {_num(r.leave_episode_recent)} days in the last 90 days, "
        f"against {_num(r.leave_episode_baseline)} days over the previous year"
    ),
    "leave_days_change": lambda r: (
        f"{_num(r.leave_days_recent, 0)} days off in the last 90 days, against "
        f"{_usual(r.leave_days_usual)} usually"
    ),
    "bridge_days": lambda r: (
        f"{_num(r.bridge_days_recent, 0)} single days off next to a weekend in the last 90 "
        f"days, against {_usual(r.bridge_days_usual)} usually"
    ),
    "service_change": lambda r: (
        f"service score {_pct(r.service_recent)} in the last 13 weeks, against "
        f"{_pct(r.service_baseline)} over the year before"
    ),
    "complaints_change": lambda r: (
        f"{_num(r.complaints_recent, 0)} complaints or escalations in the last 13 weeks, "
        f"against {_usual(r.complaints_usual)} usually"
    ),
    "activity_change_6w": lambda r: (
        f"{_num(r.activity_6w)} activities a week in the last 6 weeks, against "
        f"{_num(r.activity_baseline_6w)} over the year before ({r.activity_change_6w:+.0%})"
    ),
    "visit_hours_change_6w": lambda r: (
        f"{_num(r.visit_hours_6w)} hours of visits and meetings a week in the last 6 weeks, "
        f"against {_num(r.visit_hours_baseline_6w)} over the year before"
    ),
    "service_change_6w": lambda r: (
        f"service score {_pct(r.service_6w)} in the last 6 weeks, against "
        f"{_pct(r.service_baseline)} over the year before"
    ),
    "bridge_days_6w": lambda r: (
        f"{_num(r.bridge_days_6w, 0)} single days off next to a weekend in the last 6 weeks"
    ),
    "tenure_years": lambda r: f"{_num(r.tenure_years)} years with the company",
    "team_change_recent": lambda r: (
        f"changed team on {pd.Timestamp(r.team_changed_on).date().isoformat()}"
        if pd.notna(r.team_changed_on)
        else "changed team recently"
    ),
}


# Which side of each signal is the worrying one (direction, threshold): a driver is only named
# when its value is on that side, so "activities rose" never reads as a reason to leave even
# where a model leans on an interaction.
WORRYING: dict[str, tuple[int, float]] = {
    "activity_change": (-1, 0.0),
    "activity_volatility": (+1, 0.0),
    "activity_vs_peers": (-1, 0.0),
    "pipeline_change": (-1, 0.0),
    "quota_attainment": (-1, 1.0),
    "visit_hours_change": (-1, 0.05),
    "leave_episode_change": (+1, 0.0),
    "leave_days_change": (+1, 0.0),
    "bridge_days": (+1, 0.0),
    "service_change": (-1, 0.0),
    "complaints_change": (+1, 0.0),
    "activity_change_6w": (-1, 0.0),
    "visit_hours_change_6w": (-1, 0.05),
    "service_change_6w": (-1, 0.0),
    "bridge_days_6w": (+1, 0.0),
    "tenure_years": (-1, 2.0),
    "team_change_recent": (+1, 0.0),
}


def is_worrying(feature: str, value: float) -> bool:
    direction, threshold = WORRYING.get(feature, (+1, -np.inf))
    return bool(direction * (value - threshold) > 0)


def occlusion_contributions(
    predict: Callable[[pd.DataFrame], np.ndarray],
    frame: pd.DataFrame,
    *,
    features: list[str],
    reference: dict[str, float | None],
) -> pd.DataFrame:
    """Per row and feature: probability minus the probability with that feature set to its
    reference value. All the changed copies go through the model in one batch."""
    if len(frame) == 0:
        return pd.DataFrame(columns=features, index=frame.index, dtype=float)
    copies = [frame]
    for name in features:
        changed = frame.copy()
        value = reference.get(name)
        changed[name] = np.nan if value is None else value
        copies.append(changed)
    probabilities = predict(pd.concat(copies, ignore_index=True)).reshape(len(copies), len(frame))
    return pd.DataFrame(
        (probabilities[0] - probabilities[1:]).T, index=frame.index, columns=features
    )


def drivers(
    frame: pd.DataFrame, contributions: pd.DataFrame, *, top: int = 3, minimum: float = 1e-3
) -> list[list[dict]]:
    """For each row, up to ``top`` signals that raise the risk most, strongest first:
    ``{"feature", "text", "value", "weight"}``."""
    result: list[list[dict]] = []
    values = contributions.to_numpy()
    names = list(contributions.columns)
    for position, (_, row) in enumerate(frame.iterrows()):
        weights = values[position]
        items = []
        for column in np.argsort(-weights):
            if len(items) == top:
                break
            weight = float(weights[column])
            name = names[column]
            if weight < minimum:
                break
            if pd.isna(row[name]) or not is_worrying(name, row[name]):
                continue
            items.append(
                {
                    "feature": name,
                    "text": TEXTS[name](row),
                    "value": float(row[name]),
                    "weight": round(weight, 4),
                }
            )
        result.append(items)
    return result
