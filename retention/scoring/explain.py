"""Why a rep scores as they do: the rep's own drivers, grouped by the four warning signs.

A feature's contribution is how much this rep's probability falls when that one signal is set
back to an ordinary value (the training median for a trained model; for the rules, the points
it earned): a per-rep figure, not a global weight. Contributions of the features of one warning
sign (``signals.SIGNS``: output, leave, service, visits, plus context) add up to the sign's
weight; the strongest signs are the drivers, each told by its strongest feature.

Only signals on their worrying side count, so "activities rose" never reads as a reason to
leave. This package returns message ids and the numbers behind them, in the source's units; the
words are the service's (``retention.risk.drivers``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from retention.scoring.signals import SIGN_OF

# feature -> (message id, {number name: frame column}).
MESSAGES: dict[str, tuple[str, dict[str, str]]] = {
    "activity_change": (
        "activity_change",
        {
            "recent": "activities_recent",
            "usual": "activities_baseline",
            "change": "activity_change",
        },
    ),
    "activity_volatility": (
        "activity_swings_change",
        {"recent": "volatility_recent", "usual": "volatility_baseline"},
    ),
    "activity_variation": (
        "activity_swings",
        {"recent": "activity_variation", "usual": "volatility_baseline"},
    ),
    "activity_vs_peers": (
        "activity_vs_peers",
        {"recent": "activities_recent", "team": "activities_team_median"},
    ),
    "pipeline_change": (
        "pipeline_change",
        {"recent": "pipeline_recent", "usual": "pipeline_baseline"},
    ),
    "quota_attainment": ("quota", {"won": "won_recent", "attainment": "quota_attainment"}),
    "overdue_todos": ("overdue_todos", {"count": "overdue_todos"}),
    "activity_change_6w": (
        "activity_change_6w",
        {"recent": "activity_6w", "usual": "activity_baseline_6w", "change": "activity_change_6w"},
    ),
    "leave_episode_change": (
        "leave_episodes_longer",
        {"recent": "leave_episode_recent", "usual": "leave_episode_baseline"},
    ),
    "leave_days_change": (
        "leave_days",
        {"recent": "leave_days_recent", "usual": "leave_days_usual"},
    ),
    "leave_days_recent": (
        "leave_days",
        {"recent": "leave_days_recent", "usual": "leave_days_usual"},
    ),
    "adhoc_leave_days": (
        "adhoc_leave",
        {"days": "adhoc_leave_days", "episodes": "adhoc_leave_episodes"},
    ),
    "adhoc_leave_episodes": (
        "adhoc_leave",
        {"days": "adhoc_leave_days", "episodes": "adhoc_leave_episodes"},
    ),
    "sick_days": ("sick_days", {"days": "sick_days"}),
    "planned_leave_days": ("planned_leave", {"days": "planned_leave_days"}),
    "bridge_days": ("bridge_days", {"recent": "bridge_days_recent", "usual": "bridge_days_usual"}),
    "bridge_days_6w": ("bridge_days_6w", {"recent": "bridge_days_6w"}),
    "service_level": (
        "service",
        {
            "recent": "service_recent_points",
            "usual": "service_usual_points",
            "scale": "service_scale",
            "recent_share": "service_recent",
            "usual_share": "service_baseline",
        },
    ),
    "service_change": (
        "service",
        {
            "recent": "service_recent_points",
            "usual": "service_usual_points",
            "scale": "service_scale",
            "recent_share": "service_recent",
            "usual_share": "service_baseline",
        },
    ),
    "service_change_6w": (
        "service_6w",
        {"recent_share": "service_6w", "usual_share": "service_baseline", "scale": "service_scale"},
    ),
    "escalations_recent": (
        "escalations",
        {"recent": "escalations_recent", "usual": "complaints_usual"},
    ),
    "complaints_change": (
        "escalations",
        {"recent": "escalations_recent", "usual": "complaints_usual"},
    ),
    "escalation_rate": ("escalation_rate", {"rate": "escalation_rate", "cases": "cases_recent"}),
    "resolution_days": (
        "resolution_time",
        {"recent": "resolution_days", "usual": "resolution_days_usual"},
    ),
    "resolution_days_change": (
        "resolution_time",
        {"recent": "resolution_days", "usual": "resolution_days_usual"},
    ),
    "visit_hours_recent": (
        "visit_hours",
        {"recent": "visit_hours_recent", "usual": "visit_hours_before"},
    ),
    "visit_hours_change": (
        "visit_hours",
        {"recent": "visit_hours_recent", "usual": "visit_hours_before"},
    ),
    "visit_hours_change_6w": (
        "visit_hours_6w",
        {"recent": "visit_hours_6w", "usual": "visit_hours_baseline_6w"},
    ),
    "minutes_per_visit": (
        "minutes_per_visit",
        {"recent": "minutes_per_visit", "usual": "minutes_per_visit_before"},
    ),
    "minutes_per_visit_change": (
        "minutes_per_visit",
        {"recent": "minutes_per_visit", "usual": "minutes_per_visit_before"},
    ),
    "tenure_years": ("tenure", {"years": "tenure_years"}),
    "team_change_recent": ("team_change", {"on": "team_changed_on"}),
    "manager_change_recent": ("manager_change", {}),
    "team_departures_90d": ("team_departures", {"count": "team_departures_90d"}),
}

# Which side of each signal is the worrying one (direction, threshold): a driver is only named
# when its value is on that side, even where a model leans on an interaction.
WORRYING: dict[str, tuple[int, float]] = {
    "activity_change": (-1, 0.0),
    "activity_volatility": (+1, 0.0),
    "activity_variation": (+1, 0.2),
    "activity_vs_peers": (-1, 0.0),
    "pipeline_change": (-1, 0.0),
    "quota_attainment": (-1, 1.0),
    "overdue_todos": (+1, 0.0),
    "visit_hours_change": (-1, 0.05),
    "visit_hours_recent": (-1, np.inf),
    "minutes_per_visit": (-1, np.inf),
    "minutes_per_visit_change": (-1, 0.0),
    "leave_episode_change": (+1, 0.0),
    "leave_days_change": (+1, 0.0),
    "leave_days_recent": (+1, 0.0),
    "adhoc_leave_days": (+1, 0.0),
    "adhoc_leave_episodes": (+1, 0.0),
    "sick_days": (+1, 0.0),
    "planned_leave_days": (+1, 0.0),
    "bridge_days": (+1, 0.0),
    "service_change": (-1, 0.0),
    "service_level": (-1, np.inf),
    "complaints_change": (+1, 0.0),
    "escalations_recent": (+1, 0.0),
    "escalation_rate": (+1, 0.0),
    "resolution_days": (+1, 0.0),
    "resolution_days_change": (+1, 0.0),
    "activity_change_6w": (-1, 0.0),
    "visit_hours_change_6w": (-1, 0.05),
    "service_change_6w": (-1, 0.0),
    "bridge_days_6w": (+1, 0.0),
    "tenure_years": (-1, 2.0),
    "team_change_recent": (+1, 0.0),
    "manager_change_recent": (+1, 0.0),
    "team_departures_90d": (+1, 0.0),
}


def is_worrying(feature: str, value: float) -> bool:
    if feature not in WORRYING:
        return False
    direction, threshold = WORRYING[feature]
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
    # Copies of the model's features only: the model reads nothing else, and copies of the
    # whole frame (the numbers behind every signal too) took 700 MB at 10,000 reps.
    frame = frame.reindex(columns=features)
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


def _number(value: object) -> float | str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return round(float(value), 4)


def drivers(
    frame: pd.DataFrame, contributions: pd.DataFrame, *, top: int = 3, minimum: float = 1e-3
) -> list[list[dict]]:
    """For each row, up to ``top`` warning signs that raise this rep's risk most, strongest
    first: ``{"sign", "feature", "message", "numbers", "value", "weight"}``. A sign's weight is
    the sum of its worrying features' contributions; ``feature`` is the strongest of them."""
    names = [name for name in contributions.columns if name in MESSAGES]
    values = contributions[names].to_numpy(dtype=float) if names else np.zeros((len(frame), 0))
    raw = frame.reindex(columns=names).to_numpy(dtype=float)
    # Which (row, feature) count, for all rows at once: a positive contribution of a known
    # value on its worrying side (``is_worrying``).
    direction = np.array([WORRYING.get(name, (0, 0.0))[0] for name in names], dtype=float)
    threshold = np.array([WORRYING.get(name, (0, 0.0))[1] for name in names], dtype=float)
    with np.errstate(invalid="ignore"):
        counts = (values > 0) & ~np.isnan(raw) & (direction * (raw - threshold) > 0)
    signs_of = [SIGN_OF.get(name, "context") for name in names]
    # The numbers behind a message, read per column once (a Series yields Timestamps for
    # dates, as a row of the frame did).
    needed = {col for name in names for col in MESSAGES[name][1].values()} | set(names)
    columns = {col: list(frame[col]) if col in frame else None for col in needed}
    result: list[list[dict]] = []
    for position, hits in enumerate(counts):
        if not hits.any():
            result.append([])
            continue
        signs: dict[str, list[tuple[float, str]]] = {}
        for column in np.flatnonzero(hits):
            signs.setdefault(signs_of[column], []).append(
                (float(values[position, column]), names[column])
            )
        ranked = sorted(
            ((sum(w for w, _ in items), sign, max(items)) for sign, items in signs.items()),
            reverse=True,
        )
        items = []
        for total, sign, (_, name) in ranked[:top]:
            if total < minimum:
                break
            message, numbers = MESSAGES[name]
            items.append(
                {
                    "sign": sign,
                    "feature": name,
                    "message": message,
                    "numbers": {
                        key: _number(None if columns[col] is None else columns[col][position])
                        for key, col in numbers.items()
                    },
                    "value": float(columns[name][position]),
                    "weight": round(total, 4),
                }
            )
        result.append(items)
    return result
