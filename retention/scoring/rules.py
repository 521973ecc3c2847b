"""The rule-based score, used until there are enough departures to learn from.

Each signal earns points once it passes a neutral value, growing linearly with its distance
from it (capped at twice the weight). The probability is a logistic function of the total, so a
rep with no warning sign scores about 3 %, one sign well past its mark about 7–20 %, and several
together climb into the high band. Nothing is learnt from data: every number is here to read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

RULES_VERSION = "rules-1"
# The bands of the rule-based score (and of a trained model stored before models carried
# their own thresholds): medium from 25 %, high from 50 %. RELAY_RISK_MEDIUM and
# RELAY_RISK_HIGH, when set, override every model's (retention.selectors.risk_thresholds).
RULES_MEDIUM = 0.25
RULES_HIGH = 0.5
INTERCEPT = -3.5


@dataclass(frozen=True)
class Rule:
    feature: str
    direction: int  # +1: higher is worse; −1: lower is worse
    neutral: float  # no points on the good side of this value
    scale: float  # one scale past neutral earns ``weight`` points
    weight: float


RULES = [
    Rule("activity_change", -1, -0.10, 0.30, 1.0),
    Rule("activity_volatility", +1, 0.10, 0.30, 0.5),
    Rule("activity_vs_peers", -1, -0.10, 0.30, 0.5),
    Rule("pipeline_change", -1, -0.10, 0.40, 0.7),
    Rule("quota_attainment", -1, 0.80, 0.40, 0.6),
    Rule("visit_hours_change", -1, 0.00, 0.30, 0.5),
    Rule("leave_episode_change", +1, 0.50, 2.00, 1.0),
    Rule("leave_days_change", +1, 1.00, 4.00, 0.8),
    Rule("bridge_days", +1, 0.50, 1.50, 0.8),
    Rule("service_change", -1, -0.03, 0.10, 0.6),
    Rule("complaints_change", +1, 0.50, 1.50, 0.6),
    Rule("tenure_years", -1, 2.00, 1.50, 0.3),
    Rule("team_change_recent", +1, 0.00, 1.00, 0.4),
]
RULE_FEATURES = [rule.feature for rule in RULES]


def rule_points(frame: pd.DataFrame) -> pd.DataFrame:
    """Points each rule gives each row (0 where the signal is unknown or on the good side)."""
    points = {}
    for rule in RULES:
        values = frame[rule.feature].astype(float).to_numpy()
        distance = rule.direction * (values - rule.neutral) / rule.scale
        points[rule.feature] = np.clip(np.nan_to_num(distance, nan=0.0), 0.0, 2.0) * rule.weight
    return pd.DataFrame(points, index=frame.index)


class RuleScorer:
    """Same face as a fitted classifier: ``predict_proba(frame)[:, 1]`` is the probability."""

    features = RULE_FEATURES
    algorithm = "rules"

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        total = rule_points(frame).sum(axis=1).to_numpy()
        probability = 1.0 / (1.0 + np.exp(-(INTERCEPT + total)))
        return np.column_stack([1.0 - probability, probability])
