"""Each signal on tiny hand-built frames, including the awkward reps: no leave, brand new, gaps."""

import math

import pandas as pd
import pytest

from retention.scoring import signals
from tests.retention.scoring.frames import AS_OF, history, leave, rep, weekly, weeks


def test_activity_change_is_recent_mean_against_own_baseline():
    h = history([rep(1)], weekly(1, "activities", baseline=10, recent=5))
    row = signals.activity_change(h, AS_OF).loc[1]
    assert row.activities_recent == 5
    assert row.activities_baseline == 10
    assert row.activity_change == pytest.approx(-0.5)


def test_weeks_without_rows_count_as_zero_for_a_rep_with_gaps():
    h = history([rep(1)], weekly(1, "activities", baseline=10, recent=13, skip=range(0, 13, 2)))
    row = signals.activity_change(h, AS_OF).loc[1]
    # 7 of the 13 recent weeks are missing: 6 × 13 / 13 = 6 a week.
    assert row.activities_recent == pytest.approx(6.0)
    assert row.activity_change == pytest.approx(-0.4)


def test_brand_new_rep_has_no_baseline_and_counts_only_weeks_since_hire():
    new_hire = weeks(3)[0].date().isoformat()
    h = history([rep(1, hire_date=new_hire)], weekly(1, "activities", baseline=99, recent=8))
    change = signals.activity_change(h, AS_OF).loc[1]
    assert change.activities_recent == 8  # three weeks employed, all at 8
    assert math.isnan(change.activity_change)
    assert math.isnan(signals.leave_days_change(h, AS_OF).loc[1, "leave_days_change"])
    assert signals.tenure_years(h, AS_OF).loc[1, "tenure_years"] < 0.1


def test_rep_hired_after_the_date_is_not_scored():
    h = history([rep(1), rep(2, hire_date="2025-07-01")])
    assert list(signals.tenure_years(h, AS_OF).index) == [1]


def test_activity_volatility_compares_recent_swings_with_usual_ones():
    rows = weekly(1, "activities", baseline=10, recent=0)
    for row in rows[-13:]:
        row["activities"] = 20 if row["week"].day % 2 else 0
    recent = [row["activities"] for row in rows[-13:]]
    h = history([rep(1)], rows)
    result = signals.activity_volatility(h, AS_OF).loc[1]
    expected = pd.Series(recent).std(ddof=0) / pd.Series(recent).mean()
    assert result.volatility_baseline == 0
    assert result.activity_volatility == pytest.approx(expected)


def test_activity_vs_peers_compares_with_team_median():
    rows = (
        weekly(1, "activities", 10, 10)
        + weekly(2, "activities", 10, 10)
        + weekly(3, "activities", 10, 5)
        + weekly(4, "activities", 10, 50)
    )
    h = history([rep(1), rep(2), rep(3), rep(4, team_id=2)], rows)
    result = signals.activity_vs_peers(h, AS_OF)
    assert result.loc[3, "activity_vs_peers"] == pytest.approx(-0.5)
    assert result.loc[1, "activity_vs_peers"] == 0
    assert result.loc[4, "activity_vs_peers"] == 0  # alone in team 2


def test_pipeline_change_and_quota_attainment():
    rows = weekly(1, "pipeline_created", 4000, 1000) + weekly(1, "won_amount", 500, 500)
    h = history([rep(1, quota=52_000), rep(2, quota=0)], rows)
    assert signals.pipeline_change(h, AS_OF).loc[1, "pipeline_change"] == pytest.approx(-0.75)
    quota = signals.quota_attainment(h, AS_OF)
    assert quota.loc[1, "won_recent"] == 26 * 500
    assert quota.loc[1, "quota_attainment"] == pytest.approx(0.5)
    assert math.isnan(quota.loc[2, "quota_attainment"])


def test_visit_hours_not_rising():
    rows = weekly(1, "visit_minutes", 120, 60)
    h = history([rep(1)], rows)
    result = signals.visit_hours_change(h, AS_OF).loc[1]
    assert result.visit_hours_recent == 1.0
    assert result.visit_hours_before == 2.0
    assert result.visit_hours_change == pytest.approx(-0.5)


LONGER_LEAVE = [
    leave(1, "2024-07-10"),
    leave(1, "2024-09-11", "2024-09-12"),
    leave(1, "2025-04-14", "2025-04-17"),
    leave(1, "2025-05-20", "2025-05-24"),
]


def test_leave_episodes_getting_longer():
    h = history([rep(1)], leave_rows=LONGER_LEAVE)
    row = signals.leave_episode_change(h, AS_OF).loc[1]
    assert row.leave_episode_recent == 4.5
    assert row.leave_episode_baseline == 1.5
    assert row.leave_episode_change == 3.0


def test_days_off_against_usual_days_off():
    h = history([rep(1)], leave_rows=LONGER_LEAVE)
    row = signals.leave_days_change(h, AS_OF).loc[1]
    assert row.leave_days_recent == 9
    assert row.leave_days_usual == pytest.approx(3 / 364 * 91)
    assert row.leave_days_change == pytest.approx(9 - 3 / 364 * 91)


def test_rep_with_no_leave_scores_neutral_on_leave_signals():
    h = history([rep(1), rep(2)], leave_rows=LONGER_LEAVE)
    assert signals.leave_episode_change(h, AS_OF).loc[2, "leave_episode_change"] == 0
    assert signals.leave_days_change(h, AS_OF).loc[2, "leave_days_change"] == 0
    assert signals.bridge_days(h, AS_OF).loc[2, "bridge_days"] == 0


def test_single_days_next_to_weekends():
    rows = [leave(1, "2025-06-02"), leave(1, "2025-06-13"), leave(1, "2025-06-11")]
    rows += [leave(1, "2024-06-07")]  # a Friday in the baseline year: 1 in 364 days
    h = history([rep(1)], leave_rows=rows)
    row = signals.bridge_days(h, AS_OF).loc[1]
    assert row.bridge_days_recent == 2  # Monday and Friday; the Wednesday does not count
    assert row.bridge_days == pytest.approx(2 - 91 / 364)


def test_leave_spanning_the_window_edge_is_split_by_overlap():
    h = history([rep(1)], leave_rows=[leave(1, "2025-03-28", "2025-04-02")])
    row = signals.leave_days_change(h, AS_OF).loc[1]
    assert row.leave_days_recent == 3  # 31 March, 1 and 2 April


def test_falling_service_quality_and_complaints():
    rows = weekly(1, "service_n", 2, 2) + weekly(1, "service_score_sum", 1.8, 1.2)
    rows += weekly(1, "complaints", 0, 0)
    rows[-1]["complaints"] = 3
    h = history([rep(1), rep(2)], rows)
    service = signals.service_change(h, AS_OF)
    assert service.loc[1, "service_recent"] == pytest.approx(0.6)
    assert service.loc[1, "service_change"] == pytest.approx(-0.3)
    assert math.isnan(service.loc[2, "service_change"])  # no scores at all
    assert signals.complaints_change(h, AS_OF).loc[1, "complaints_change"] == 3


def test_team_change_in_last_half_year():
    changes = [{"rep_id": 1, "changed_on": pd.Timestamp("2025-03-01")}]
    changes += [{"rep_id": 2, "changed_on": pd.Timestamp("2024-01-01")}]
    h = history([rep(1), rep(2), rep(3)], team_changes=changes)
    result = signals.team_change_recent(h, AS_OF)["team_change_recent"]
    assert result.to_dict() == {1: 1.0, 2: 0.0, 3: 0.0}


def test_short_term_shift_sees_the_last_six_weeks_sooner():
    rows = weekly(1, "activities", baseline=10, recent=10)
    for row in rows[-6:]:
        row["activities"] = 4
    h = history([rep(1)], rows, [leave(1, "2025-06-06"), leave(1, "2025-04-04")])
    short = signals.short_term_shift(h, AS_OF).loc[1]
    long = signals.activity_change(h, AS_OF).loc[1]
    assert short.activity_change_6w == pytest.approx(-0.6)
    assert long.activity_change == pytest.approx((7 * 10 + 6 * 4) / 13 / 10 - 1)
    assert short.bridge_days_6w == 1  # 6 June (a Friday); 4 April is older than 6 weeks
    assert math.isnan(short.service_change_6w)
