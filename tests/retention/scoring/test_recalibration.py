"""Following the base rate: the out-of-time level and the bands a model's probabilities give,
on tiny hand-built frames."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from retention.scoring.model import (
    base_rate_shift,
    model_thresholds,
    out_of_time_split,
    recent_shift,
    recent_window,
    shift_log_odds,
    train,
)
from retention.scoring.signals import FEATURES


def test_the_shift_brings_the_mean_probability_to_the_observed_rate_and_keeps_the_order():
    probability = np.array([0.05, 0.1, 0.1, 0.2, 0.3, 0.05, 0.1, 0.1, 0.2, 0.3])
    label = np.array([0, 0, 1, 1, 1, 0, 0, 0, 0, 1])
    shift = base_rate_shift(probability, label)
    shifted = shift_log_odds(probability, shift)
    assert shift > 0  # 40 % left against 15 % predicted: the level rises
    assert shifted.mean() == pytest.approx(0.4, abs=1e-6)
    assert (np.argsort(shifted, kind="stable") == np.argsort(probability, kind="stable")).all()


def test_no_shift_without_both_outcomes_and_zero_shift_changes_nothing():
    probability = np.array([0.1, 0.2, 0.3])
    assert base_rate_shift(probability, np.array([0, 0, 0])) == 0.0
    assert base_rate_shift(np.array([]), np.array([])) == 0.0
    assert shift_log_odds(probability, 0.0).tolist() == probability.tolist()


def test_the_window_holds_the_days_up_to_its_end_only():
    as_of = pd.Series(pd.to_datetime(["2025-01-01", "2025-03-01", "2025-06-01", "2025-07-01"]))
    window = recent_window(as_of, end=pd.Timestamp("2025-06-01"), days=100)
    assert window.tolist() == [False, True, True, False]


def _drifting_frame() -> pd.DataFrame:
    """Two dates, ten reps each, every chance 10 %: 1 of 10 left from the first date, 3 of 10
    from the second (the base rate rose)."""
    return pd.DataFrame(
        {
            "as_of": np.repeat(pd.to_datetime(["2025-01-05", "2025-06-01"]), 10),
            "rep_id": list(range(10)) + list(range(10, 20)),
            "probability": 0.1,
            "label": [1] + [0] * 9 + [1, 1, 1] + [0] * 7,
        }
    )


def test_the_level_is_set_on_the_recent_window_not_on_all_history():
    frame = _drifting_frame()
    adjustment = recent_shift(
        frame["probability"].to_numpy(),
        frame["label"].to_numpy(),
        as_of=frame["as_of"],
        groups=frame["rep_id"].to_numpy(),
        end=pd.Timestamp("2025-06-01"),
        days=90,
        min_departures=3,
    )
    assert adjustment["rows"] == 10 and adjustment["departing_reps"] == 3
    assert adjustment["observed"] == pytest.approx(0.3) and adjustment["applied"]
    shifted = shift_log_odds(np.full(10, 0.1), adjustment["shift"])
    assert shifted.mean() == pytest.approx(0.3, abs=1e-6)  # not 0.2, all history's rate


def test_a_window_with_too_few_departing_reps_sets_no_level():
    frame = _drifting_frame()
    adjustment = recent_shift(
        frame["probability"].to_numpy(),
        frame["label"].to_numpy(),
        as_of=frame["as_of"],
        groups=frame["rep_id"].to_numpy(),
        end=pd.Timestamp("2025-06-01"),
        days=90,
        min_departures=4,
    )
    assert adjustment["applied"] is False and adjustment["shift"] == 0.0


def test_the_high_band_holds_as_many_reps_as_departures_expected_medium_twice_the_average():
    # Each date: ten reps whose chances add up to 2 departures expected (20 % on average).
    chances = [0.6, 0.5, 0.3, 0.2, 0.1, 0.1, 0.1, 0.05, 0.03, 0.02]
    frame = pd.DataFrame(
        {
            "as_of": np.repeat(pd.to_datetime(["2025-01-05", "2025-01-19"]), 10),
            "probability": chances * 2,
        }
    )
    thresholds = model_thresholds(frame)
    assert thresholds["high"] == 0.5  # two reps at or above it, two departures expected
    assert thresholds["base_rate"] == pytest.approx(0.2)
    assert thresholds["medium"] == pytest.approx(0.4)
    # A rare event: twice the average would be above the high threshold; medium stops there.
    assert model_thresholds(frame, multiple=5)["medium"] == thresholds["high"]
    assert model_thresholds(frame.iloc[:0])["high"] is None


def _rising_dataset(seed: int, reps: int = 400, dates: int = 30) -> tuple[pd.DataFrame, pd.Series]:
    """Reps whose activity drops before they resign; resignations grow more frequent over
    time (the chance of a rep resigning in a fortnight rises from 0.4 % to 3 %)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-07")
    days = [start + pd.Timedelta(days=14 * i) for i in range(dates)]
    leaves_at = {}
    for rep_id in range(reps):
        for number, day in enumerate(days):
            if rng.random() < 0.004 + 0.026 * number / dates:
                leaves_at[rep_id] = day + pd.Timedelta(days=int(rng.integers(1, 14)))
                break
    rows = []
    for day in days:
        for rep_id in range(reps):
            left = leaves_at.get(rep_id)
            if left is not None and left <= day:
                continue
            days_left = (left - day).days if left is not None else 999
            row = {name: rng.normal(0, 1) for name in FEATURES}
            row["activity_change"] -= 1.5 * (days_left <= 100)
            row |= {"rep_id": rep_id, "as_of": day}
            row["label"] = int(0 < days_left <= 90)
            rows.append(row)
    departures = pd.Series(leaves_at, dtype="datetime64[ns]").reindex(range(reps))
    return pd.DataFrame(rows), departures


def test_a_rising_base_rate_is_followed_on_the_holdout_without_changing_the_order():
    dataset, departures = _rising_dataset(seed=3)
    result = train(
        dataset, departures=departures, horizon_days=90, horizons=(90,), seed=0, rolling=False
    )
    metrics, validation = result.metrics, result.validation
    level = metrics["recalibration_by_horizon"]["90"]
    assert level["applied"] and level["shift"] > 0
    observed = validation["label"].mean()
    shifted = validation["probability"].to_numpy()
    unshifted = shift_log_odds(shifted, -level["shift"])
    assert abs(shifted.mean() - observed) < abs(unshifted.mean() - observed)
    assert roc_auc_score(validation["label"], shifted) == pytest.approx(
        roc_auc_score(validation["label"], unshifted)
    )
    # The holdout is banded by the thresholds of the window before it; the model carries its
    # own for the present, worked out on the latest snapshots.
    used = metrics["holdout_thresholds"]
    assert used["source"] == "model" and 0 < used["medium"] <= used["high"] < 1
    bands = {b["band"]: b for b in metrics["bands"]}
    assert bands["high"]["rows"] == int((validation["probability"] >= used["high"]).sum())
    own = metrics["thresholds"]
    assert 0 < own["medium"] <= own["high"] < 1
    assert own["end"] == dataset["as_of"].max().date().isoformat()  # the latest snapshots


def test_explicit_thresholds_band_the_holdout():
    dataset, departures = _rising_dataset(seed=4, reps=200, dates=24)
    result = train(
        dataset,
        departures=departures,
        horizon_days=90,
        horizons=(90,),
        medium=0.2,
        high=0.6,
        rolling=False,
    )
    used = result.metrics["holdout_thresholds"]
    assert (used["medium"], used["high"], used["source"]) == (0.2, 0.6, "settings")


def test_the_out_of_time_split_leaves_a_horizon_between_the_fitted_and_the_predicted_rows():
    # Fortnightly dates over 140 days: the first date a 90-day gap allows is day 90 (from 0),
    # the last day 140: the cut halfway, day 115; fit up to day 25, predict from day 115.
    as_of = pd.Series(pd.Timestamp("2025-01-05") + pd.to_timedelta(range(0, 141, 14), unit="D"))
    fit, check = out_of_time_split(as_of, horizon_days=90)
    days = (as_of - as_of.min()).dt.days
    assert days[fit].tolist() == [0, 14]
    assert days[check].tolist() == [126, 140]
    assert (as_of[check].min() - as_of[fit].max()).days >= 90


def test_no_out_of_time_split_when_the_dates_span_less_than_a_horizon():
    as_of = pd.Series(pd.to_datetime(["2025-01-05", "2025-02-02", "2025-04-04"]))  # 89 days
    assert out_of_time_split(as_of, horizon_days=90) is None
    fit, check = out_of_time_split(as_of, horizon_days=89)  # exactly one horizon apart
    assert fit.tolist() == [True, False, False] and check.tolist() == [False, False, True]
    assert out_of_time_split(as_of.iloc[:0], horizon_days=90) is None
    assert out_of_time_split(as_of, horizon_days=30) is not None


def test_a_rising_base_rate_is_measured_out_of_time_and_sets_the_level():
    dataset, departures = _rising_dataset(seed=3)
    result = train(
        dataset, departures=departures, horizon_days=90, horizons=(90,), seed=0, rolling=False
    )
    level = result.metrics["recalibration_by_horizon"]["90"]
    out_of_time = level["out_of_time"]
    assert out_of_time["applied"] and out_of_time["departing_reps"] >= 10
    gap = pd.Timestamp(out_of_time["check_start"]) - pd.Timestamp(out_of_time["fit_end"])
    assert gap.days >= 90
    # The out-of-time level is the one kept; the in-time one is reported beside it.
    assert level["shift"] == out_of_time["shift"] and "in_time_shift" in level
    # Resignations grow more frequent: a learner on earlier rows under-predicts later ones.
    assert out_of_time["predicted"] < out_of_time["observed"] and out_of_time["shift"] > 0
