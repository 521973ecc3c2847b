"""No feature on a date may see anything dated after it."""

import pandas as pd
import pytest

from retention.scoring.features import feature_frame, snapshot_dates
from retention.scoring.signals import FEATURES
from tests.retention.scoring.frames import AS_OF, history, leave, rep, weekly

BASE_REPS = [rep(1), rep(2, quota=40_000), rep(3, team_id=2)]


def base_rows():
    rows = weekly(1, "activities", 10, 6) + weekly(2, "activities", 12, 12)
    rows += weekly(3, "activities", 8, 9) + weekly(1, "won_amount", 900, 300)
    rows += weekly(2, "service_n", 1, 1) + weekly(2, "service_score_sum", 0.9, 0.7)
    rows += weekly(1, "visit_minutes", 100, 80) + weekly(1, "pipeline_created", 500, 200)
    return rows


BASE_LEAVE = [leave(1, "2025-06-27", "2025-07-04"), leave(2, "2025-05-02"), leave(3, "2024-12-20")]


def test_data_after_the_date_leaves_features_unchanged():
    before = feature_frame(history(BASE_REPS, base_rows(), BASE_LEAVE), AS_OF)

    future_rows = base_rows()
    for rep_id in (1, 2, 3):
        for week in pd.date_range("2025-06-30", periods=20, freq="7D"):
            future_rows.append(
                {
                    "rep_id": rep_id,
                    "week": week,
                    "activities": 500,
                    "won_amount": 1e6,
                    "service_n": 4,
                    "service_score_sum": 0.1,
                    "complaints": 9,
                    "visit_minutes": 999,
                    "pipeline_created": 1e6,
                }
            )
    future_leave = [
        leave(1, "2025-06-27", "2025-09-30"),  # the same leave, now known to run longer
        leave(2, "2025-05-02"),
        leave(3, "2024-12-20"),
        leave(2, "2025-07-01", "2025-07-20"),
        leave(3, "2025-06-30"),
    ]
    future_reps = [
        rep(1, departure_date="2025-08-01", departure_reason="voluntary"),
        rep(2, quota=40_000),
        rep(3, team_id=2),
        rep(4, hire_date="2025-07-01"),
    ]
    after = feature_frame(history(future_reps, future_rows, future_leave), AS_OF)

    pd.testing.assert_frame_equal(before, after)


def test_each_feature_moves_when_data_before_the_date_changes():
    """Guards the test above: it must be able to fail, so past data does reach the features."""
    before = feature_frame(history(BASE_REPS, base_rows(), BASE_LEAVE), AS_OF)
    rows = base_rows()
    rows.append({"rep_id": 1, "week": pd.Timestamp("2025-06-23"), "activities": 50})
    after = feature_frame(history(BASE_REPS, rows, BASE_LEAVE), AS_OF)
    assert after.loc[1, "activity_change"] != before.loc[1, "activity_change"]


def test_leave_in_progress_counts_only_up_to_the_date():
    frame = feature_frame(history(BASE_REPS, base_rows(), BASE_LEAVE), AS_OF)
    assert frame.loc[1, "leave_days_recent"] == 3  # 27, 28 and 29 June


def test_partial_current_week_is_ignored():
    midweek = pd.Timestamp("2025-07-02")  # Wednesday: the week of 30 June is not complete
    rows = [*base_rows(), {"rep_id": 1, "week": pd.Timestamp("2025-06-30"), "activities": 500}]
    frame = feature_frame(history(BASE_REPS, rows, BASE_LEAVE), midweek)
    reference = feature_frame(history(BASE_REPS, base_rows(), BASE_LEAVE), midweek)
    assert frame.loc[1, "activities_recent"] == reference.loc[1, "activities_recent"]


def test_feature_frame_has_every_feature_and_snapshot_dates_are_sundays():
    frame = feature_frame(history(BASE_REPS, base_rows(), BASE_LEAVE), AS_OF)
    assert set(FEATURES) <= set(frame.columns)
    dates = snapshot_dates(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-01"))
    assert all(day.weekday() == 6 for day in dates)
    assert dates[1] - dates[0] == pd.Timedelta(days=14)


@pytest.mark.parametrize("departed", ["2025-06-29", "2025-06-01"])
def test_reps_gone_by_the_date_are_not_scored(departed):
    reps = [rep(1, departure_date=departed, departure_reason="voluntary"), rep(2)]
    frame = feature_frame(history(reps, base_rows()), AS_OF)
    assert list(frame.index) == [2]
