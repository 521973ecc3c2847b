"""Score a feature frame with a trained model or the rules: probability, band and drivers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from retention.scoring import explain
from retention.scoring.model import band, predict
from retention.scoring.rules import RULE_FEATURES, RuleScorer, rule_points


@dataclass
class Scorer:
    """What a stored RiskModel turns into: an estimator, its features and reference values."""

    estimator: object
    features: list[str]
    kind: str  # "trained" or "rules"
    reference: dict[str, float | None] = field(default_factory=dict)

    @classmethod
    def rules(cls) -> Scorer:
        return cls(estimator=RuleScorer(), features=RULE_FEATURES, kind="rules")

    def probabilities(self, frame: pd.DataFrame) -> np.ndarray:
        return predict(self.estimator, frame, self.features)

    def contributions(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.kind == "rules":
            return rule_points(frame)
        return explain.occlusion_contributions(
            self.probabilities, frame, features=self.features, reference=self.reference
        )


def score_frame(
    frame: pd.DataFrame, *, scorer: Scorer, medium: float, high: float, top: int = 3
) -> pd.DataFrame:
    """probability, band and drivers (a list of dicts) for every row of a feature frame."""
    if len(frame) == 0:
        return pd.DataFrame(columns=["probability", "band", "drivers"], index=frame.index)
    # One thread: workers score chunks in parallel processes, and OpenMP threads fighting
    # over shared cores made prediction ten times slower.
    with threadpool_limits(limits=1):
        probability = np.clip(scorer.probabilities(frame), 0.0, 1.0)
        contributions = scorer.contributions(frame)
    drivers = explain.drivers(frame, contributions, top=top)
    return pd.DataFrame(
        {
            "probability": probability,
            "band": band(probability, medium=medium, high=high),
            "drivers": drivers,
        },
        index=frame.index,
    )
