"""Score a feature frame with a trained model or the rules: probability, band and drivers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from retention.scoring import explain
from retention.scoring.model import HORIZONS, MAIN_HORIZON, band, monotone, predict
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

    def horizons(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The chance of leaving within each of ``HORIZONS`` days (columns), monotone. A
        horizon the model has no classifier for (the rules have none but 90 days) is derived
        from the 90-day chance at a constant hazard: 1 − (1 − p)^(h / 90)."""
        if len(frame) == 0:
            return pd.DataFrame(columns=list(HORIZONS), index=frame.index, dtype=float)
        if hasattr(self.estimator, "predict_horizons"):
            known = self.estimator.predict_horizons(frame[self.features].astype(float))
            known.index = frame.index
        else:
            known = pd.DataFrame({MAIN_HORIZON: self.probabilities(frame)}, index=frame.index)
        main_days = getattr(self.estimator, "main", MAIN_HORIZON)
        main = np.clip(known[main_days].to_numpy(), 0.0, 1.0)
        for horizon in HORIZONS:
            if horizon not in known:
                known[horizon] = 1.0 - (1.0 - main) ** (horizon / main_days)
        return monotone(known[list(HORIZONS)].clip(0.0, 1.0), main=MAIN_HORIZON)

    def contributions(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.kind == "rules":
            return rule_points(frame)
        return explain.occlusion_contributions(
            self._main_probabilities, frame, features=self.features, reference=self.reference
        )

    def _main_probabilities(self, frame: pd.DataFrame) -> np.ndarray:
        """``probabilities`` from the main horizon's classifier alone, where the model has one
        per horizon: ``probabilities`` runs every horizon's and keeps the main one as it is
        (``monotone``), so the same numbers come three times cheaper. The occluded copies of
        a frame (one per feature) are most of the work of scoring."""
        estimators = getattr(self.estimator, "estimators", None)
        main = getattr(self.estimator, "main", None)
        if not isinstance(estimators, dict) or main not in estimators or len(frame) == 0:
            return self.probabilities(frame)
        return estimators[main].predict_proba(frame[self.features].astype(float))[:, 1]


def score_frame(
    frame: pd.DataFrame, *, scorer: Scorer, medium: float, high: float, top: int = 3
) -> pd.DataFrame:
    """probability (90 days), probability_30, probability_180, band and drivers (a list of
    dicts with message ids and numbers) for every row of a feature frame."""
    columns = ["probability", "probability_30", "probability_180", "band", "drivers"]
    if len(frame) == 0:
        return pd.DataFrame(columns=columns, index=frame.index)
    # One thread: workers score chunks in parallel processes, and OpenMP threads fighting
    # over shared cores made prediction ten times slower.
    with threadpool_limits(limits=1):
        horizons = scorer.horizons(frame)
        contributions = scorer.contributions(frame)
    probability = horizons[MAIN_HORIZON].to_numpy()
    drivers = explain.drivers(frame, contributions, top=top)
    return pd.DataFrame(
        {
            "probability": probability,
            "probability_30": horizons[30].to_numpy(),
            "probability_180": horizons[180].to_numpy(),
            "band": band(probability, medium=medium, high=high),
            "drivers": drivers,
        },
        index=frame.index,
    )
