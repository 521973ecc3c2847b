"""Labels, rules, training, explanations and the backtest on small synthetic frames."""

import numpy as np
import pandas as pd
import pytest

from retention.scoring import explain, labels
from retention.scoring.backtest import backtest_report
from retention.scoring.model import (
    CentredIsotonic,
    NotEnoughHistory,
    Winsorizer,
    auc_standard_error,
    band,
    band_calibration,
    candidate_pipelines,
    choose_calibration,
    evaluate,
    monotone_constraints,
    rep_folds,
    simplest_within_one_error,
    train,
)
from retention.scoring.rules import RuleScorer, rule_points
from retention.scoring.scorer import Scorer, score_frame
from retention.scoring.signals import FEATURES
from tests.retention.scoring.frames import AS_OF, history, leave, rep, weekly


def test_labels_mark_voluntary_departures_within_the_horizon_only():
    reps = history(
        [
            rep(1, departure_date="2025-08-15", departure_reason="voluntary"),
            rep(2, departure_date="2025-08-15", departure_reason="involuntary"),
            rep(3, departure_date="2025-12-01", departure_reason="voluntary"),
            rep(4),
        ]
    ).reps
    snaps = pd.DataFrame({"rep_id": [1, 2, 3, 4], "as_of": pd.Timestamp(AS_OF)})
    assert labels.departure_labels(reps, snaps, horizon_days=90).tolist() == [1, 0, 0, 0]
    late = snaps.assign(as_of=pd.Timestamp("2025-10-01"))
    assert labels.departure_labels(reps, late, horizon_days=90).tolist() == [0, 0, 1, 0]


def test_only_snapshots_with_a_whole_horizon_behind_them_are_observable():
    snaps = pd.DataFrame({"as_of": pd.to_datetime(["2025-01-05", "2025-05-04"])})
    seen = labels.observable(snaps, data_end=pd.Timestamp("2025-06-01"), horizon_days=90)
    assert seen.tolist() == [True, False]


def synthetic_dataset(
    seed: int, reps: int = 300, dates: int = 30
) -> tuple[pd.DataFrame, pd.Series]:
    """Reps whose leave lengthens and activity drops in the ~90 days before they resign."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-07")
    snapshot_days = [start + pd.Timedelta(days=14 * i) for i in range(dates)]
    leaves_at = {}
    for rep_id in range(reps):
        if rng.random() < 0.3:
            leaves_at[rep_id] = start + pd.Timedelta(days=int(rng.integers(60, 14 * dates)))
    rows = []
    for day in snapshot_days:
        for rep_id in range(reps):
            left = leaves_at.get(rep_id)
            if left is not None and left <= day:
                continue
            days_left = (left - day).days if left is not None else 999
            warning = 1.0 if days_left <= 100 else 0.0
            row = {name: rng.normal(0, 1) for name in FEATURES}
            row["leave_episode_change"] += 2.5 * warning
            row["activity_change"] -= 1.5 * warning
            row |= {"rep_id": rep_id, "as_of": day}
            row["label"] = int(0 < days_left <= 90)
            row["label_30"] = int(0 < days_left <= 30)
            row["label_180"] = int(0 < days_left <= 180)
            rows.append(row)
    departures = pd.Series(
        {rep_id: day for rep_id, day in leaves_at.items()}, dtype="datetime64[ns]"
    )
    return pd.DataFrame(rows), departures.reindex(range(reps))


def test_training_keeps_the_better_model_calibrates_and_reports_every_figure():
    dataset, departures = synthetic_dataset(seed=1)
    result = train(dataset, departures=departures, horizon_days=90, seed=0, horizons=(90,))
    metrics = result.metrics
    # Chosen on folds of the training snapshots grouped by rep, not a fixed fallback.
    assert metrics["selection"] == "rep_folds"
    assert set(metrics["candidates_roc_auc"]) == set(candidate_pipelines())
    scores, errors = metrics["candidates_roc_auc"], metrics["candidates_roc_auc_error"]
    best = max(scores, key=scores.get)
    assert scores[result.algorithm] >= scores[best] - errors[best]
    assert metrics["calibration"] in {"sigmoid", "isotonic"}
    assert metrics["roc_auc"] > 0.8
    for key in ("average_precision", "precision_top", "recall_top", "median_lead_days"):
        assert metrics[key] is not None
    # The figures are of a fit whose snapshots end a horizon before validation starts; the
    # model returned is the same rule fitted again on every labelled snapshot, the holdout's too.
    holdout = pd.Timestamp(metrics["holdout_start"])
    assert pd.Timestamp(metrics["validated_training_end"]) + pd.Timedelta(days=90) <= holdout
    assert result.training_end > holdout
    published = metrics["published_fit"]
    assert published["training_end"] == result.training_end.date().isoformat()
    assert published["training_rows"] > metrics["training_rows"]
    assert published["training_positives"] > metrics["training_positives"]
    probabilities = result.validation["probability"]
    assert probabilities.min() >= 0 and probabilities.max() <= 1
    # Calibrated: the mean probability is near the base rate, not near 0.5.
    assert abs(probabilities.mean() - result.validation["label"].mean()) < 0.05
    # Next to two simple baselines on the same holdout, over rolling splits, with a reliability
    # table and the calibration per band; this model beats the baselines, so it may publish.
    assert set(metrics["baselines"]) == {"leave_days_recent", "activity_variation"}
    assert metrics["publishable"] is True
    assert len(metrics["reliability"]) == 10
    assert [b["band"] for b in metrics["bands"]] == ["low", "medium", "high"]
    assert metrics["rolling"]["splits"] and metrics["rolling"]["roc_auc"]["model"]["std"] >= 0


def test_learner_is_chosen_on_folds_that_never_split_a_rep():
    dataset, _ = synthetic_dataset(seed=2, reps=40, dates=6)
    for fit, check in rep_folds(dataset):
        assert not set(dataset["rep_id"].iloc[fit]) & set(dataset["rep_id"].iloc[check])
        assert len(fit) and len(check)


def test_the_simplest_learner_within_one_standard_error_of_the_best_is_kept():
    scores = {"hist_gradient_boosting": 0.84, "logistic_regression_strong_l2": 0.82}
    assert simplest_within_one_error(scores, {"hist_gradient_boosting": 0.03}) == (
        "logistic_regression_strong_l2"
    )
    assert simplest_within_one_error(scores, {"hist_gradient_boosting": 0.01}) == (
        "hist_gradient_boosting"
    )


def test_calibration_choice_follows_the_shape_of_the_scores_by_out_of_fold_log_loss():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(300), 10)
    log_odds = rng.normal(-2.0, 1.5, len(groups))
    score = 1 / (1 + np.exp(-log_odds))
    # The truth a logistic curve of the scores' log-odds: Platt's shape, and isotonic adds noise.
    logistic = (rng.random(len(score)) < 1 / (1 + np.exp(-(1.5 * log_odds - 1)))).astype(int)
    method, checks = choose_calibration(score, logistic, groups)
    assert method == "sigmoid"
    assert checks["sigmoid"]["log_loss"] <= checks["isotonic"]["log_loss"]
    # A ceiling no logistic curve follows: the chance rises with the score, then stays at 60 %.
    ceiling = (rng.random(len(score)) < np.minimum(0.6, 3 * score)).astype(int)
    method, checks = choose_calibration(score, ceiling, groups)
    assert method == "isotonic"
    assert checks["isotonic"]["log_loss"] < checks["sigmoid"]["log_loss"]
    assert {"brier", "band_error"} <= set(checks["isotonic"])


def test_isotonic_calibration_keeps_the_learners_order_between_its_steps():
    rng = np.random.default_rng(1)
    score = rng.random(2000)
    label = (rng.random(2000) < score).astype(int)
    curve = CentredIsotonic().fit(score, label)
    inside = np.sort(score[(score > curve.x_[0]) & (score < curve.x_[-1])])
    calibrated = curve.predict(inside)
    # Strictly rising inside its range (no two reps tied that the learner ranked apart), and
    # still a calibration: the mean predicted is the observed rate.
    assert (np.diff(calibrated) > 0).all()
    assert curve.predict(score).mean() == pytest.approx(label.mean(), abs=0.02)


def test_a_model_that_does_not_beat_a_baseline_is_not_publishable():
    dataset, departures = synthetic_dataset(seed=3)
    # The baseline knows the answer: the model (blind to it) cannot beat it.
    dataset["leave_days_recent"] = dataset["label"] * 10.0
    features = [name for name in FEATURES if name != "leave_days_recent"]
    fits: list[tuple[int, int]] = []
    result = train(
        dataset,
        departures=departures,
        horizon_days=90,
        horizons=(90,),
        features=features,
        rolling=False,
        progress=lambda done, total: fits.append((done, total)),
    )
    # Told as each fit begins (each candidate learner, then the one horizon at the split and
    # again at the data's end), so a job can write its heartbeat.
    steps = len(candidate_pipelines()) + 2
    assert fits == [(n, steps) for n in range(1, steps + 1)]
    assert result.metrics["publishable"] is False
    assert "Leave days in the last 90 days" in result.metrics["not_published_because"]


def test_horizons_are_monotone_with_the_main_one_kept():
    from retention.scoring.model import monotone

    raw = pd.DataFrame({30: [0.5, 0.1], 90: [0.3, 0.2], 180: [0.1, 0.4]})
    result = monotone(raw, main=90)
    assert result[90].tolist() == [0.3, 0.2]
    assert (result[30] <= result[90]).all() and (result[90] <= result[180]).all()
    assert result.loc[1].tolist() == [0.1, 0.2, 0.4]


def test_a_trained_model_gives_each_horizon_calibrated_on_its_own_folds_and_monotone():
    dataset, departures = synthetic_dataset(seed=4)
    result = train(dataset, departures=departures, horizon_days=90, seed=0, rolling=False)
    assert set(result.estimator.estimators) == {30, 90, 180}
    assert set(result.metrics["calibration_by_horizon"]) == {"30", "90", "180"}
    chances = result.estimator.predict_horizons(dataset[result.features].astype(float))
    assert (chances[30] <= chances[90]).all() and (chances[90] <= chances[180]).all()
    # The main horizon is the one scored and validated, and each is near its own base rate.
    assert np.allclose(
        result.estimator.predict_proba(dataset[result.features].astype(float))[:, 1], chances[90]
    )
    for horizon in ("30", "90", "180"):
        figures = result.metrics["horizons"][horizon]
        assert abs(figures["mean_predicted"] - figures["observed_rate"]) < 0.05


def test_the_fold_fits_are_averaged_where_they_cover_every_rep_else_one_fit_on_all(monkeypatch):
    from retention.scoring import model

    dataset, departures = synthetic_dataset(seed=7, reps=200, dates=24)
    kwargs = {"departures": departures, "horizon_days": 90, "horizons": (90,), "rolling": False}
    result = train(dataset, **kwargs)
    main = result.estimator.estimators[90].pipeline
    assert result.metrics["bagged_by_horizon"] == {"90": True}
    assert isinstance(main, model.Bagged) and len(main.members) == 3
    # Folds on a sample of the reps: one fit on all of them instead.
    monkeypatch.setattr(model, "SELECTION_MAX_REPS", 120)
    sampled = train(dataset, **kwargs)
    assert sampled.metrics["bagged_by_horizon"] == {"90": False}
    assert not isinstance(sampled.estimator.estimators[90].pipeline, model.Bagged)
    assert sampled.metrics["roc_auc"] > 0.8


def test_boosting_is_held_to_each_signs_documented_direction():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.normal(0, 1, (3000, 2)), columns=["activity_change", "sick_days"])
    # Noise that happens to say "more activity, more leaving", against the documented side.
    label = (rng.random(3000) < 0.1 + 0.05 * (frame["activity_change"] > 1)).astype(int)
    assert monotone_constraints(["activity_change", "sick_days", "unknown"]) == [-1, 1, 0]
    pipeline = candidate_pipelines(features=list(frame))["hist_gradient_boosting"]
    pipeline.fit(frame, label)
    grid = pd.DataFrame({"activity_change": np.linspace(-3, 3, 50), "sick_days": 0.0})
    chance = pipeline.predict_proba(grid)[:, 1]
    assert (np.diff(chance) <= 1e-12).all()  # never rises as activity rises


def test_the_blend_is_kept_unless_one_learner_beats_it_by_more_than_the_leavers_allow():
    scores = {"blend": 0.90, "logistic_regression": 0.93, "hist_gradient_boosting": 0.91}
    assert simplest_within_one_error(scores, {"logistic_regression": 0.04}) == "blend"
    assert simplest_within_one_error(scores, {"logistic_regression": 0.01}) == (
        "logistic_regression"
    )
    # The error counts reps: 15 leavers among 150 reps leave an AUC of 0.95 uncertain by
    # about 0.03, however many snapshots each rep has and however alike three folds came out.
    groups = np.repeat(np.arange(150), 10)
    label = (groups < 15).astype(int)
    assert 0.02 < auc_standard_error(0.95, label, groups) < 0.05
    assert auc_standard_error(0.95, np.repeat(label, 4), np.repeat(groups, 4)) == (
        pytest.approx(auc_standard_error(0.95, label, groups))
    )


def test_band_check_counts_reps_and_says_when_a_band_cannot_settle_the_tolerance():
    rng = np.random.default_rng(6)
    # 400 reps × 10 dates; each rep keeps its chance, and the outcome is the rep's own.
    chance = np.repeat(rng.choice([0.02, 0.35, 0.8], size=400, p=[0.8, 0.15, 0.05]), 10)
    groups = np.repeat(np.arange(400), 10)
    label = np.repeat(rng.random(400), 10) < chance
    rows = band_calibration(chance, label.astype(int), medium=0.25, high=0.5, groups=groups)
    low, _, high = rows
    assert low["reps"] > 250 and low["verdict"] == "within"
    # A band of a score of reps: its interval spans more than the tolerance either way.
    assert high["reps"] < 40 and high["verdict"] == "undecided"
    assert high["observed_high"] - high["observed_low"] > 0.1
    assert high["gap_low"] < high["predicted"] - high["observed"] < high["gap_high"]
    # The same reps seen on ten times as many dates are no more certain.
    wide = band_calibration(
        np.repeat(chance, 10),
        np.repeat(label, 10).astype(int),
        medium=0.25,
        high=0.5,
        groups=np.repeat(groups, 10),
    )[2]
    assert wide["observed_high"] - wide["observed_low"] == pytest.approx(
        high["observed_high"] - high["observed_low"], abs=0.05
    )
    # Predictions far off on many reps: outside, whatever the noise.
    off = band_calibration(chance * 0.3, label.astype(int), medium=0.05, high=0.2, groups=groups)
    assert off[1]["verdict"] == "outside"


def test_the_count_threshold_puts_as_many_reps_in_the_high_band_as_departures_are_expected():
    from retention.scoring.model import expected_count_threshold, high_band_count

    # Each date: ten reps; their chances add up to 2 departures expected.
    chances = [0.6, 0.5, 0.3, 0.2, 0.1, 0.1, 0.1, 0.05, 0.03, 0.02]
    frame = pd.DataFrame(
        {
            "as_of": np.repeat(pd.to_datetime(["2025-01-05", "2025-01-19"]), 10),
            "probability": chances * 2,
            "label": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0] * 2,
        }
    )
    assert expected_count_threshold(frame) == 0.5
    count = high_band_count(frame, high=0.55)
    assert count["high_band_reps"] == 1.0 and count["departures"] == 1.0
    assert count["expected_departures"] == pytest.approx(2.0)
    assert count["count_threshold"] == 0.5


def test_rules_give_every_horizon_from_the_90_day_chance():
    frame = pd.DataFrame([{name: 0.0 for name in FEATURES} | {"leave_episode_change": 3.0}])
    horizons = Scorer.rules().horizons(frame).iloc[0]
    assert horizons[30] < horizons[90] < horizons[180]
    assert horizons[180] == pytest.approx(1 - (1 - horizons[90]) ** 2)


def test_serving_notice_snapshots_are_marked_and_labels_are_unknown_past_the_data():
    reps = history([rep(1, departure_date="2025-08-15", departure_reason="voluntary"), rep(2)]).reps
    snaps = pd.DataFrame(
        {"rep_id": [1, 1, 2], "as_of": pd.to_datetime(["2025-07-01", "2025-08-05", "2025-08-05"])}
    )
    # Notice taken to start 14 days before the last day when the source has no notice date.
    assert labels.serving_notice(reps, snaps).tolist() == [False, True, False]
    result = labels.horizon_labels(
        reps, snaps, data_end=pd.Timestamp("2025-10-01"), horizons=(30, 90)
    )
    assert result["label_30"].tolist() == [0.0, 1.0, 0.0]
    assert result["label_90"].isna().tolist() == [False, True, True]


def test_too_few_departures_refuses_to_train():
    dataset, departures = synthetic_dataset(seed=2, reps=30)
    with pytest.raises(NotEnoughHistory):
        train(dataset, departures=departures, horizon_days=90, min_departures=50)


def test_evaluate_precision_recall_in_top_share_and_lead_time():
    frame = pd.DataFrame(
        {
            "rep_id": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] * 2,
            "as_of": [pd.Timestamp("2025-01-05")] * 10 + [pd.Timestamp("2025-01-19")] * 10,
            "probability": [0.9, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3] * 2,
            "label": [1, 0, 0, 0, 0, 0, 0, 0, 0, 1] * 2,
        }
    )
    departures = pd.Series({1: pd.Timestamp("2025-03-01"), 10: pd.Timestamp("2025-02-01")})
    metrics = evaluate(frame, departures=departures, horizon_days=90)
    assert metrics["precision_top"] == 1.0  # rep 1 is top each date
    assert metrics["recall_top"] == 0.5  # rep 10 is never flagged
    assert (
        metrics["median_lead_days"]
        == (pd.Timestamp("2025-03-01") - pd.Timestamp("2025-01-05")).days
    )


def test_rules_score_no_sign_low_and_several_signs_higher():
    calm = {name: 0.0 for name in FEATURES} | {"tenure_years": 5.0, "quota_attainment": 1.0}
    worried = calm | {"leave_episode_change": 3.0, "activity_change": -0.5, "bridge_days": 2.0}
    unknown = {name: np.nan for name in FEATURES}
    frame = pd.DataFrame([calm, worried, unknown])
    probability = RuleScorer().predict_proba(frame)[:, 1]
    assert probability[0] < 0.05
    assert probability[1] > 0.25
    assert probability[2] == probability[0]  # unknown signals earn no points
    points = rule_points(frame)
    assert points.loc[1, "leave_episode_change"] > 0 and points.loc[0].sum() == 0


def test_bands_follow_thresholds():
    assert band(np.array([0.1, 0.25, 0.49, 0.5]), medium=0.25, high=0.5).tolist() == [
        "low",
        "medium",
        "medium",
        "high",
    ]


def test_drivers_read_in_plain_words_with_numbers():
    leave_rows = [
        leave(1, "2024-07-10"),
        leave(1, "2024-09-11", "2024-09-12"),
        leave(1, "2025-04-14", "2025-04-17"),
        leave(1, "2025-05-20", "2025-05-24"),
    ]
    from retention.scoring.features import feature_frame

    h = history([rep(1), rep(2)], weekly(1, "activities", 10, 10), leave_rows)
    frame = feature_frame(h, AS_OF)
    scored = score_frame(frame, scorer=Scorer.rules(), medium=0.25, high=0.5)
    (leave_driver,) = [d for d in scored.loc[1, "drivers"] if d["sign"] == "leave"]
    # The rep's own contributions, grouped by warning sign: the leave sign is told by its
    # strongest signal, with the numbers behind it (the words are the service's).
    assert leave_driver["message"] == "leave_days"
    assert leave_driver["numbers"] == {"recent": 9.0, "usual": pytest.approx(3 / 364 * 91, 1e-3)}
    assert not any(d["sign"] == "leave" for d in scored.loc[2, "drivers"])


def test_occlusion_contributions_point_at_the_feature_that_matters():
    frame = pd.DataFrame({"a": [0.0, 3.0], "b": [1.0, 1.0]})

    def predict(rows):
        return 1 / (1 + np.exp(-(rows["a"].to_numpy() - 2)))

    result = explain.occlusion_contributions(
        predict, frame, features=["a", "b"], reference={"a": 0.0, "b": 1.0}
    )
    assert result.loc[1, "a"] > 0.5 and result.loc[1, "b"] == 0


def test_backtest_lists_departures_lead_times_and_false_alarms():
    frame = pd.DataFrame(
        {
            "rep_id": list(range(1, 11)) * 2,
            "as_of": [pd.Timestamp("2025-01-05")] * 10 + [pd.Timestamp("2025-01-12")] * 10,
            "probability": [0.1] * 8 + [0.2, 0.9] + [0.1] * 8 + [0.95, 0.2],
            "label": [0] * 8 + [1, 0] + [0] * 8 + [1, 0],
        }
    )
    departures = pd.Series({9: pd.Timestamp("2025-02-01")})
    report = backtest_report(frame, departures=departures, horizon_days=90)
    assert report["departures"] == [
        {"rep_id": 9, "departure_date": "2025-02-01", "first_flag": "2025-01-12", "lead_days": 20}
    ]
    assert report["summary"]["false_alarms"] == 1  # rep 10 flagged on 5 January
    assert report["summary"]["flags"] == 2
    assert [row["hits"] for row in report["dates"]] == [0, 1]


def test_drivers_name_only_signals_on_their_worrying_side():
    frame = pd.DataFrame(
        {
            "activity_change": [0.18],
            "activities_recent": [11.5],
            "activities_baseline": [9.7],
            "bridge_days": [2.0],
            "bridge_days_recent": [2.0],
            "bridge_days_usual": [0.0],
        }
    )
    # A model leaning on a rise in activity must not have it read as a reason to leave.
    contributions = pd.DataFrame({"activity_change": [0.3], "bridge_days": [0.1]})
    (items,) = explain.drivers(frame, contributions)
    assert [item["feature"] for item in items] == ["bridge_days"]
    assert items[0]["numbers"] == {"recent": 2.0, "usual": 0.0}


def test_each_signal_is_bounded_by_its_own_spread_not_a_fixed_number():
    rng = np.random.default_rng(0)
    leave_days = rng.integers(0, 30, 1000).astype(float)  # days: far beyond ±5, all ordinary
    ratio = np.append(rng.normal(0.0, 0.2, 999), 40.0)  # a tiny baseline made one ratio explode
    escalations = np.where(rng.random(1000) < 0.03, 3.0, 0.0)  # mostly 0: no quartile spread
    x = np.column_stack([leave_days, ratio, escalations])
    bounded = Winsorizer().fit(x).transform(x)
    assert np.array_equal(bounded[:, 0], leave_days)
    assert bounded[-1, 1] < 2.0 and np.array_equal(bounded[:-1, 1], ratio[:-1])
    assert bounded[:, 2].max() == 3.0


def test_past_the_refit_size_the_fit_at_the_split_is_published_levelled_on_the_holdout(
    monkeypatch,
):
    from retention.scoring import model

    dataset, departures = synthetic_dataset(seed=1)
    monkeypatch.setattr(model, "REFIT_MAX_ROWS", 0)
    result = train(dataset, departures=departures, horizon_days=90, horizons=(90,), rolling=False)
    metrics = result.metrics
    holdout = pd.Timestamp(metrics["holdout_start"])
    assert "published_fit" not in metrics
    assert result.training_end + pd.Timedelta(days=90) <= holdout
    assert metrics["validated_training_end"] == result.training_end.date().isoformat()
    assert set(metrics["published_recalibration"]) == {"90"}
    assert metrics["thresholds"]["high"] is not None
