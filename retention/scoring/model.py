"""Training and measuring the departure-risk classifier.

``train`` chooses among logistic regressions and gradient-boosted models at two strengths of
regularisation each, and the average of the two families' most regularised members
(``Blend``), by their ROC AUC on folds of the training snapshots grouped by rep (the
least-variance candidate within one standard error of the best, the error counting leavers,
not snapshots); boosting is held monotone in each warning sign's documented direction. Each
horizon's learner is fitted once on all its training rows and calibrated by a map fitted on
its out-of-fold scores, Platt or isotonic (centred, so it keeps the learner's order) chosen by
out-of-fold log loss, and its level set by one log-odds shift: measured out of time where the
training dates leave room (a learner fitted on the earlier snapshots predicting the latest
ones a horizon later, ``out_of_time_shift``), else on the most recent labelled window's
out-of-fold scores (``recent_shift``); the figures are reported on the later snapshots (the
holdout). The
holdout rows never touch the choices, training or calibration. Each trained model carries its
own band thresholds (``model_thresholds``: the high band holds as many reps as departures
are expected); the stored model is the same rules applied again at the data's end, fitted
on every labelled snapshot (the holdout's included; its figures are of the fit at the split).

Horizons: one calibrated classifier per horizon (30, 90, 180 days) on the same features, made
monotone afterwards (the chance of leaving within 30 days is never above the 90-day one, nor
the 90-day one above the 180-day one); the 90-day one drives the band and the figures.

Honest validation: next to the model, the same figures for two simple baselines (leave days in
the last 90 days; recent variation of weekly activity) on the same holdout rows, the same again
over several rolling split dates with their spread, a reliability table (predicted against
observed per decile), the calibration per band over every holdout date pooled, with intervals
that resample reps and a verdict against the 5-point tolerance, and per date the reps in the
high band against the departures expected. ``publishable`` says whether the model beats the
best baseline on the holdout, and if not, why.
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
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from retention.scoring.explain import WORRYING
from retention.scoring.rules import RULES_HIGH, RULES_MEDIUM
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
# Up to this many labelled snapshots (their main horizon passed, their window observed) the
# published model is fitted again at the data's end on all of them (``_train``); past it the
# fit at the split is published. The 10,000-seat demo has 219,891 (82,392 before its
# holdout): refitting there took the fit from 20 to 52 s and 830 MB to 1.1 GB, past training's
# minute and gigabyte, for 0.002-0.003 ROC AUC; a 2,000-rep sample of it has about 44,000.
REFIT_MAX_ROWS = 150_000
# The candidates by variance, least first (``simplest_within_one_error``): the average of the
# two families' most regularised members, then each learner by capacity.
SIMPLEST_FIRST = (
    "blend",
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


def _boosting(*, seed: int, features: list[str] | None, **settings) -> Pipeline:
    return Pipeline(
        [
            (
                "model",
                HistGradientBoostingClassifier(
                    random_state=seed,
                    early_stopping=False,
                    monotonic_cst=monotone_constraints(features),
                    **settings,
                ),
            )
        ]
    )


def monotone_constraints(features: list[str] | None) -> list[int] | None:
    """Per feature +1 (the risk may only rise with it), −1 (only fall) or 0, from the side of
    each warning sign that ``explain.WORRYING`` documents as the worrying one; 0 for a signal
    with no documented side (the unobserved weeks). None without a feature list.

    Why: a few dozen departures cannot tell a real bend from noise, and a tree ensemble fitted
    on them learns both; the documented direction of a sign holds on any organisation, so
    ruling out the wrong-way bends removes variance without removing signal."""
    if features is None:
        return None
    return [int(WORRYING[name][0]) if name in WORRYING else 0 for name in features]


class Blend(BaseEstimator):
    """The average of its members' log-odds, each standardised by its spread on the rows it was
    fitted on, so that neither member outweighs the other by the scale of its scores (a
    balanced logistic regression and boosting speak on different scales); a calibration map
    turns the average into a probability afterwards.

    Why: averaging two learners of different families (one additive and smooth, one with
    bends and interactions) lowers the variance of either, and with a few dozen departures
    variance is what decides; the folds rarely tell the two families apart."""

    def __init__(self, members: list[Pipeline]) -> None:
        self.members = members

    def fit(self, x, y):
        for member in self.members:
            member.fit(x, y)
        return self.scaled(x)

    def scaled(self, x):
        """Record each (fitted) member's log-odds spread on ``x``, the rows it was fitted on."""
        logits = [_logit(m.predict_proba(x)[:, 1]).ravel() for m in self.members]
        self.centre_ = [float(v.mean()) for v in logits]
        self.scale_ = [float(v.std()) or 1.0 for v in logits]
        return self

    def predict_proba(self, x) -> np.ndarray:
        total = np.zeros(len(x))
        for member, centre, scale in zip(self.members, self.centre_, self.scale_, strict=True):
            total += (_logit(member.predict_proba(x)[:, 1]).ravel() - centre) / scale
        p = 1.0 / (1.0 + np.exp(-total / len(self.members)))
        return np.column_stack([1.0 - p, p])


# Each family's most regularised member, averaged (``Blend``).
BLEND_MEMBERS = ("logistic_regression_strong_l2", "hist_gradient_boosting_shallow")


def candidate_pipelines(*, seed: int = 0, features: list[str] | None = None) -> dict[str, Pipeline]:
    """The learners the inner validation chooses from: each family at a milder and a stronger
    regularisation. An organisation yields a few dozen departures to learn from, spread over
    ~40 signals; which capacity that supports is a question for the data, not a constant.
    With ``features`` (the columns in the order they are given) the boosted models are held
    monotone in each signal's documented direction (``monotone_constraints``). Boosting never
    stops early on its own random tenth of rows: that tenth is not grouped by rep (a rep's
    snapshots two weeks apart are near twins), so it would see the rows it fits on, and it
    would switch on by itself only past 10,000 rows, making small and large organisations
    train different models."""
    single = {
        "logistic_regression": _logistic(0.1),
        "logistic_regression_strong_l2": _logistic(0.01),
        "hist_gradient_boosting": _boosting(
            seed=seed,
            features=features,
            learning_rate=0.05,
            max_iter=250,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            l2_regularization=1.0,
        ),
        "hist_gradient_boosting_shallow": _boosting(
            seed=seed,
            features=features,
            learning_rate=0.03,
            max_iter=150,
            max_depth=3,
            max_leaf_nodes=8,
            min_samples_leaf=30,
            l2_regularization=5.0,
        ),
    }
    return single | {"blend": Blend([single[name] for name in BLEND_MEMBERS])}


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


def window_observed(frame: pd.DataFrame) -> pd.Series:
    """True for the snapshots whose recent window is observed (``recent_unobserved_weeks`` 0 or
    unknown; every snapshot when the column is absent): the only ones any fit trains on."""
    if "recent_unobserved_weeks" not in frame:
        return pd.Series(True, index=frame.index)
    return frame["recent_unobserved_weeks"].fillna(0) == 0


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


BOOTSTRAP_RESAMPLES = 1000


def band_calibration(
    probability: np.ndarray,
    label: np.ndarray,
    *,
    medium: float,
    high: float,
    tolerance: float = CALIBRATION_TOLERANCE,
    groups: np.ndarray | None = None,
    seed: int = 0,
) -> list[dict]:
    """Per band: rows, mean predicted, observed rate and whether they are within tolerance;
    also how many departures the probabilities expect and how many came.

    With ``groups`` (the rep of each row) also the distinct reps and 95 % intervals from a
    bootstrap that resamples reps, not rows (each rep with all its snapshots in the band): of
    the observed rate, and of the gap (predicted − observed); and a ``verdict`` on the gap
    against the tolerance: ``within`` when the whole interval of the gap lies within it,
    ``outside`` when the whole interval lies beyond it, ``undecided`` when the interval spans
    the tolerance's edge. The holdout pools every snapshot date after the split (reps ×
    dates), and a rep's snapshots two weeks apart are one case seen several times, so rows
    are no independent cases; a band of a dozen reps cannot settle a 5-point tolerance, and
    the verdict says so instead of a bare yes or no (which is kept beside it, unchanged)."""
    bands = band(probability, medium=medium, high=high)
    weights = None
    if groups is not None:
        reps, rep_of_row = np.unique(groups, return_inverse=True)
        rng = np.random.default_rng(seed)
        weights = rng.poisson(1.0, size=(BOOTSTRAP_RESAMPLES, len(reps))).astype(float)
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
        if weights is not None:
            size = len(weights[0])
            count = np.bincount(rep_of_row[mask], minlength=size)
            left = np.bincount(rep_of_row[mask], weights=label[mask], minlength=size)
            chance = np.bincount(rep_of_row[mask], weights=probability[mask], minlength=size)
            n = weights @ count
            seen = n > 0
            boot_observed = (weights @ left)[seen] / n[seen]
            boot_gap = (weights @ chance)[seen] / n[seen] - boot_observed
            low, high_end = np.percentile(boot_observed, [2.5, 97.5])
            gap_low, gap_high = np.percentile(boot_gap, [2.5, 97.5])
            if -tolerance <= gap_low and gap_high <= tolerance:
                verdict = "within"
            elif gap_low > tolerance or gap_high < -tolerance:
                verdict = "outside"
            else:
                verdict = "undecided"
            row |= {
                "reps": int((count > 0).sum()),
                "observed_low": float(low),
                "observed_high": float(high_end),
                "gap_low": float(gap_low),
                "gap_high": float(gap_high),
                "verdict": verdict,
            }
        rows.append(row)
    return rows


def high_band_count(frame: pd.DataFrame, *, high: float) -> dict[str, float | None]:
    """Per snapshot date, on average: the reps in the high band and the departures within the
    horizon the probabilities of all reps expect (their sum), and the departures that came;
    and ``count_threshold``, the median over dates of the probability at which as many reps
    reach it as departures are expected (``expected_count_threshold``). ``frame``: as_of,
    probability, label. A high band far larger than the departures expected cries wolf; far
    smaller, it hides most of the leavers among the medium and low."""
    if not len(frame):
        return {
            "dates": 0,
            "high_band_reps": None,
            "expected_departures": None,
            "departures": None,
            "count_threshold": None,
        }
    per_date = frame.assign(high=frame["probability"] >= high).groupby("as_of")
    return {
        "dates": int(per_date.ngroups),
        "high_band_reps": float(per_date["high"].sum().mean()),
        "expected_departures": float(per_date["probability"].sum().mean()),
        "departures": float(per_date["label"].sum().mean()),
        "count_threshold": expected_count_threshold(frame),
    }


def expected_count_threshold(frame: pd.DataFrame) -> float | None:
    """The high-band threshold at which the band holds as many reps as departures the
    probabilities expect: per date, the k-th highest probability where k is the sum of all
    reps' probabilities (rounded, at least 1); the median over dates. It reads the calibrated
    probabilities only, never the outcomes, so it can be worked out on any scoring date.
    A trained model's high threshold (``model_thresholds``); on the holdout, reported beside
    the threshold applied."""
    thresholds = []
    for _, values in frame.groupby("as_of")["probability"]:
        ranked = np.sort(values.to_numpy())[::-1]
        k = min(len(ranked), max(1, int(np.rint(ranked.sum()))))
        thresholds.append(float(ranked[k - 1]))
    return float(np.median(thresholds)) if thresholds else None


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
    ``step`` is called as each split begins.

    Each split trains on at most SELECTION_MAX_REPS reps' snapshots (validation scores every
    rep): the splits say how steady the learner is from one period to the next, and a sample
    of 2,000 reps answers that as well as 10,000 at a fifth of the time. Past that size the
    rolling figures are a little below what the whole organisation would train to, never
    above (``training_reps`` of each split says how many reps it trained on)."""
    dates = np.sort(pd.to_datetime(dataset["as_of"]).unique())
    as_of = pd.to_datetime(dataset["as_of"])
    splits = []
    for share in shares:
        step()
        split = _split_at(dates, share)
        train_rows = (as_of + pd.Timedelta(days=horizon_days) <= split) & window_observed(dataset)
        valid_rows = (as_of >= split) & (as_of < split + pd.Timedelta(days=ROLLING_WINDOW_DAYS))
        train_set, valid_set = dataset[train_rows], dataset[valid_rows]
        train_set = _selection_sample(train_set, seed=seed)
        if train_set["label"].nunique() < 2 or valid_set["label"].nunique() < 2:
            continue
        pipeline = candidate_pipelines(seed=seed, features=features)[algorithm]
        pipeline.fit(train_set[features].astype("float32"), train_set["label"].to_numpy())
        frame = valid_set[["rep_id", "as_of", "label"]].copy()
        frame["probability"] = pipeline.predict_proba(valid_set[features].astype("float32"))[:, 1]
        row = {
            "split": split.date().isoformat(),
            "training_reps": int(train_set["rep_id"].nunique()),
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
) -> tuple[dict, dict, str, dict[str, np.ndarray] | None, pd.DataFrame, list]:
    """Each candidate's mean ROC AUC on folds of the training snapshots grouped by rep and its
    standard error, the one kept (``simplest_within_one_error``), the out-of-fold
    probabilities of each, the rows they are for, and the kept one's fold fits. The holdout
    that reports the figures never picks the learner.

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
        return {}, {}, fallback, None, sample, []
    scores, errors, oof = {}, {}, {}
    fitted: dict[str, list[Pipeline]] = {}
    groups = sample["rep_id"].to_numpy()
    for name in candidate_pipelines(seed=seed):
        step()
        aucs, probability = [], np.full(len(sample), np.nan)
        for number, (fit, check) in enumerate(folds):
            if name == "blend":  # its members were fitted on these folds already
                members = [fitted[member][number] for member in BLEND_MEMBERS]
                pipeline = Blend(members).scaled(x.iloc[fit])
                fitted.setdefault(name, []).append(pipeline)
            else:
                pipeline = candidate_pipelines(seed=seed, features=features)[name]
                pipeline.fit(x.iloc[fit], y[fit])
                fitted.setdefault(name, []).append(pipeline)
            probability[check] = pipeline.predict_proba(x.iloc[check])[:, 1]
            aucs.append(roc_auc_score(y[check], probability[check]))
        scores[name], oof[name] = float(np.mean(aucs)), probability
        known = ~np.isnan(probability)
        errors[name] = max(
            float(np.std(aucs) / np.sqrt(len(aucs))),
            auc_standard_error(scores[name], y[known], groups[known]),
        )
    chosen = simplest_within_one_error(scores, errors)
    return scores, errors, chosen, oof, sample, fitted.get(chosen, [])


def auc_standard_error(auc: float, label: np.ndarray, groups: np.ndarray) -> float:
    """Hanley and McNeil's standard error of a ROC AUC, counting reps (leavers and stayers)
    rather than snapshots as the cases: a rep's snapshots two weeks apart are one case seen
    several times. The spread of three fold scores is itself a guess from three numbers (it
    came out 0.000 on a demo organisation with 15 leavers); this is the floor the number of
    leavers puts under it."""
    leavers = len(np.unique(groups[label == 1]))
    stayers = len(np.unique(groups)) - leavers
    if leavers < 1 or stayers < 1:
        return 0.0
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    variance = (
        auc * (1 - auc) + (leavers - 1) * (q1 - auc * auc) + (stayers - 1) * (q2 - auc * auc)
    ) / (leavers * stayers)
    return float(np.sqrt(max(variance, 0.0)))


def simplest_within_one_error(scores: dict[str, float], errors: dict[str, float]) -> str:
    """The first candidate, in ``SIMPLEST_FIRST`` order (least variance first: the blend of
    the two families, then each learner by capacity), whose score is within one standard error
    of the best one's. A few dozen departures make fold scores noisy; between learners the
    folds cannot tell apart, the one with less variance generalises more safely, and a single
    learner is kept only where enough leavers show it better (on a large organisation)."""
    best = max(scores, key=scores.get)
    bar = scores[best] - errors.get(best, 0.0)
    for name in SIMPLEST_FIRST:
        if name in scores and scores[name] >= bar:
            return name
    return best


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p)).reshape(-1, 1)


class CentredIsotonic(BaseEstimator):
    """Isotonic regression drawn through the centre of each of its steps (centred isotonic
    regression, Oron and Flournoy 2017): the same fit, but rising strictly between the centres
    instead of flat across each step, so reps the learner ranks apart stay apart. Plain
    isotonic calibration ties every rep on one step, and the ties cost ROC AUC (a drop of 0.05
    seen on a demo holdout) while saying nothing the step's centre does not."""

    def fit(self, probability: np.ndarray, label: np.ndarray):
        p = np.asarray(probability, dtype=float)
        fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit_transform(
            p, label
        )
        values, block = np.unique(fitted, return_inverse=True)
        self.x_ = np.bincount(block, weights=p) / np.bincount(block)
        self.y_ = values
        return self

    def predict(self, probability: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(probability, dtype=float), self.x_, self.y_)


def fit_calibrator(method: str, probability: np.ndarray, label: np.ndarray) -> object:
    """A map from a learner's scores to probabilities, fitted on out-of-fold scores: Platt
    (``sigmoid``: a logistic curve of the scores' log-odds) or ``isotonic`` (a rising curve
    through the centres of the isotonic steps, ``CentredIsotonic``)."""
    if method == "sigmoid":
        return LogisticRegression(C=1e6, max_iter=1000).fit(_logit(probability), label)
    return CentredIsotonic().fit(probability, label)


def apply_calibrator(calibrator: object, probability: np.ndarray) -> np.ndarray:
    if isinstance(calibrator, CentredIsotonic | IsotonicRegression):
        return calibrator.predict(np.asarray(probability, dtype=float))
    return calibrator.predict_proba(_logit(probability))[:, 1]


class CalibratedModel:
    """A learner fitted on all its training rows and the calibration map fitted on that
    learner's out-of-fold scores (folds grouped by rep), so no row calibrates the score it
    was fitted on. One fit on everything instead of one per fold: the same honest calibration
    as a cross-validated ensemble at a third of the fits. ``shift``: a log-odds shift added
    after the map (``base_rate_shift`` on the most recent labelled window), 0 for none."""

    def __init__(
        self, pipeline: Pipeline, calibrator: object, method: str, shift: float = 0.0
    ) -> None:
        self.pipeline = pipeline
        self.calibrator = calibrator
        self.method = method
        self.shift = shift

    def predict_proba(self, x) -> np.ndarray:
        p = apply_calibrator(self.calibrator, self.pipeline.predict_proba(x)[:, 1])
        # Models stored before the shift existed have no attribute: no shift.
        p = shift_log_odds(p, getattr(self, "shift", 0.0))
        return np.column_stack([1.0 - p, p])


# --- following the base rate: out-of-time level, bands sized by expected departures ----------
#
# Calibration maps fitted on out-of-fold rows from all of history give the average level of
# that history; where the share of reps leaving drifts (it rose on every demo seed), the
# probabilities lag the present. The level (one log-odds shift, one parameter: steady on a few
# dozen departures) is set on the most recent labelled window instead: the snapshots of the
# last RECENT_WINDOW_DAYS whose horizon has passed. The shape of the map (Platt or isotonic,
# out of fold) is kept, and so is every rep's order (ROC AUC and lead times do not move).
# Where the training dates leave room, the shift is measured out of time instead
# (``out_of_time_shift``): out-of-fold scores come from learners that saw the same dates, so
# they cannot show what a model loses in level once its signals drift after training (at
# 10,000 seats every holdout decile was under-predicted, 4.1 % against 4.8 % on average, while
# the in-time window agreed at 5.4 %).
RECENT_WINDOW_DAYS = 182
# Fewer departing reps than this in the window: the window cannot set a level; no shift.
MIN_RECENT_DEPARTURES = 10
# The medium band starts where a rep's chance is this multiple of the average rep's.
MEDIUM_MULTIPLE = 2.0


def shift_log_odds(probability: np.ndarray, shift: float) -> np.ndarray:
    """``probability`` with ``shift`` added to its log-odds (0: unchanged)."""
    p = np.asarray(probability, dtype=float)
    if not shift:
        return p
    return 1.0 / (1.0 + np.exp(-(_logit(p).ravel() + shift)))


def base_rate_shift(probability: np.ndarray, label: np.ndarray) -> float:
    """The log-odds shift at which the mean probability equals the observed rate of
    ``label`` (the calibration-in-the-large correction, solved by bisection: the mean rises
    with the shift). 0 when the labels hold one class only (no level to match)."""
    p, y = np.asarray(probability, dtype=float), np.asarray(label, dtype=float)
    if not len(p) or not 0 < y.sum() < len(y):
        return 0.0
    target, low, high = y.mean(), -10.0, 10.0
    for _ in range(60):
        middle = (low + high) / 2
        if shift_log_odds(p, middle).mean() < target:
            low = middle
        else:
            high = middle
    return float((low + high) / 2)


def recent_window(
    as_of: pd.Series, *, end: pd.Timestamp, days: int = RECENT_WINDOW_DAYS
) -> np.ndarray:
    """True for the snapshots of the ``days`` up to ``end`` (included)."""
    as_of = pd.to_datetime(as_of)
    return ((as_of > end - pd.Timedelta(days=days)) & (as_of <= end)).to_numpy()


def recent_shift(
    probability: np.ndarray,
    label: np.ndarray,
    *,
    as_of: pd.Series,
    groups: np.ndarray,
    end: pd.Timestamp,
    days: int = RECENT_WINDOW_DAYS,
    min_departures: int = MIN_RECENT_DEPARTURES,
) -> dict:
    """The ``base_rate_shift`` of the snapshots in the window of ``days`` up to ``end``, with
    what it rests on: the window, its rows, departing reps, mean predicted and observed rate
    before the shift. ``shift`` is 0 (and ``applied`` False) when the window holds fewer than
    ``min_departures`` departing reps."""
    window = recent_window(as_of, end=end, days=days)
    known = window & ~np.isnan(probability)
    p, y = probability[known], label[known]
    leavers = len(np.unique(groups[known][y == 1]))
    applied = leavers >= min_departures
    return {
        "start": (end - pd.Timedelta(days=days)).date().isoformat(),
        "end": pd.Timestamp(end).date().isoformat(),
        "rows": int(known.sum()),
        "departing_reps": leavers,
        "predicted": float(p.mean()) if len(p) else None,
        "observed": float(y.mean()) if len(y) else None,
        "applied": applied,
        "shift": base_rate_shift(p, y) if applied else 0.0,
    }


def out_of_time_split(
    as_of: pd.Series, *, horizon_days: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Rows to fit a learner on and later rows it predicts out of time, as the holdout is
    predicted: the later rows start ``horizon_days`` after the last fitted one (the gap
    between a model's last labelled snapshot and the first it scores). The cut is halfway
    between the first date that leaves that gap and the last date: fit on ``as_of`` up to the
    cut less ``horizon_days``, predict ``as_of`` from the cut. None when the dates span less
    than ``horizon_days`` (no later row one horizon after any fitted one)."""
    as_of = pd.to_datetime(as_of)
    if not len(as_of):
        return None
    earliest = as_of.min() + pd.Timedelta(days=horizon_days)
    last = as_of.max()
    if earliest > last:
        return None
    cut = earliest + (last - earliest) / 2
    fit = (as_of <= cut - pd.Timedelta(days=horizon_days)).to_numpy()
    check = (as_of >= cut).to_numpy()
    return fit, check


def out_of_time_shift(
    part: pd.DataFrame,
    label: np.ndarray,
    *,
    algorithm: str,
    curve: object,
    features: list[str],
    horizon_days: int,
    seed: int,
    min_departures: int = MIN_RECENT_DEPARTURES,
) -> dict:
    """The log-odds level measured out of time: the learner ``algorithm`` fitted on the
    earlier rows of ``part`` (``out_of_time_split``), its scores on the later rows put
    through ``curve`` (the horizon's calibration map), and the ``base_rate_shift`` that
    brings their mean to the later rows' observed rate. This is what a model loses in level
    between its training and the snapshots it scores one horizon on (drifting signals), which
    the in-time level on rep folds cannot show. ``applied`` False (shift 0) without a split or
    with fewer than ``min_departures`` departing reps on either side."""
    split = out_of_time_split(part["as_of"], horizon_days=horizon_days)
    result = {"applied": False, "shift": 0.0}
    if split is None:
        return result
    fit, check = split
    reps = part["rep_id"].to_numpy()
    leavers = [len(np.unique(reps[side][label[side] == 1])) for side in (fit, check)]
    result |= {
        "fit_end": pd.Timestamp(pd.to_datetime(part["as_of"])[fit].max()).date().isoformat()
        if fit.any()
        else None,
        "check_start": pd.Timestamp(pd.to_datetime(part["as_of"])[check].min()).date().isoformat()
        if check.any()
        else None,
        "fit_departing_reps": leavers[0],
        "departing_reps": leavers[1],
    }
    if min(leavers) < min_departures:
        return result
    early = part[fit]
    sampled = early["rep_id"].isin(_selection_sample(early, seed=seed)["rep_id"]).to_numpy()
    early, early_label = early[sampled], label[fit][sampled]
    pipeline = candidate_pipelines(seed=seed, features=features)[algorithm]
    pipeline.fit(early[features].astype("float32"), early_label)
    later = part[check]
    probability = apply_calibrator(
        curve, pipeline.predict_proba(later[features].astype("float32"))[:, 1]
    )
    y = label[check]
    result |= {
        "rows": int(check.sum()),
        "predicted": float(probability.mean()),
        "observed": float(y.mean()),
        "applied": True,
        "shift": base_rate_shift(probability, y),
    }
    return result


def model_thresholds(frame: pd.DataFrame, *, multiple: float = MEDIUM_MULTIPLE) -> dict:
    """The band thresholds a model's own probabilities give (``frame``: as_of, probability;
    no outcomes read, so any window of scores will do):

    - high: the probability at which as many reps reach it as departures the probabilities
      expect (``expected_count_threshold``): the high band is sized by the departures to come;
    - medium: ``multiple`` times the average rep's probability (the median over dates of the
      mean), a rep at least twice as likely to leave as the average one, kept at or below high.

    None for both when the frame is empty."""
    if not len(frame):
        return {"medium": None, "high": None, "base_rate": None}
    high = expected_count_threshold(frame)
    base = float(frame.groupby("as_of")["probability"].mean().median())
    return {"medium": min(multiple * base, high), "high": high, "base_rate": base}


# Log loss is scored with probabilities held in [LOG_LOSS_FLOOR, 1 − LOG_LOSS_FLOOR]: isotonic
# calibration says 0 for a whole step, and one leaver in it would make its loss infinite.
LOG_LOSS_FLOOR = 1e-3


def choose_calibration(
    probability: np.ndarray,
    label: np.ndarray,
    groups: np.ndarray,
    *,
    medium: float = 0.25,
    high: float = 0.5,
) -> tuple[str, dict[str, dict[str, float]]]:
    """Sigmoid (Platt) or isotonic calibration, by the out-of-fold log loss of each: the
    out-of-fold scores are split again into folds by rep, each fold calibrated by a curve
    fitted on the others and scored by the log loss of what it predicts (the Brier score and
    the mean gap per risk band are reported beside it, not used to choose).

    Why log loss: it is a proper score (only the true probabilities minimise it), it weighs a
    confident miss at the top heavily, where bands are read, and it is steadier than the gap
    per band, which rests on the few rows in the medium and high bands. Platt bends every
    score by one logistic curve (steady with few departures); isotonic follows the data and
    needs more of them; ties go to Platt, the one with two parameters."""
    known = ~np.isnan(probability)
    p, y, g = probability[known], label[known], groups[known]
    n = min(INNER_FOLDS, len(np.unique(g)))
    if n < 2 or not 0 < y.sum() < len(y):
        return "sigmoid", {}
    calibrated = {method: np.full(len(p), np.nan) for method in CALIBRATION_METHODS}
    for fit, check in GroupKFold(n_splits=n).split(p, groups=g):
        if not 0 < y[fit].sum() < len(fit):
            continue
        for method in CALIBRATION_METHODS:
            curve = fit_calibrator(method, p[fit], y[fit])
            calibrated[method][check] = apply_calibrator(curve, p[check])
    scored = ~np.isnan(calibrated["sigmoid"])
    if not scored.any() or not 0 < y[scored].sum() < scored.sum():
        return "sigmoid", {}
    checks = {}
    for method, values in calibrated.items():
        values, truth = values[scored], y[scored]
        rows = band_calibration(values, truth, medium=medium, high=high)
        gaps = [abs(r["predicted"] - r["observed"]) for r in rows if r["rows"]]
        floor = LOG_LOSS_FLOOR
        checks[method] = {
            "log_loss": float(log_loss(truth, np.clip(values, floor, 1 - floor), labels=[0, 1])),
            "brier": float(brier_score_loss(truth, values)),
            "band_error": float(np.mean(gaps)),
        }
    better = checks["isotonic"]["log_loss"] < checks["sigmoid"]["log_loss"]
    return ("isotonic" if better else "sigmoid"), checks


def out_of_fold(
    name: str, frame: pd.DataFrame, label: np.ndarray, *, features: list[str], seed: int
) -> tuple[np.ndarray, list]:
    """The candidate ``name``'s scores for each row of ``frame`` from fits on rep folds that
    leave that row's rep out (NaN where a fold could not be fitted: one class only), and the
    fold fits."""
    x = frame[features].astype("float32")
    probability, fits = np.full(len(frame), np.nan), []
    for fit, check in rep_folds(frame):
        if not 0 < label[fit].sum() < len(fit):
            continue
        pipeline = candidate_pipelines(seed=seed, features=features)[name]
        pipeline.fit(x.iloc[fit], label[fit])
        probability[check] = pipeline.predict_proba(x.iloc[check])[:, 1]
        fits.append(pipeline)
    return probability, fits


class Bagged:
    """The average log-odds of several fits of one learner, each on a different two thirds of
    the reps (the rep folds whose out-of-fold scores calibrate it). Averaging fits on
    different subsets of reps (subagging) lowers the variance a single fit has on a few dozen
    departures, most of all for boosting; the fits are the ones the choice and calibration
    made anyway, so it costs no fit."""

    def __init__(self, members: list) -> None:
        self.members = members

    def predict_proba(self, x) -> np.ndarray:
        total = np.mean([_logit(m.predict_proba(x)[:, 1]).ravel() for m in self.members], axis=0)
        p = 1.0 / (1.0 + np.exp(-total))
        return np.column_stack([1.0 - p, p])


@dataclass
class _HorizonFits:
    """What ``_fit_horizons`` fitted: the model, and per horizon how it was calibrated."""

    estimator: HorizonModel
    calibration_by_horizon: dict[str, str]
    calibration_checks: dict[str, dict]
    bagged_by_horizon: dict[str, bool]
    recalibration_by_horizon: dict[str, dict]
    # The bands' thresholds from the main horizon's last labelled window (None: none derived).
    thresholds: dict | None
    rows: int
    positives: int
    start: pd.Timestamp
    end: pd.Timestamp
    # Each feature's median on the main horizon's training rows (the drivers' "usual").
    reference: dict[str, float]


def _fit_horizons(
    dataset: pd.DataFrame,
    *,
    split: pd.Timestamp,
    algorithm: str,
    features: list[str],
    horizon_days: int,
    horizons: list[int],
    seed: int,
    selection: tuple[pd.DataFrame, np.ndarray, list] | None = None,
    step: Callable[[], None] = lambda: None,
) -> _HorizonFits:
    """Fit ``algorithm`` per horizon on the snapshots whose horizon ends by ``split`` (their
    window observed), calibrate it and set its level, as of ``split``: the one rule the
    holdout validates (fitted at the split) and the published model is fitted by (at the
    data's end, on every labelled snapshot).

    Per horizon: the learner's fits on rep folds (of at most SELECTION_MAX_REPS reps'
    snapshots) give out-of-fold scores that fit the calibration map, its kind chosen by
    out-of-fold log loss. The learner is those fold fits averaged where the folds covered
    every rep, else one fit on all rows. ``selection`` (sample, its out-of-fold scores, the fold
    fits), when given, is the main horizon's from the learner's choice, reused. The level is
    that of the most recent labelled window (out of time where the dates leave room); the
    thresholds are worked out on the same window's probabilities (no outcome read)."""
    estimators, calibration_by_horizon, calibration_checks, bagged = {}, {}, {}, {}
    recalibration_by_horizon: dict[str, dict] = {}
    thresholds = None
    as_of_all = pd.to_datetime(dataset["as_of"])
    main_rows = None
    for horizon in horizons:
        step()
        labels = _labels(dataset, horizon, horizon_days)
        rows = (
            labels.notna()
            & (as_of_all + pd.Timedelta(days=horizon) <= split)
            & window_observed(dataset)
        )
        part, y = dataset[rows], labels[rows].astype(int).to_numpy()
        if horizon == horizon_days:
            main_rows = (part, y)
        if horizon != horizon_days and (
            part.loc[y == 1, "rep_id"].nunique() < MIN_HORIZON_DEPARTURES or len(set(y)) < 2
        ):
            continue
        if horizon == horizon_days and len(set(y)) < 2:
            raise NotEnoughHistory("the training snapshots hold no departure to learn from")
        if horizon == horizon_days and selection is not None:
            scored, scores, fold_fits = selection
        else:
            scored = _selection_sample(part, seed=seed)
            scores, fold_fits = out_of_fold(
                algorithm,
                scored,
                labels[scored.index].astype(int).to_numpy(),
                features=features,
                seed=seed,
            )
        scored_labels = labels[scored.index].astype(int).to_numpy()
        method, checks = choose_calibration(scores, scored_labels, scored["rep_id"].to_numpy())
        known = ~np.isnan(scores)
        if len(set(scored_labels[known])) < 2:
            if horizon != horizon_days:
                continue
            raise NotEnoughHistory("no fold of reps holds departures to calibrate on")
        curve = fit_calibrator(method, scores[known], scored_labels[known])
        # The level from the most recent labelled window before the split (out of time).
        calibrated = np.full(len(scores), np.nan)
        calibrated[known] = apply_calibrator(curve, scores[known])
        recalibration = recent_shift(
            calibrated,
            scored_labels,
            as_of=scored["as_of"],
            groups=scored["rep_id"].to_numpy(),
            end=split - pd.Timedelta(days=horizon),
        )
        # The level as it is lost out of time, where the training dates leave room to see it.
        out_of_time = out_of_time_shift(
            part,
            y,
            algorithm=algorithm,
            curve=curve,
            features=features,
            horizon_days=horizon,
            seed=seed,
        )
        recalibration["in_time_shift"] = recalibration["shift"]
        recalibration["out_of_time"] = out_of_time
        if out_of_time["applied"]:
            recalibration["shift"] = out_of_time["shift"]
        recalibration_by_horizon[str(horizon)] = recalibration
        if horizon == horizon_days:
            # The bands' thresholds from the same window's probabilities (no outcome read).
            window = recent_window(scored["as_of"], end=split - pd.Timedelta(days=horizon))
            window = window & known
            derived = model_thresholds(
                pd.DataFrame(
                    {
                        "as_of": scored["as_of"].to_numpy()[window],
                        "probability": shift_log_odds(calibrated[window], recalibration["shift"]),
                    }
                )
            )
            if derived["high"] is not None:
                thresholds = derived
        if len(scored) == len(part) and len(fold_fits) >= 2:
            # The folds covered every training rep: their fits, averaged, are the learner.
            pipeline = Bagged(fold_fits)
        else:
            # Folds on a sample of reps: one fit on all of them knows more than the average.
            pipeline = candidate_pipelines(seed=seed, features=features)[algorithm]
            pipeline.fit(part[features].astype("float32"), y)
        estimators[horizon] = CalibratedModel(
            pipeline, curve, method, shift=recalibration["shift"]
        )
        bagged[str(horizon)] = isinstance(pipeline, Bagged)
        calibration_by_horizon[str(horizon)] = method
        calibration_checks[str(horizon)] = checks
    part, y = main_rows
    return _HorizonFits(
        estimator=HorizonModel(estimators, main=horizon_days),
        calibration_by_horizon=calibration_by_horizon,
        calibration_checks=calibration_checks,
        bagged_by_horizon=bagged,
        recalibration_by_horizon=recalibration_by_horizon,
        thresholds=thresholds,
        rows=len(part),
        positives=int(y.sum()),
        start=pd.Timestamp(part["as_of"].min()),
        end=pd.Timestamp(part["as_of"].max()),
        reference={name: float(part[name].astype("float32").median()) for name in features},
    )


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
    medium: float | None = None,
    high: float | None = None,
    rolling: bool = True,
    progress: Progress | None = None,
) -> TrainingResult:
    """Fit, compare, calibrate and measure. ``dataset``: rep_id, as_of, ``features`` and a label
    per horizon (``label_30``, ``label_90``, …: 1/0, NaN where the horizon is not yet observed;
    a plain ``label`` is the main horizon's). ``departures``: rep_id → last day. Snapshots
    whose recent window is not observed (``recent_unobserved_weeks`` > 0) are left out of
    training, kept in validation. ``progress(done, total)`` is told as each fit begins (each
    candidate, each horizon's calibrated model, each rolling split), so a caller can show the
    training is alive; ``done`` counts the fits begun.

    Level and bands follow the present (see ``out_of_time_shift``, ``recent_shift`` and
    ``model_thresholds``): each horizon's log-odds level is set before the split (out of time
    where the training dates leave room, else on the last labelled window) and the
    holdout is banded by thresholds from that window's probabilities, so the holdout measures
    the rule as it will run (``_fit_horizons``). The model returned is that rule applied again
    at the data's end, fitted on every labelled snapshot (the holdout's too: its figures are
    of the fit at the split; ``metrics["published_fit"]`` says what the published one learnt
    from), its thresholds worked out on the latest snapshots' probabilities:
    ``metrics["thresholds"]``, the model's own (an explicit setting overrides them where bands
    are read). ``medium`` and ``high``, when given, override the
    thresholds the holdout is banded by (``metrics["holdout_thresholds"]``)."""
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
    observed = window_observed(labelled)
    train_rows &= observed
    train_set, valid_set = labelled[train_rows], labelled[valid_rows]
    for name, part in (("training", train_set), ("validation", valid_set)):
        if part["label"].nunique() < 2:
            raise NotEnoughHistory(f"the {name} snapshots hold no departure to learn from")
    # A signal never observed in training (no deals, no surveys in the data) teaches nothing.
    features = [name for name in features if name in train_set and train_set[name].notna().any()]
    x_valid, y_valid = valid_set[features].astype("float32"), valid_set["label"].to_numpy()

    fitted_horizons = sorted(set(horizons) | {horizon_days})
    # Past REFIT_MAX_ROWS labelled snapshots the fit at the split is the one published.
    refit = int(observed.sum()) <= REFIT_MAX_ROWS
    steps = (
        len(candidate_pipelines())
        + (2 if refit else 1) * len(fitted_horizons)  # at the split, then at the data's end
        + (len(ROLLING_SPLITS) if rolling else 0)
    )
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, steps), steps)

    candidates, errors, algorithm, selection_scores, sample, selection_fits = _compare_candidates(
        train_set, features=features, seed=seed, step=step
    )

    validated = _fit_horizons(
        dataset,
        split=split,
        algorithm=algorithm,
        features=features,
        horizon_days=horizon_days,
        horizons=fitted_horizons,
        seed=seed,
        selection=(sample, selection_scores[algorithm], selection_fits)
        if selection_scores is not None
        else None,
        step=step,
    )
    estimator = validated.estimator
    holdout_thresholds = validated.thresholds or {
        # The window gave no thresholds of the model's own: the rule-based score's.
        "medium": RULES_MEDIUM,
        "high": RULES_HIGH,
        "base_rate": None,
    }
    calibration_by_horizon = validated.calibration_by_horizon
    recalibration_by_horizon = validated.recalibration_by_horizon
    calibration = calibration_by_horizon.get(str(horizon_days), "sigmoid")
    calibration_check = validated.calibration_checks.get(str(horizon_days), {})

    validation = valid_set[["rep_id", "as_of", "label"]].copy()
    # Each horizon's own probabilities on the holdout (before they are made monotone).
    raw = {h: est.predict_proba(x_valid)[:, 1] for h, est in estimator.estimators.items()}
    by_horizon = monotone(pd.DataFrame(raw, index=x_valid.index), main=horizon_days)
    validation["probability"] = by_horizon[horizon_days].to_numpy()
    bands_used = _overridden(holdout_thresholds, medium=medium, high=high)
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
        "calibration_by_horizon": calibration_by_horizon,
        "bagged_by_horizon": validated.bagged_by_horizon,
        "holdout_start": split.date().isoformat(),
        "holdout_end": pd.Timestamp(valid_set["as_of"].max()).date().isoformat(),
        "training_rows": len(train_set),
        "training_positives": validated.positives,
        "horizon_days": horizon_days,
        "horizons": horizon_metrics,
        "baselines": baselines,
        "best_baseline": None if best is None else best["label"],
        "publishable": publishable,
        "not_published_because": reason,
        "reliability": reliability(validation["probability"].to_numpy(), y_valid),
        "recalibration_by_horizon": recalibration_by_horizon,
        "holdout_thresholds": bands_used,
        "bands": band_calibration(
            validation["probability"].to_numpy(),
            y_valid,
            medium=bands_used["medium"],
            high=bands_used["high"],
            groups=validation["rep_id"].to_numpy(),
        ),
        "high_band_count": high_band_count(validation, high=bands_used["high"]),
        "left_out_unobserved": int((~observed).sum()),
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
    # The model published: the same rule fitted again at the data's end on every snapshot
    # whose horizon has passed, the holdout's included, so that it learns from the latest
    # history too (on 2,000-rep organisations, fits on the longer history ranked the
    # following 13 weeks 0.003-0.014 ROC AUC better; at 10,000 seats 0.002-0.003:
    # bench/README.md). Past REFIT_MAX_ROWS labelled rows the refit would take training past
    # its minute for little: there the fit at the split is published, levelled on the holdout.
    # The figures above are of the fit at the split, on the snapshots before the holdout only.
    metrics["validated_training_end"] = validated.end.date().isoformat()
    if refit:
        published = _fit_horizons(
            dataset,
            split=_labelled_end(dataset, fitted_horizons, horizon_days),
            algorithm=algorithm,
            features=features,
            horizon_days=horizon_days,
            horizons=fitted_horizons,
            seed=seed,
            step=step,
        )
        metrics["published_fit"] = {
            "training_start": published.start.date().isoformat(),
            "training_end": published.end.date().isoformat(),
            "training_rows": published.rows,
            "training_positives": published.positives,
            "calibration_by_horizon": published.calibration_by_horizon,
            "bagged_by_horizon": published.bagged_by_horizon,
            "recalibration_by_horizon": published.recalibration_by_horizon,
        }
    else:
        metrics["published_recalibration"] = _level_to_data_end(
            estimator, raw=raw, valid_set=valid_set, horizon_days=horizon_days
        )
        published = validated
    metrics["thresholds"] = _present_thresholds(
        published.estimator, dataset=dataset, features=features, seed=seed
    )
    reference = published.reference
    return TrainingResult(
        estimator=published.estimator,
        algorithm=algorithm,
        features=list(features),
        metrics=_json_safe(metrics),
        training_start=published.start,
        training_end=published.end,
        reference={k: (None if np.isnan(v) else v) for k, v in reference.items()},
        validation=validation,
    )


def _labelled_end(dataset: pd.DataFrame, horizons: list[int], main: int) -> pd.Timestamp:
    """The latest day the labels have seen: for each horizon, its last labelled snapshot plus
    the horizon (a snapshot is labelled once its whole horizon has passed), the latest of
    them. Every labelled snapshot's horizon ends by it."""
    as_of = pd.to_datetime(dataset["as_of"])
    ends = [
        as_of[labels.notna()].max() + pd.Timedelta(days=horizon)
        for horizon in horizons
        if (labels := _labels(dataset, horizon, main)).notna().any()
    ]
    return max(ends)


def _overridden(thresholds: dict, *, medium: float | None, high: float | None) -> dict:
    """``thresholds`` with ``medium`` and ``high`` put in where given (an explicit setting
    wins), medium kept at or below high, and ``source``: ``model`` or ``settings``."""
    result = dict(thresholds)
    if high is not None:
        result["high"] = high
    if medium is not None:
        result["medium"] = medium
    result["medium"] = min(result["medium"], result["high"])
    given = medium is not None or high is not None
    result["source"] = "settings" if given else "model"
    return result


def _level_to_data_end(
    estimator: HorizonModel,
    *,
    raw: dict[int, np.ndarray],
    valid_set: pd.DataFrame,
    horizon_days: int,
) -> dict:
    """Where the fit at the split is the one published (``REFIT_MAX_ROWS``): move its level to
    the present, as the same rule did at the split: each horizon's level shifted again to the
    latest window of holdout snapshots whose main horizon has passed (scores the model never
    trained on). ``raw``: each horizon's probabilities of the ``valid_set`` rows, as validated.
    Changes ``estimator`` in place; returns what it did per horizon
    (``published_recalibration`` in the metrics)."""
    adjustments = {}
    if len(valid_set):
        end = pd.Timestamp(pd.to_datetime(valid_set["as_of"]).max())
        for horizon, model in estimator.estimators.items():
            labels = _labels(valid_set, horizon, horizon_days)
            known = labels.notna().to_numpy()
            probability = np.where(known, raw[horizon], np.nan)
            adjustment = recent_shift(
                probability,
                labels.fillna(0).astype(int).to_numpy(),
                as_of=valid_set["as_of"],
                groups=valid_set["rep_id"].to_numpy(),
                end=end,
            )
            if adjustment["applied"]:
                model.shift = getattr(model, "shift", 0.0) + adjustment["shift"]
            adjustment["total_shift"] = getattr(model, "shift", 0.0)
            adjustments[str(horizon)] = adjustment
    return adjustments


def _present_thresholds(
    estimator: HorizonModel, *, dataset: pd.DataFrame, features: list[str], seed: int
) -> dict | None:
    """The published model's bands for the present: thresholds worked out on its
    probabilities for the latest RECENT_WINDOW_DAYS of snapshots (every snapshot, outcome known
    or not; at most SELECTION_MAX_REPS reps), as the rule did on the window before the split.
    None without snapshots to work them out on."""
    as_of = pd.to_datetime(dataset["as_of"])
    latest = dataset[recent_window(as_of, end=as_of.max())]
    latest = _selection_sample(latest, seed=seed)
    frame = pd.DataFrame(
        {
            "as_of": latest["as_of"].to_numpy(),
            "probability": estimator.predict_proba(latest[features].astype("float32"))[:, 1]
            if len(latest)
            else np.zeros(0),
        }
    )
    thresholds = model_thresholds(frame)
    if thresholds["high"] is None:
        return None
    return thresholds | {
        "start": (as_of.max() - pd.Timedelta(days=RECENT_WINDOW_DAYS)).date().isoformat(),
        "end": as_of.max().date().isoformat(),
        "medium_multiple": MEDIUM_MULTIPLE,
    }


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
