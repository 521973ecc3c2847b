"""Training and measuring the departure-risk classifier.

``train`` chooses among logistic regressions and gradient-boosted models at two strengths of
regularisation each, by their ROC AUC on folds of the training snapshots grouped by rep;
chooses Platt or isotonic calibration by how well each calibrates the risk bands on those
folds' out-of-fold probabilities; fits and calibrates the chosen one, and reports the
figures on the later snapshots (the holdout). The holdout rows never touch the choices,
training or calibration.

Horizons: one calibrated classifier per horizon (30, 90, 180 days) on the same features, made
monotone afterwards (the chance of leaving within 30 days is never above the 90-day one, nor
the 90-day one above the 180-day one); the 90-day one drives the band and the figures.

Honest validation: next to the model, the same figures for two simple baselines (leave days in
the last 90 days; recent variation of weekly activity) on the same holdout rows, the same again
over several rolling split dates with their spread, a reliability table (predicted against
observed per decile) and the calibration per band. ``publishable`` says whether the model beats
the best baseline on the holdout, and if not, why.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import joblib
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from retention.scoring.signals import FEATURES

TOP_SHARE = 0.10
VALID_SHARE = 0.35
MIN_DEPARTURES = 15
HORIZONS = (30, 90, 180)
MAIN_HORIZON = 90
# The simple baselines a model has to beat: one feature each, higher is riskier.
BASELINES = {
    "leave_days_recent": "Leave days in the last 90 days",
    "activity_variation": "Recent variation of weekly activity",
}
# Rolling splits: validate on the 13 weeks after each of these shares of the snapshot dates.
ROLLING_SPLITS = (0.5, 0.6, 0.7)
ROLLING_WINDOW_DAYS = 91
CALIBRATION_TOLERANCE = 0.05
CALIBRATION_METHODS = ("sigmoid", "isotonic")
INNER_FOLDS = 3
# Past this many reps the learner is chosen on a sample of them: the choice needs hundreds of
# departures, not every snapshot, and training time stays flat at 10,000 reps.
SELECTION_MAX_REPS = 2000
# The candidates by capacity, least first (``simplest_within_one_error``).
SIMPLEST_FIRST = (
    "logistic_regression_strong_l2",
    "logistic_regression",
    "hist_gradient_boosting_shallow",
    "hist_gradient_boosting",
)
# A horizon with fewer departing reps than this in training is not fitted (no figure for it).
MIN_HORIZON_DEPARTURES = 5
# Told as each fit begins (fits begun, fits in all), so a long training shows it is alive.
Progress = Callable[[int, int], None]


class NotEnoughHistory(ValueError):
    """Too few departures (or snapshots) to train and validate honestly."""


def clip_extremes(values: np.ndarray) -> np.ndarray:
    """Clip at ±5 in the signals' own units. Kept so that models stored before
    ``Winsorizer`` still load; it flattened every signal counted in days or minutes."""
    return np.clip(values, -5.0, 5.0)


class Winsorizer(TransformerMixin, BaseEstimator):
    """Clip each column to bounds fitted on it: three interquartile ranges beyond its quartiles
    (Tukey's far-out fences), widened to its ``lower`` and ``upper`` quantiles where those lie
    further out (a count that is mostly 0 has no interquartile range).

    Ratios explode when a baseline is tiny and a linear model must not chase them, but a
    fixed bound cannot serve signals on different scales (leave days run to 30, minutes per
    visit sit near 60, ratios near 0), and clipping at percentiles would flatten the most
    strained reps, who are the signal: only values far outside a column's own spread move."""

    def __init__(self, lower: float = 0.001, upper: float = 0.999, fence: float = 3.0) -> None:
        self.lower = lower
        self.upper = upper
        self.fence = fence

    def fit(self, x, y=None):
        values = np.asarray(x, dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a column never observed
            q = np.nanquantile(values, [self.lower, 0.25, 0.75, self.upper], axis=0)
        spread = q[2] - q[1]
        self.low_ = np.fmin(q[1] - self.fence * spread, q[0])
        self.high_ = np.fmax(q[2] + self.fence * spread, q[3])
        self.n_features_in_ = values.shape[1]
        return self

    def transform(self, x):
        values = np.asarray(x, dtype=float)
        low = np.where(np.isnan(self.low_), -np.inf, self.low_)
        high = np.where(np.isnan(self.high_), np.inf, self.high_)
        return np.clip(values, low, high)


def _logistic(c: float) -> Pipeline:
    return Pipeline(
        [
            ("clip", Winsorizer()),
            (
                "impute",
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            ),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=c, class_weight="balanced", max_iter=2000)),
        ]
    )


def _boosting(*, seed: int, **settings) -> Pipeline:
    return Pipeline([("model", HistGradientBoostingClassifier(random_state=seed, **settings))])


def candidate_pipelines(*, seed: int = 0) -> dict[str, Pipeline]:
    """The learners the inner validation chooses from: each family at a milder and a stronger
    regularisation. An organisation yields a few dozen departures to learn from, spread over
    ~40 signals; which capacity that supports is a question for the data, not a constant."""
    return {
        "logistic_regression": _logistic(0.1),
        "logistic_regression_strong_l2": _logistic(0.01),
        "hist_gradient_boosting": _boosting(
            seed=seed,
            learning_rate=0.05,
            max_iter=250,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            l2_regularization=1.0,
        ),
        "hist_gradient_boosting_shallow": _boosting(
            seed=seed,
            learning_rate=0.03,
            max_iter=150,
            max_depth=3,
            max_leaf_nodes=8,
            min_samples_leaf=30,
            l2_regularization=5.0,
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
    columns = ["rep_id", "departure_date", "first_flag", "lead_days"]
    positives = frame.loc[frame["label"] == 1, ["rep_id", "as_of", "flagged"]]
    if positives.empty:
        return pd.DataFrame(columns=columns)
    # One grouped pass, not a Python loop per rep: the earliest flagged date of each rep.
    flagged_on = pd.to_datetime(positives["as_of"]).where(positives["flagged"].astype(bool))
    first = flagged_on.groupby(positives["rep_id"]).min()
    left = pd.to_datetime(departures.reindex(first.index))
    lead = (left - first).dt.days.astype("float64")
    return pd.DataFrame(
        {
            "rep_id": first.index.to_numpy(),
            "departure_date": left.to_numpy(),
            "first_flag": first.to_numpy(),
            "lead_days": lead.to_numpy(),
        },
        columns=columns,
    )


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


class HorizonModel:
    """The calibrated classifiers of one trained model, one per horizon (days), monotone.

    ``predict_proba`` is the main horizon's (the face every scorer and explanation uses);
    ``predict_horizons`` gives every horizon at once."""

    def __init__(self, estimators: dict[int, object], *, main: int = MAIN_HORIZON) -> None:
        self.estimators = dict(sorted(estimators.items()))
        self.main = main

    def predict_horizons(self, x: pd.DataFrame) -> pd.DataFrame:
        raw = {h: est.predict_proba(x)[:, 1] for h, est in self.estimators.items()}
        return monotone(pd.DataFrame(raw, index=x.index), main=self.main)

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        p = self.predict_horizons(x)[self.main].to_numpy()
        return np.column_stack([1.0 - p, p])


def monotone(probabilities: pd.DataFrame, *, main: int = MAIN_HORIZON) -> pd.DataFrame:
    """Columns are horizons in days. The main horizon is kept as it is (it is the calibrated
    and validated one); shorter horizons are capped by the next longer one, longer ones raised
    to at least the next shorter one, so the chances never fall as the horizon grows."""
    result = probabilities.copy()
    horizons = sorted(result.columns)
    position = horizons.index(main) if main in horizons else len(horizons) - 1
    for i in range(position - 1, -1, -1):
        result[horizons[i]] = np.minimum(result[horizons[i]], result[horizons[i + 1]])
    for i in range(position + 1, len(horizons)):
        result[horizons[i]] = np.maximum(result[horizons[i]], result[horizons[i - 1]])
    return result


def label_column(horizon: int) -> str:
    return f"label_{horizon}"


def _labels(dataset: pd.DataFrame, horizon: int, main: int) -> pd.Series:
    column = label_column(horizon)
    if column in dataset:
        return dataset[column]
    if horizon == main and "label" in dataset:
        return dataset["label"]
    return pd.Series(np.nan, index=dataset.index)


def baseline_scores(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A baseline's score: the feature itself, the median where unknown (so it ranks mid)."""
    values = frame[name].astype(float)
    return values.fillna(values.median() if values.notna().any() else 0.0).to_numpy()


def reliability(
    probability: np.ndarray, label: np.ndarray, *, bins: int = 10
) -> list[dict[str, float]]:
    """Predicted against observed per decile of predicted probability."""
    order = np.argsort(probability, kind="stable")
    rows = []
    for number, part in enumerate(np.array_split(order, bins), start=1):
        if not len(part):
            continue
        rows.append(
            {
                "decile": number,
                "rows": len(part),
                "predicted": float(probability[part].mean()),
                "observed": float(label[part].mean()),
            }
        )
    return rows


def wilson_interval(rate: float, n: int, *, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson interval of a rate observed on ``n`` independent cases."""
    if n <= 0:
        return 0.0, 1.0
    centre = (rate + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def band_calibration(
    probability: np.ndarray,
    label: np.ndarray,
    *,
    medium: float,
    high: float,
    tolerance: float = CALIBRATION_TOLERANCE,
    groups: np.ndarray | None = None,
) -> list[dict]:
    """Per band: rows, mean predicted, observed rate and whether they are within tolerance;
    for the high band also how many departures the probabilities expect.

    With ``groups`` (the rep of each row) also the distinct reps and a 95 % interval of the
    observed rate counting reps, not rows, as the cases: a rep's snapshots two weeks apart
    are one case seen several times, and a band of a few reps cannot settle a 5-point
    tolerance either way."""
    bands = band(probability, medium=medium, high=high)
    rows = []
    for name in ("low", "medium", "high"):
        mask = bands == name
        if not mask.any():
            rows.append({"band": name, "rows": 0, "predicted": None, "observed": None})
            continue
        predicted, observed = float(probability[mask].mean()), float(label[mask].mean())
        row = {
            "band": name,
            "rows": int(mask.sum()),
            "predicted": predicted,
            "observed": observed,
            "expected_departures": float(probability[mask].sum()),
            "departures": int(label[mask].sum()),
            "within_tolerance": abs(predicted - observed) <= tolerance,
        }
        if groups is not None:
            reps = len(np.unique(groups[mask]))
            low, high_end = wilson_interval(observed, reps)
            row |= {
                "reps": reps,
                "observed_low": low,
                "observed_high": high_end,
                "predicted_in_interval": low <= predicted <= high_end,
            }
        rows.append(row)
    return rows


def _split_at(dates: np.ndarray, share: float) -> pd.Timestamp:
    return pd.Timestamp(dates[min(int(len(dates) * share), len(dates) - 1)])


def rolling_validation(
    dataset: pd.DataFrame,
    *,
    algorithm: str,
    features: list[str],
    departures: pd.Series,
    horizon_days: int,
    seed: int = 0,
    shares: tuple[float, ...] = ROLLING_SPLITS,
    step: Callable[[], None] = lambda: None,
) -> dict:
    """Train on the snapshots whose horizon ends before each split date, validate on the 13
    weeks after it; the model's and each baseline's ROC AUC per split, and their spread.
    ``step`` is called as each split begins."""
    dates = np.sort(pd.to_datetime(dataset["as_of"]).unique())
    as_of = pd.to_datetime(dataset["as_of"])
    splits = []
    for share in shares:
        step()
        split = _split_at(dates, share)
        train_rows = (as_of + pd.Timedelta(days=horizon_days) <= split) & (
            dataset.get("recent_unobserved_weeks", pd.Series(0, index=dataset.index)).fillna(0) == 0
        )
        valid_rows = (as_of >= split) & (as_of < split + pd.Timedelta(days=ROLLING_WINDOW_DAYS))
        train_set, valid_set = dataset[train_rows], dataset[valid_rows]
        if train_set["label"].nunique() < 2 or valid_set["label"].nunique() < 2:
            continue
        pipeline = candidate_pipelines(seed=seed)[algorithm]
        pipeline.fit(train_set[features].astype("float32"), train_set["label"].to_numpy())
        frame = valid_set[["rep_id", "as_of", "label"]].copy()
        frame["probability"] = pipeline.predict_proba(valid_set[features].astype("float32"))[:, 1]
        row = {
            "split": split.date().isoformat(),
            "rows": len(frame),
            "positives": int(frame["label"].sum()),
            "model": evaluate(frame, departures=departures, horizon_days=horizon_days),
        }
        for name in BASELINES:
            frame["probability"] = baseline_scores(valid_set, name)
            row[name] = evaluate(frame, departures=departures, horizon_days=horizon_days)
        splits.append(row)

    def spread(key: str) -> dict:
        values = [s[key]["roc_auc"] for s in splits if s[key]["roc_auc"] is not None]
        if not values:
            return {"mean": None, "std": None, "min": None, "max": None}
        return {
            "mean": float(np.mean(values)),
            "std": float(np.std(values)),
            "min": float(np.min(values)),
            "max": float(np.max(values)),
        }

    return {
        "splits": splits,
        "roc_auc": {key: spread(key) for key in ("model", *BASELINES)},
    }


def rep_folds(frame: pd.DataFrame, *, n_splits: int = INNER_FOLDS) -> list:
    """Folds grouped by rep: all snapshots of one rep (so each departure, and the near-twin
    snapshots two weeks apart) fall on one side."""
    n = max(2, min(n_splits, frame["rep_id"].nunique()))
    return list(GroupKFold(n_splits=n).split(frame, groups=frame["rep_id"]))


def _selection_sample(train_set: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    reps = train_set["rep_id"].unique()
    if len(reps) <= SELECTION_MAX_REPS:
        return train_set
    keep = np.random.default_rng(seed).choice(reps, size=SELECTION_MAX_REPS, replace=False)
    return train_set[train_set["rep_id"].isin(keep)]


def _compare_candidates(
    train_set: pd.DataFrame,
    *,
    features: list[str],
    seed: int,
    step: Callable[[], None] = lambda: None,
) -> tuple[dict, dict, str, dict[str, np.ndarray] | None, pd.DataFrame]:
    """Each candidate's mean ROC AUC on folds of the training snapshots grouped by rep and its
    standard error, the one kept (``simplest_within_one_error``), the out-of-fold
    probabilities of each and the rows they are for. The holdout that reports the figures
    never picks the learner.

    Why folds by rep and not a later time slice: a time split must leave a whole horizon
    between its two sides, and training spans only the months before the holdout less that
    horizon; on a year or two of history an inner time split leaves nothing to fit on (it
    silently fell back to a fixed choice). Grouping by rep keeps the one leak that matters
    shut, a departure seen on both sides; drift over time is what the holdout measures.
    Without departures in the folds: the strongly regularised logistic regression."""
    sample = _selection_sample(train_set, seed=seed)
    x, y = sample[features].astype("float32"), sample["label"].to_numpy()
    folds = [
        (fit, check)
        for fit, check in rep_folds(sample)
        if 0 < y[fit].sum() < len(fit) and 0 < y[check].sum() < len(check)
    ]
    fallback = "logistic_regression_strong_l2"
    if not folds:
        return {}, {}, fallback, None, sample
    scores, errors, out_of_fold = {}, {}, {}
    for name in candidate_pipelines(seed=seed):
        step()
        aucs, probability = [], np.full(len(sample), np.nan)
        for fit, check in folds:
            pipeline = candidate_pipelines(seed=seed)[name]
            pipeline.fit(x.iloc[fit], y[fit])
            probability[check] = pipeline.predict_proba(x.iloc[check])[:, 1]
            aucs.append(roc_auc_score(y[check], probability[check]))
        scores[name], out_of_fold[name] = float(np.mean(aucs)), probability
        errors[name] = float(np.std(aucs) / np.sqrt(len(aucs)))
    return scores, errors, simplest_within_one_error(scores, errors), out_of_fold, sample


def simplest_within_one_error(scores: dict[str, float], errors: dict[str, float]) -> str:
    """The first (simplest) candidate, in ``SIMPLEST_FIRST`` order, whose score is within one
    standard error of the best one's. A few dozen departures make fold scores noisy; between
    learners the folds cannot tell apart, the one with less capacity generalises more safely."""
    best = max(scores, key=scores.get)
    bar = scores[best] - errors.get(best, 0.0)
    for name in SIMPLEST_FIRST:
        if name in scores and scores[name] >= bar:
            return name
    return best


def choose_calibration(
    probability: np.ndarray,
    label: np.ndarray,
    groups: np.ndarray,
    *,
    medium: float = 0.25,
    high: float = 0.5,
) -> tuple[str, dict[str, dict[str, float]]]:
    """Sigmoid (Platt) or isotonic calibration, by how well each calibrates the risk bands on
    rep folds of out-of-fold probabilities: each fold is calibrated by a curve fitted on the
    others, and the mean gap between predicted and observed per band (each band counting
    alike, the Brier score beside it) decides.

    Why per band and not the Brier score alone: nineteen rows in twenty are low, so the Brier
    score hardly sees the top, where the bands are read. Platt bends every score by one
    logistic curve (steady with few departures, but it pulls the clearest cases down when the
    top is cleaner than such a curve allows); isotonic follows the data and needs more of them.
    Isotonic only when it is better by at least a point."""
    known = ~np.isnan(probability)
    p, y, g = probability[known], label[known], groups[known]
    n = min(INNER_FOLDS, len(np.unique(g)))
    if n < 2 or not 0 < y.sum() < len(y):
        return "sigmoid", {}
    logit = np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1)).reshape(-1, 1)
    calibrated = {method: np.full(len(p), np.nan) for method in CALIBRATION_METHODS}
    for fit, check in GroupKFold(n_splits=n).split(p, groups=g):
        if not 0 < y[fit].sum() < len(fit):
            continue
        platt = LogisticRegression(C=1e6, max_iter=1000).fit(logit[fit], y[fit])
        calibrated["sigmoid"][check] = platt.predict_proba(logit[check])[:, 1]
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(p[fit], y[fit])
        calibrated["isotonic"][check] = iso.predict(p[check])
    scored = ~np.isnan(calibrated["sigmoid"])
    if not scored.any():
        return "sigmoid", {}
    checks = {}
    for method, values in calibrated.items():
        rows = band_calibration(values[scored], y[scored], medium=medium, high=high)
        gaps = [abs(r["predicted"] - r["observed"]) for r in rows if r["rows"]]
        checks[method] = {
            "band_error": float(np.mean(gaps)),
            "brier": float(brier_score_loss(y[scored], values[scored])),
        }
    better = checks["isotonic"]["band_error"] <= checks["sigmoid"]["band_error"] - 0.01
    return ("isotonic" if better else "sigmoid"), checks


def train(*args, **kwargs) -> TrainingResult:
    """``_train`` on one thread: training runs in one worker process beside others, and OpenMP
    threads fighting over shared cores made gradient boosting many times slower."""
    with threadpool_limits(limits=1):
        return _train(*args, **kwargs)


def _train(
    dataset: pd.DataFrame,
    *,
    departures: pd.Series,
    horizon_days: int = MAIN_HORIZON,
    horizons: tuple[int, ...] = HORIZONS,
    seed: int = 0,
    features: list[str] = FEATURES,
    min_departures: int = MIN_DEPARTURES,
    medium: float = 0.25,
    high: float = 0.5,
    rolling: bool = True,
    progress: Progress | None = None,
) -> TrainingResult:
    """Fit, compare, calibrate and measure. ``dataset``: rep_id, as_of, ``features`` and a label
    per horizon (``label_30``, ``label_90``, …: 1/0, NaN where the horizon is not yet observed;
    a plain ``label`` is the main horizon's). ``departures``: rep_id → last day. Snapshots
    whose recent window is not observed (``recent_unobserved_weeks`` > 0) are left out of
    training, kept in validation. ``progress(done, total)`` is told as each fit begins (each
    candidate, each horizon's calibrated model, each rolling split), so a caller can show the
    training is alive; ``done`` counts the fits begun."""
    dataset = dataset.copy()
    dataset["label"] = _labels(dataset, horizon_days, horizon_days)
    labelled = dataset[dataset["label"].notna()].copy()
    labelled["label"] = labelled["label"].astype(int)
    positive_reps = labelled.loc[labelled["label"] == 1, "rep_id"].nunique()
    if positive_reps < min_departures:
        raise NotEnoughHistory(
            f"{positive_reps} voluntary departures to learn from; {min_departures} are needed"
        )
    train_rows, valid_rows, split = time_split(labelled, horizon_days=horizon_days)
    if "recent_unobserved_weeks" in labelled:
        train_rows &= labelled["recent_unobserved_weeks"].fillna(0) == 0
    train_set, valid_set = labelled[train_rows], labelled[valid_rows]
    for name, part in (("training", train_set), ("validation", valid_set)):
        if part["label"].nunique() < 2:
            raise NotEnoughHistory(f"the {name} snapshots hold no departure to learn from")
    # A signal never observed in training (no deals, no surveys in the data) teaches nothing.
    features = [name for name in features if name in train_set and train_set[name].notna().any()]
    x_train, y_train = train_set[features].astype("float32"), train_set["label"].to_numpy()
    x_valid, y_valid = valid_set[features].astype("float32"), valid_set["label"].to_numpy()

    fitted_horizons = sorted(set(horizons) | {horizon_days})
    steps = (
        len(candidate_pipelines()) + len(fitted_horizons) + (len(ROLLING_SPLITS) if rolling else 0)
    )
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, steps), steps)

    candidates, errors, algorithm, out_of_fold, sample = _compare_candidates(
        train_set, features=features, seed=seed, step=step
    )
    calibration, calibration_check = (
        ("sigmoid", {})
        if out_of_fold is None
        else choose_calibration(
            out_of_fold[algorithm],
            sample["label"].to_numpy(),
            sample["rep_id"].to_numpy(),
            medium=medium,
            high=high,
        )
    )

    estimators = {}
    as_of_all = pd.to_datetime(dataset["as_of"])
    for horizon in fitted_horizons:
        step()
        labels = _labels(dataset, horizon, horizon_days)
        rows = labels.notna() & (as_of_all + pd.Timedelta(days=horizon) <= split)
        if "recent_unobserved_weeks" in dataset:
            rows &= dataset["recent_unobserved_weeks"].fillna(0) == 0
        part, y = dataset[rows], labels[rows].astype(int)
        if horizon != horizon_days and (
            part.loc[y == 1, "rep_id"].nunique() < MIN_HORIZON_DEPARTURES or y.nunique() < 2
        ):
            continue
        # Calibrate on folds grouped by rep: snapshots of one rep two weeks apart are twins.
        calibrated = CalibratedClassifierCV(
            candidate_pipelines(seed=seed)[algorithm], method=calibration, cv=rep_folds(part)
        )
        calibrated.fit(part[features].astype("float32"), y.to_numpy())
        estimators[horizon] = calibrated
    estimator = HorizonModel(estimators, main=horizon_days)

    validation = valid_set[["rep_id", "as_of", "label"]].copy()
    by_horizon = estimator.predict_horizons(x_valid)
    validation["probability"] = by_horizon[horizon_days].to_numpy()
    metrics = evaluate(validation, departures=departures, horizon_days=horizon_days)
    baselines = {}
    for name, label in BASELINES.items():
        frame = validation[["rep_id", "as_of", "label"]].copy()
        if name in valid_set:
            frame["probability"] = baseline_scores(valid_set, name)
            baselines[name] = {
                "label": label,
                **evaluate(frame, departures=departures, horizon_days=horizon_days),
            }
    best = max(
        (b for b in baselines.values() if b["roc_auc"] is not None),
        key=lambda b: b["roc_auc"],
        default=None,
    )
    if metrics["roc_auc"] is None:
        publishable, reason = False, "the holdout holds no departure to measure on"
    elif best is not None and metrics["roc_auc"] <= best["roc_auc"]:
        publishable = False
        reason = (
            f"holdout ROC AUC {metrics['roc_auc']:.3f} does not beat the baseline "
            f"“{best['label']}” ({best['roc_auc']:.3f})"
        )
    else:
        publishable, reason = True, ""
    horizon_metrics = {}
    for horizon in estimator.estimators:
        labels = _labels(valid_set, horizon, horizon_days)
        known = labels.notna().to_numpy()
        y = labels[known].astype(int).to_numpy()
        p = by_horizon[horizon].to_numpy()[known]
        horizon_metrics[str(horizon)] = {
            "rows": int(known.sum()),
            "positives": int(y.sum()),
            "roc_auc": float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None,
            "mean_predicted": float(p.mean()) if len(p) else None,
            "observed_rate": float(y.mean()) if len(y) else None,
        }
    metrics |= {
        "candidates_roc_auc": candidates,
        "candidates_roc_auc_error": errors,
        "selection": "rep_folds" if candidates else "fallback",
        "calibration": calibration,
        "calibration_check": calibration_check,
        "holdout_start": split.date().isoformat(),
        "holdout_end": pd.Timestamp(valid_set["as_of"].max()).date().isoformat(),
        "training_rows": len(train_set),
        "training_positives": int(y_train.sum()),
        "horizon_days": horizon_days,
        "horizons": horizon_metrics,
        "baselines": baselines,
        "best_baseline": None if best is None else best["label"],
        "publishable": publishable,
        "not_published_because": reason,
        "reliability": reliability(validation["probability"].to_numpy(), y_valid),
        "bands": band_calibration(
            validation["probability"].to_numpy(),
            y_valid,
            medium=medium,
            high=high,
            groups=validation["rep_id"].to_numpy(),
        ),
        "left_out_unobserved": int(
            (labelled["recent_unobserved_weeks"].fillna(0) > 0).sum()
            if "recent_unobserved_weeks" in labelled
            else 0
        ),
    }
    if rolling:
        metrics["rolling"] = rolling_validation(
            labelled,
            algorithm=algorithm,
            features=features,
            departures=departures,
            horizon_days=horizon_days,
            seed=seed,
            step=step,
        )
    reference = {name: float(x_train[name].median()) for name in features}
    return TrainingResult(
        estimator=estimator,
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
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
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
