"""The mapping from a rep's drivers to interventions: a pure function, no database."""

import datetime as dt
from decimal import Decimal

import pytest

from retention.interventions.suggestions import (
    KeyAccounts,
    intervention_suggestions,
    suggestion_note_text,
)

LEAVE = {
    "sign": "leave",
    "feature": "bridge_days",
    "message": "bridge_days",
    "numbers": {"recent": 5.0, "usual": 0.25},
    "weight": 0.33,
}
SERVICE = {
    "sign": "service",
    "feature": "service_level",
    "message": "service",
    "numbers": {"recent": 2.3077, "usual": 3.6596, "scale": 5.0},
    "weight": 0.57,
}
SWINGS = {
    "sign": "output",
    "feature": "activity_volatility",
    "message": "activity_swings_change",
    "numbers": {"recent": 0.62, "usual": 0.18},
    "weight": 0.2,
}
VISITS = {
    "sign": "visits",
    "feature": "visit_hours_change",
    "message": "visit_hours",
    "numbers": {"recent": 2.0, "usual": 6.0},
    "weight": 0.1,
}
DEPARTURES = {
    "sign": "context",
    "feature": "team_departures_90d",
    "message": "team_departures",
    "numbers": {"count": 3},
    "weight": 0.05,
}


def kinds(suggestions) -> list[str]:
    return [s.kind for s in suggestions]


def test_leave_pattern_suggests_more_control_over_working_hours_with_the_reps_numbers():
    suggestions = intervention_suggestions(band="high", probability=0.72, drivers=[LEAVE])
    assert kinds(suggestions) == ["stay_conversation", "working_hours"]
    hours = suggestions[1]
    assert [r.text for r in hours.reasons] == [
        "5 single days off next to a weekend in the last 90 days, against 0.3 usually"
    ]
    # The talk opens with the chance and the strongest reason.
    assert suggestions[0].reasons[0].text == "a 72% chance of leaving within 90 days"
    assert suggestions[0].reasons[1].feature == "bridge_days"


def test_suggestions_follow_the_strongest_driver_first():
    suggestions = intervention_suggestions(
        band="medium", probability=0.4, drivers=[LEAVE, SERVICE, VISITS]
    )
    # Service (0.57) before leave (0.33) before visits (0.10); the talk always first.
    assert kinds(suggestions) == [
        "stay_conversation",
        "coaching",
        "working_hours",
        "job_rotation",
        "job_enrichment",
    ]
    assert "service score 2.3 of 5" in suggestions[1].reasons[0].text


def test_swinging_output_suggests_enrichment_then_rotation():
    suggestions = intervention_suggestions(band="high", probability=0.6, drivers=[SWINGS])
    assert kinds(suggestions)[1:] == ["job_enrichment", "job_rotation"]
    assert "62%" in suggestions[1].reasons[0].text


def test_falling_service_lightens_the_key_account_load_only_for_reps_holding_several():
    one = KeyAccounts(held=1, alone=1, revenue=Decimal(900_000), alone_revenue=Decimal(900_000))
    three = KeyAccounts(
        held=3, alone=1, revenue=Decimal(4_100_000), alone_revenue=Decimal(2_000_000)
    )
    few = intervention_suggestions(
        band="medium", probability=0.3, drivers=[SERVICE], key_accounts=one
    )
    many = intervention_suggestions(
        band="medium", probability=0.3, drivers=[SERVICE], key_accounts=three
    )
    assert "lighter_load" not in kinds(few)
    lighter = next(s for s in many if s.kind == "lighter_load")
    assert lighter.reasons[1].text == (
        "holds 3 key accounts worth CN¥4,100,000 a year, 1 of them (CN¥2,000,000) with no other "
        "relationship"
    )


def test_high_risk_rep_with_key_accounts_gets_call_routing_and_backups_where_alone():
    alone = KeyAccounts(
        held=2, alone=2, revenue=Decimal(3_000_000), alone_revenue=Decimal(3_000_000)
    )
    shared = KeyAccounts(held=2, alone=0, revenue=Decimal(3_000_000))
    routed = intervention_suggestions(band="high", probability=0.8, drivers=[], key_accounts=alone)
    assert kinds(routed) == ["stay_conversation", "call_routing"]
    assert routed[1].actions == ("routing", "single_threaded")
    assert intervention_suggestions(band="high", probability=0.8, drivers=[], key_accounts=shared)[
        1
    ].actions == ("routing",)
    medium = intervention_suggestions(
        band="medium", probability=0.3, drivers=[], key_accounts=alone
    )
    assert "call_routing" not in kinds(medium)


def test_colleagues_leaving_suggests_a_move_of_location():
    suggestions = intervention_suggestions(band="high", probability=0.55, drivers=[DEPARTURES])
    assert "change_of_location" in kinds(suggestions)


def test_low_risk_leaving_or_unscored_reps_get_no_suggestions():
    assert intervention_suggestions(band="low", probability=0.1, drivers=[LEAVE]) == []
    assert intervention_suggestions(band=None, probability=None, drivers=[]) == []
    assert (
        intervention_suggestions(band="high", probability=0.9, drivers=[LEAVE], leaving=True) == []
    )


def test_a_kind_logged_recently_says_when():
    today = dt.date(2026, 12, 1)
    suggestions = intervention_suggestions(
        band="high",
        probability=0.7,
        drivers=[LEAVE],
        logged={"working_hours": dt.date(2026, 11, 20), "stay_conversation": dt.date(2026, 1, 5)},
        today=today,
    )
    by_kind = {s.kind: s for s in suggestions}
    assert by_kind["working_hours"].logged_on == dt.date(2026, 11, 20)
    assert by_kind["stay_conversation"].logged_on is None  # too long ago to count


def test_the_note_of_a_logged_suggestion_carries_its_reasons():
    hours = intervention_suggestions(band="high", probability=0.7, drivers=[LEAVE])[1]
    assert hours.note == (
        "Suggested by Relay because of: 5 single days off next to a weekend in the last 90 "
        "days, against 0.3 usually."
    )


def test_a_driver_stored_without_its_sign_is_placed_by_its_feature():
    older = {
        "feature": "leave_episode_change",
        "text": "average leave episode 4.5 days",
        "weight": 0.2,
    }
    suggestions = intervention_suggestions(band="high", probability=0.74, drivers=[older])
    hours = next(s for s in suggestions if s.kind == "working_hours")
    assert hours.reasons[0].text == "average leave episode 4.5 days"
    assert hours.reasons[0].sign == "leave"


@pytest.mark.parametrize(
    "driver",
    ["x", [], {"message": "service", "numbers": "x"}, {"message": "team_change", "numbers": True}],
)
def test_a_logged_note_whose_driver_scoring_never_stores_is_unreadable_not_a_crash(driver):
    """note_data comes back from a client: what is not a driver reads as unreadable data
    (ValueError, which the note's readers fall back from), never an AttributeError."""
    data = {"code": "suggested", "params": {"reasons": [{"of": "driver", "driver": driver}]}}
    with pytest.raises(ValueError):
        suggestion_note_text(data)
