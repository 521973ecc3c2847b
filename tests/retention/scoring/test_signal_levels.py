"""Levels as well as changes, leave by kind, service in its units, escalations, resolution, time
per visit, overdue work, manager change, team departures and honest windows, on tiny frames."""

import math

import pandas as pd
import pytest

from retention.scoring import signals
from retention.scoring.history import RepHistory
from tests.retention.scoring.frames import AS_OF, history, leave, rep, weekly, weeks


def test_activity_variation_is_the_level_of_recent_swings():
    rows = weekly(1, "activities", baseline=10, recent=10)
    for position, row in enumerate(rows[-13:]):
        row["activities"] = 5 if position % 2 else 15
    steady = weekly(2, "activities", baseline=10, recent=10)
    h = history([rep(1), rep(2)], rows + steady)
    result = signals.activity_variation(h, AS_OF)
    recent = pd.Series([row["activities"] for row in rows[-13:]])
    assert result.loc[1, "activity_variation"] == pytest.approx(recent.std(ddof=0) / recent.mean())
    assert result.loc[2, "activity_variation"] == 0


def test_a_rep_long_disengaged_shows_in_levels_though_not_in_changes():
    # Erratic for the whole 65 weeks: no change against the baseline, but a high level.
    rows = []
    for position, week in enumerate(weeks(65)):
        rows.append({"rep_id": 1, "week": week, "activities": 2 if position % 2 else 18})
    h = history([rep(1)], rows)
    assert abs(signals.activity_volatility(h, AS_OF).loc[1, "activity_volatility"]) < 0.1
    assert signals.activity_variation(h, AS_OF).loc[1, "activity_variation"] > 0.7


def test_leave_kinds_sick_planned_block_and_ad_hoc():
    rows = [
        leave(1, "2025-06-02", "2025-06-13") | {"kind": "vacation"},  # 10 workdays: planned
        leave(1, "2025-05-05") | {"kind": "vacation"},  # a single day: ad hoc
        leave(1, "2025-05-12", "2025-05-13") | {"kind": "personal"},  # 2 days: ad hoc
        leave(1, "2025-04-07", "2025-04-11") | {"kind": "sick"},  # sick, however long
        leave(1, "2024-01-08", "2024-01-09"),  # before the window
    ]
    h = history([rep(1), rep(2)], leave_rows=rows)
    result = signals.leave_recent(h, AS_OF)
    assert result.loc[1].to_dict() == {
        "leave_days_recent": 18.0,
        "adhoc_leave_days": 3.0,
        "planned_leave_days": 10.0,
        "sick_days": 5.0,
        "adhoc_leave_episodes": 2.0,
    }
    assert result.loc[2, "leave_days_recent"] == 0


def test_without_a_kind_field_length_alone_decides_the_kind():
    frame = pd.DataFrame(
        {
            "first_day": pd.to_datetime(["2025-06-02", "2025-06-02", "2025-06-06"]),
            "last_day": pd.to_datetime(["2025-06-06", "2025-06-05", "2025-06-09"]),
        }
    )
    # Five workdays make a block; Friday to Monday is two workdays, ad hoc.
    assert signals.leave_kind(frame).tolist() == ["planned", "adhoc", "adhoc"]


def test_leave_window_before_the_leave_data_start_is_unknown():
    h = RepHistory(
        reps=pd.DataFrame([rep(1)]),
        leave=pd.DataFrame([leave(1, "2025-06-02")]),
        leave_start=pd.Timestamp("2025-05-01"),
    )
    assert math.isnan(signals.leave_recent(h, AS_OF).loc[1, "leave_days_recent"])


def test_service_level_in_the_source_units():
    rows = weekly(1, "service_n", 1, 1) + weekly(1, "service_score_sum", 0.84, 0.62)
    rows += weekly(1, "service_scale_sum", 5, 5)
    h = history([rep(1), rep(2)], rows)
    result = signals.service_level(h, AS_OF)
    assert result.loc[1, "service_scale"] == 5
    assert result.loc[1, "service_recent_points"] == pytest.approx(3.1)
    assert result.loc[1, "service_usual_points"] == pytest.approx(4.2)
    assert math.isnan(result.loc[2, "service_level"])


def test_escalation_rate_per_case_and_resolution_time():
    rows = weekly(1, "cases", 0, 2) + weekly(1, "complaints", 0, 1)
    rows += weekly(1, "resolved_n", 1, 1) + weekly(1, "resolution_days_sum", 2, 6)
    h = history([rep(1), rep(2)], rows)
    escalations = signals.escalations(h, AS_OF)
    assert escalations.loc[1, "escalations_recent"] == 13
    assert escalations.loc[1, "escalation_rate"] == pytest.approx(0.5)
    assert math.isnan(escalations.loc[2, "escalation_rate"])  # no cases
    resolution = signals.resolution_time(h, AS_OF)
    assert resolution.loc[1, "resolution_days"] == 6
    assert resolution.loc[1, "resolution_days_change"] == 4
    assert math.isnan(resolution.loc[2, "resolution_days"])


def test_time_per_visit_falls_though_visits_go_on():
    rows = []
    for position, week in enumerate(weeks(26)):
        minutes = 90 if position < 13 else 45
        rows.append({"rep_id": 1, "week": week, "visits": 2, "visit_minutes": 2 * minutes})
    h = history([rep(1)], rows)
    result = signals.visit_time(h, AS_OF).loc[1]
    assert result.minutes_per_visit == 45
    assert result.minutes_per_visit_before == 90
    assert result.minutes_per_visit_change == pytest.approx(-0.5)
    assert result.visit_hours_recent == pytest.approx(1.5)


def test_overdue_todos_and_deals_past_close_or_unknown_without_the_fields():
    todos = pd.DataFrame(
        {
            "rep_id": [1, 1, 1],
            "due_date": pd.to_datetime(["2025-06-01", "2025-06-10", "2025-07-10"]),
            "completed_on": pd.to_datetime([None, "2025-07-01", None]),
        }
    )
    deals = pd.DataFrame(
        {
            "rep_id": [1, 1],
            "created_on": pd.to_datetime(["2025-03-01", "2025-03-01"]),
            "close_date": pd.to_datetime(["2025-06-01", "2025-08-01"]),
            "status": ["open", "open"],
        }
    )
    h = RepHistory(reps=pd.DataFrame([rep(1)]), todos=todos, open_deals=deals)
    result = signals.overdue_work(h, AS_OF).loc[1]
    assert result.overdue_todos == 2  # done after the date still counts on the date
    assert result.deals_past_close == 1
    bare = signals.overdue_work(history([rep(1)]), AS_OF).loc[1]
    assert math.isnan(bare.overdue_todos) and math.isnan(bare.deals_past_close)


def test_manager_change_from_team_memberships():
    memberships = pd.DataFrame(
        {
            "rep_id": [1, 1, 2, 2, 3],
            "team_id": [10, 11, 10, 12, 10],
            "manager_id": [100, 101, 100, 100, 100],
            "valid_from": pd.to_datetime(
                ["2023-01-01", "2025-04-01", "2023-01-01", "2025-04-01", "2023-01-01"]
            ),
            "valid_to": pd.to_datetime(["2025-03-31", None, "2025-03-31", None, None]),
        }
    )
    reps = pd.Index([1, 2, 3, 4])
    result = signals.manager_change(memberships, reps, AS_OF)
    # Rep 2 moved team under the same manager: no change of manager. Rep 4 has no history.
    assert result.to_dict() == {1: 1.0, 2: 0.0, 3: 0.0, 4: 0.0}
    assert signals.manager_change(memberships.iloc[:0], reps, AS_OF).sum() == 0
    assert signals.manager_change(memberships, reps, "2026-01-01").sum() == 0  # over 180 days


def test_voluntary_departures_in_the_team_over_the_last_90_days():
    reps = [
        rep(1),
        rep(2),
        rep(3, departure_date="2025-06-01", departure_reason="voluntary"),
        rep(4, departure_date="2025-05-01", departure_reason="involuntary"),
        rep(5, departure_date="2025-01-01", departure_reason="voluntary"),
        rep(6, team_id=2),
        rep(7, departure_date="2025-07-15", departure_reason="voluntary"),  # after the date
    ]
    result = signals.team_departures(history(reps), AS_OF)
    assert result.loc[1, "team_departures_90d"] == 1
    assert result.loc[6, "team_departures_90d"] == 0


def test_weeks_before_the_data_start_are_unknown_not_idle():
    # Hired in 2022, but the data start 20 weeks ago: the baseline is the 7 observed weeks.
    start = weeks(20)[0]
    rows = [row for row in weekly(1, "activities", 10, 10) if row["week"] >= start]
    h = history([rep(1)], rows)
    assert h.weekly_matrix("activities", AS_OF, 65).iloc[0].isna().sum() == 45
    change = signals.activity_change(h, AS_OF).loc[1]
    assert change.activities_baseline == 10  # not diluted by 45 zero weeks
    assert change.activity_change == 0
    observed = signals.window_observed(h, AS_OF).loc[1]
    assert observed.unobserved_weeks == 45 and observed.recent_unobserved_weeks == 0


def test_weeks_before_a_reps_first_record_are_unknown():
    first = weeks(8)[0]
    rows = [row for row in weekly(1, "activities", 10, 10) if row["week"] >= first]
    rows += weekly(2, "activities", 10, 10)
    h = history([rep(1), rep(2)], rows)
    assert signals.window_observed(h, AS_OF).loc[1, "recent_unobserved_weeks"] == 5
    assert signals.activity_change(h, AS_OF).loc[1, "activities_recent"] == 10
