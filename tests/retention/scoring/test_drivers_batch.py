"""Drivers computed for all rows at once equal the row-by-row reading they replaced, and the
occluded copies scored by the main horizon's classifier alone give the same contributions."""

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from retention.scoring import explain
from retention.scoring.model import HORIZONS, HorizonModel
from retention.scoring.scorer import Scorer
from retention.scoring.signals import FEATURES, SIGN_OF


def drivers_row_by_row(frame, contributions, *, top=3, minimum=1e-3):
    """``explain.drivers`` as it read each row of the frame in turn."""
    result = []
    names = [name for name in contributions.columns if name in explain.MESSAGES]
    values = contributions[names].to_numpy(dtype=float)
    raw = frame.reindex(columns=names).to_numpy(dtype=float)
    for position, (_, row) in enumerate(frame.iterrows()):
        signs = {}
        for column, name in enumerate(names):
            weight, value = values[position, column], raw[position, column]
            if not weight > 0 or np.isnan(value) or not explain.is_worrying(name, value):
                continue
            signs.setdefault(SIGN_OF.get(name, "context"), []).append((float(weight), name))
        ranked = sorted(
            ((sum(w for w, _ in items), sign, max(items)) for sign, items in signs.items()),
            reverse=True,
        )
        items = []
        for total, sign, (_, name) in ranked[:top]:
            if total < minimum:
                break
            message, numbers = explain.MESSAGES[name]
            items.append(
                {
                    "sign": sign,
                    "feature": name,
                    "message": message,
                    "numbers": {k: explain._number(row.get(c)) for k, c in numbers.items()},
                    "value": float(row[name]),
                    "weight": round(total, 4),
                }
            )
        result.append(items)
    return result


def random_frame(rng, rows=400):
    numbers = {c for _m, cols in explain.MESSAGES.values() for c in cols.values()}
    columns = sorted(set(FEATURES) | numbers - {"team_changed_on"})
    frame = pd.DataFrame(rng.normal(0, 2, (rows, len(columns))), columns=columns)
    frame[frame > 2.5] = np.nan  # unknown values
    frame["tenure_years"] = rng.uniform(0, 6, rows)
    frame["team_changed_on"] = pd.Timestamp("2026-05-04") + pd.to_timedelta(
        rng.integers(0, 200, rows), unit="D"
    )
    frame.loc[frame.index[::3], "team_changed_on"] = pd.NaT
    frame["team_id"] = rng.integers(1, 9, rows)
    frame.index = pd.Index(rng.permutation(10_000)[:rows], name="rep_id")
    return frame


def test_drivers_for_all_rows_at_once_equal_the_row_by_row_reading():
    rng = np.random.default_rng(3)
    frame = random_frame(rng)
    contributions = pd.DataFrame(
        rng.normal(0, 0.05, (len(frame), len(FEATURES))), index=frame.index, columns=FEATURES
    )
    contributions[contributions.abs() < 0.01] = 0.0
    contributions.iloc[::5] = 0.0  # nothing raises these reps' risk
    expected = drivers_row_by_row(frame, contributions)
    assert any(expected) and not all(expected)  # some rows with drivers, some without
    assert explain.drivers(frame, contributions) == expected
    assert explain.drivers(frame.iloc[:0], contributions.iloc[:0]) == []


def test_contributions_from_the_main_horizon_alone_equal_those_of_every_horizon():
    rng = np.random.default_rng(5)
    frame = random_frame(rng, rows=300)
    frame[FEATURES] = frame[FEATURES].fillna(0.0)
    features = FEATURES[:12]
    x = frame[features].astype(float)
    estimators = {
        horizon: make_pipeline(SimpleImputer(), LogisticRegression()).fit(
            x, rng.random(len(x)) < share
        )
        for horizon, share in zip(HORIZONS, (0.1, 0.25, 0.4), strict=True)
    }
    scorer = Scorer(
        estimator=HorizonModel(estimators),
        features=features,
        kind="trained",
        reference={name: float(x[name].median()) for name in features} | {features[0]: None},
    )
    every_horizon = explain.occlusion_contributions(
        scorer.probabilities, frame, features=features, reference=scorer.reference
    )
    pd.testing.assert_frame_equal(scorer.contributions(frame), every_horizon, check_exact=True)
