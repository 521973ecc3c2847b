"""Training and measuring the departure-risk classifier.

``train`` compares a regularised logistic regression with a gradient-boosted model on a
time-based split (train on the earlier snapshots, validate on the later ones), keeps the one with
the better average precision on the later snapshots, calibrates its probabilities and reports
the figures stored with the model. The validation rows never touch training or calibration.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import joblib
import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from retention.scoring.signals import FEATURES

TOP_SHARE = 0.10
VALID_SHARE = 0.35
MIN_DEPARTURES = 15


class NotEnoughHistory(ValueError):
    """Too few departures (or snapshots) to train and validate honestly."""


def clip_extremes(values: np.ndarray) -> np.ndarray:
    """Ratios explode when a baseline is tiny; a linear model must not chase them."""
    return np.clip(values, -5.0, 5.0)


def candidate_pipelines(*, seed: int = 0) -> dict[str, Pipeline]:
    return {
        "logistic_regression": Pipeline(
            [
                ("clip", FunctionTransformer(clip_extremes)),
                (
                    "impute",
                    SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                ),
                ("scale", StandardScaler()),
                ("model", LogisticRegression(C=0.3, class_weight="balanced", max_iter=2000)),
            ]
        ),
        "hist_gradient_boosting": Pipeline(
            [
                (
                    "model",
                    HistGradientBoostingClassifier(
                        learning_rate=0.05,
                        max_iter=250,
                        max_leaf_nodes=15,
                        min_samples_leaf=40,
                        l2_regularization=1.0,
                        random_state=seed,
                    ),
                )
            ]
        ),
    }


@dataclass
class TrainingResult:
    estimator: object
    algorithm: str
    features: list[str]
    metrics: dict
    training_start: pd.Timestamp
    training_end: pd.Timestamp
    reference: dict[str, float] = field(default_factory=dict)
    validation: pd.DataFrame | None = None


def time_split(
    dataset: pd.DataFrame, *, horizon_days: int, valid_share: float = VALID_SHARE
) -> tuple[pd.Series, pd.Series, pd.Timestamp]:
    """Train rows, validation rows and the split date.

    Validation: the latest ``valid_share`` of snapshot dates. Training: the snapshots whose
    whole horizon ends before the split, so no departure is a positive on both sides.
    """
    dates = np.sort(pd.to_datetime(dataset["as_of"]).unique())
    if len(dates) < 4:
        raise NotEnoughHistory(f"only {len(dates)} snapshot dates; at least 4 are needed")
    split = pd.Timestamp(dates[int(len(dates) * (1 - valid_share))])
    as_of = pd.to_datetime(dataset["as_of"])
    train = as_of + pd.Timedelta(days=horizon_days) <= split
    valid = as_of >= split
    return train, valid, split


def top_share_flags(frame: pd.DataFrame, *, share: float = TOP_SHARE) -> pd.Series:
    """True for the rows in the top ``share`` of probability among the reps on the same date."""
    rank = frame.groupby("as_of")["probability"].rank(ascending=False, method="first")
    size = frame.groupby("as_of")["probability"].transform("size")
    return rank <= np.ceil(size * share)


def lead_times(frame: pd.DataFrame, *, departures: pd.Series, horizon_days: int) -> pd.DataFrame:
    """For each voluntary departure seen in ``frame``: its first flag in the horizon before it.

    ``frame`` has rep_id, as_of, flagged and label; ``departures`` maps rep_id to last day.
    """
    positives = frame[frame["label"] == 1]
    rows = []
    for rep_id, group in positives.groupby("rep_id"):
        left = pd.Timestamp(departures[rep_id])
        flagged = group[group["flagged"]]
        first = flagged["as_of"].min() if len(flagged) else pd.NaT
        rows.append(
            {
                "rep_id": rep_id,
                "departure_date": left,
                "first_flag": first,
                "lead_days": (left - first).days if pd.notna(first) else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=["rep_id", "departure_date", "first_flag", "lead_days"])


def evaluate(
    frame: pd.DataFrame, *, departures: pd.Series, horizon_days: int, share: float = TOP_SHARE
) -> dict:
    """ROC AUC, average precision, precision and recall in the top ``share`` per date, and the
    median lead time from first flag to departure. ``frame``: rep_id, as_of, probability, label.
    """
    frame = frame.copy()
    frame["flagged"] = top_share_flags(frame, share=share)
    labels = frame["label"].to_numpy()
    both_classes = 0 < labels.sum() < len(labels)
    flagged = frame["flagged"].to_numpy()
    hits = int((flagged & (labels == 1)).sum())
    leads = lead_times(frame, departures=departures, horizon_days=horizon_days)
    caught = leads["lead_days"].dropna()
    return {
        "roc_auc": float(roc_auc_score(labels, frame["probability"])) if both_classes else None,
        "average_precision": (
            float(average_precision_score(labels, frame["probability"])) if both_classes else None
        ),
        "top_share": share,
        "precision_top": hits / flagged.sum() if flagged.sum() else None,
        "recall_top": hits / labels.sum() if labels.sum() else None,
        "median_lead_days": float(caught.median()) if len(caught) else None,
        "departures": len(leads),
        "departures_flagged": len(caught),
        "rows": len(frame),
        "positives": int(labels.sum()),
    }


def train(
    dataset: pd.DataFrame,
    *,
    departures: pd.Series,
    horizon_days: int,
    seed: int = 0,
    features: list[str] = FEATURES,
    min_departures: int = MIN_DEPARTURES,
) -> TrainingResult:
    """Fit, compare, calibrate and measure. ``dataset``: rep_id, as_of, label and ``features``
    (only snapshots whose horizon is observable). ``departures``: rep_id → last day."""
    positive_reps = dataset.loc[dataset["label"] == 1, "rep_id"].nunique()
    if positive_reps < min_departures:
        raise NotEnoughHistory(
            f"{positive_reps} voluntary departures to learn from; {min_departures} are needed"
        )
    train_rows, valid_rows, split = time_split(dataset, horizon_days=horizon_days)
    train_set, valid_set = dataset[train_rows], dataset[valid_rows]
    for name, part in (("training", train_set), ("validation", valid_set)):
        if part["label"].nunique() < 2:
            raise NotEnoughHistory(f"the {name} snapshots hold no departure to learn from")
    # A signal never observed in training (no deals, no surveys in the data) teaches nothing.
    features = [name for name in features if train_set[name].notna().any()]
    x_train, y_train = train_set[features].astype(float), train_set["label"].to_numpy()
    x_valid, y_valid = valid_set[features].astype(float), valid_set["label"].to_numpy()

    candidates = {}
    for name, pipeline in candidate_pipelines(seed=seed).items():
        pipeline.fit(x_train, y_train)
        score = average_precision_score(y_valid, pipeline.predict_proba(x_valid)[:, 1])
        candidates[name] = float(score)
    algorithm = max(candidates, key=candidates.get)

    # Calibrate on folds grouped by rep: snapshots of one rep two weeks apart are near twins.
    folds = list(GroupKFold(n_splits=3).split(x_train, y_train, groups=train_set["rep_id"]))
    calibrated = CalibratedClassifierCV(
        candidate_pipelines(seed=seed)[algorithm], method="sigmoid", cv=folds
    )
    calibrated.fit(x_train, y_train)

    validation = valid_set[["rep_id", "as_of", "label"]].copy()
    validation["probability"] = calibrated.predict_proba(x_valid)[:, 1]
    metrics = evaluate(validation, departures=departures, horizon_days=horizon_days)
    metrics |= {
        "candidates_average_precision": candidates,
        "holdout_start": split.date().isoformat(),
        "holdout_end": pd.Timestamp(valid_set["as_of"].max()).date().isoformat(),
        "training_rows": len(train_set),
        "training_positives": int(y_train.sum()),
        "horizon_days": horizon_days,
    }
    reference = {name: float(x_train[name].median()) for name in features}
    return TrainingResult(
        estimator=calibrated,
        algorithm=algorithm,
        features=list(features),
        metrics=_json_safe(metrics),
        training_start=pd.Timestamp(train_set["as_of"].min()),
        training_end=pd.Timestamp(train_set["as_of"].max()),
        reference={k: (None if np.isnan(v) else v) for k, v in reference.items()},
        validation=validation,
    )


def predict(estimator: object, frame: pd.DataFrame, features: list[str]) -> np.ndarray:
    if len(frame) == 0:
        return np.zeros(0)
    return estimator.predict_proba(frame[features].astype(float))[:, 1]


def dumps(estimator: object) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer, compress=3)
    return buffer.getvalue()


def loads(artifact: bytes) -> object:
    return joblib.load(io.BytesIO(bytes(artifact)))


def _json_safe(value):
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def band(probability: np.ndarray, *, medium: float, high: float) -> np.ndarray:
    """low / medium / high by the configured thresholds (a threshold itself is the higher band)."""
    return np.where(
        probability >= high, "high", np.where(probability >= medium, "medium", "low")
    ).astype(object)
