"""Suggestions on the rep page and its API; what worked, page and API, scoped and audited."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from retention.models import Intervention, RiskModel, RiskPageView, RiskScore
from tests.conftest import make_customer, make_rep
from tests.retention.dashboard.conftest import make_run, make_score

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
DAY0 = TODAY - dt.timedelta(days=200)
LEAVE = {
    "sign": "leave",
    "feature": "bridge_days",
    "message": "bridge_days",
    "text": "stored words are not what the page shows",
    "numbers": {"recent": 5.0, "usual": 0.25},
    "weight": 0.33,
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rules_model(db) -> RiskModel:
    return RiskModel.objects.create(
        version="rules-1", kind=RiskModel.Kind.RULES, is_active=True, features=[]
    )


@pytest.fixture
def at_risk(rules_model, rep_a, rep_b):
    """rep_a (manager A) and rep_b (manager B) high risk today, with a leave pattern."""
    run = make_run(TODAY, model=rules_model)
    make_score(run, rep_a, 0.72, drivers=[LEAVE])
    make_score(run, rep_b, 0.65, drivers=[LEAVE])
    make_customer("Acme", owner=rep_a, annual_revenue=2_000_000, is_key_account=True)
    return run


def log(rep, kind, day, manager):
    item = Intervention.objects.create(rep=rep, kind=kind, owner=manager, created_by=manager)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    Intervention.objects.filter(pk=item.pk).update(created_at=at)
    return item


def test_rep_page_suggests_interventions_from_the_reps_drivers_with_one_click_log(
    client, at_risk, manager_a, rep_a
):
    client.force_login(manager_a)
    html = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    assert 'id="suggestions"' in html
    assert 'data-kind="working_hours"' in html
    assert "5 single days off next to a weekend in the last 90 days, against 0.3 usually" in html
    assert 'data-log-suggestion="call_routing"' in html  # a key account, high risk
    assert 'name="follow_up_on" value="2026-12-20"' in html


def test_hr_sees_the_suggestions_but_cannot_log_them(client, at_risk, hr_user, rep_a):
    client.force_login(hr_user)
    html = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    assert 'data-kind="working_hours"' in html
    assert "data-log-suggestion" not in html


def test_logging_a_suggestion_records_it_through_the_intervention_service(
    client, at_risk, manager_a, rep_a
):
    client.force_login(manager_a)
    response = client.post(
        reverse("retention:intervention_create", args=[rep_a.pk]),
        {
            "kind": "working_hours",
            "note": "Suggested by Relay because of: 5 single days off.",
            "follow_up_on": "2026-12-20",
            "suggested": "working_hours",
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    item = Intervention.objects.get(rep=rep_a)
    assert (item.kind, item.follow_up_on, item.created_by) == (
        "working_hours",
        dt.date(2026, 12, 20),
        manager_a,
    )
    assert item.note.startswith("Suggested by Relay")
    assert 'id="suggestion-state-working_hours"' in html and 'hx-swap-oob="true"' in html
    again = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    assert "Logged on 2026-11-20" in again


def test_suggestions_api_is_scoped_and_audited(client, at_risk, manager_a, rep_a, rep_b):
    client.force_login(manager_a)
    before = RiskPageView.objects.filter(viewer=manager_a, rep=rep_a).count()
    data = client.get(reverse("api-intervention-suggestions", args=[rep_a.pk])).json()
    assert data["band"] == "high" and data["probability"] == 0.72
    kinds = [s["kind"] for s in data["suggestions"]]
    assert kinds == ["stay_conversation", "working_hours", "call_routing"]
    hours = data["suggestions"][1]
    assert hours["reasons"][0]["numbers"] == {"recent": 5.0, "usual": 0.25}
    assert hours["note"].startswith("Suggested by Relay because of: 5 single days off")
    assert RiskPageView.objects.filter(viewer=manager_a, rep=rep_a).count() == before + 1
    out = client.get(reverse("api-intervention-suggestions", args=[rep_b.pk]))
    assert out.status_code == 404


# --- what worked ------------------------------------------------------------------------------


@pytest.fixture
def history(rules_model, team_north_a, team_south_a, manager_a, manager_b):
    """Twenty reps in each manager's scope, scored on DAY0 − 3 and 92 days later. The top rep
    of each scope got a stay conversation on DAY0 (and stayed); the next one got none and left
    100 days after DAY0. The organisation's top decile is those four."""
    early = make_run(DAY0 - dt.timedelta(days=3), model=rules_model)
    later = make_run(DAY0 + dt.timedelta(days=92), model=rules_model)
    reps = {}
    for side, team, manager in (("N", team_north_a, manager_a), ("S", team_south_a, manager_b)):
        for index in range(20):
            rep = make_rep(team, f"{side}{index}", "Rep", hire_date=dt.date(2020, 1, 1))
            reps[(side, index)] = rep
            # North 0.05…1.00, South 0.045…0.995.
            probability = (index + 1) / 20 - (0.005 if side == "S" else 0)
            make_score(early, rep, probability)
            if index != 18:
                make_score(later, rep, probability - 0.1 if index == 19 else probability)
        treated, mate = reps[(side, 19)], reps[(side, 18)]
        log(treated, "stay_conversation", DAY0, manager)
        mate.departure_date = DAY0 + dt.timedelta(days=100)
        mate.status = mate.Status.LEFT
        mate.save()
    return reps


def test_what_worked_compares_the_managers_own_reps_only(client, history, manager_a, settings):
    settings.RELAY_INTERVENTION_MIN_N = 1
    client.force_login(manager_a)
    data = client.get(reverse("api-intervention-effects")).json()
    talk = next(k for k in data["kinds"] if k["kind"] == "stay_conversation")
    assert (talk["units"], talk["matched"]) == (1, 1)
    # Deciles are the organisation's: N19, N18, S19 and S18 share the top one, but South's
    # reps are out of manager A's scope, so N18 alone is the comparison.
    assert talk["comparison_reps"] == 1
    assert talk["employed"]["90"]["treated"] == 1.0
    assert talk["employed"]["90"]["comparison"] == 1.0
    assert talk["employed"]["180"]["comparison"] == 0.0
    assert talk["employed"]["180"]["difference"] == 1.0
    # N19 fell 10 points; N18 has no later score (it left): no comparison for the change.
    assert talk["risk_change"]["n"] == 0


def test_hr_sees_the_whole_organisation(client, history, hr_user, settings):
    settings.RELAY_INTERVENTION_MIN_N = 1
    client.force_login(hr_user)
    data = client.get(reverse("api-intervention-effects")).json()
    talk = next(k for k in data["kinds"] if k["kind"] == "stay_conversation")
    assert (talk["units"], talk["reps"], talk["comparison_reps"]) == (2, 2, 2)
    assert [k["kind"] for k in data["kinds"]] == ["stay_conversation", "any"]


def test_figures_under_the_minimum_are_too_few_to_tell(client, history, hr_user, settings):
    settings.RELAY_INTERVENTION_MIN_N = 10
    client.force_login(hr_user)
    data = client.get(reverse("api-intervention-effects")).json()
    talk = data["kinds"][0]
    assert talk["employed"]["180"] == {
        "n": 2,
        "too_few": True,
        "treated": None,
        "comparison": None,
        "difference": None,
        "low": None,
        "high": None,
    }
    html = client.get(reverse("retention:intervention_effects")).content.decode()
    assert "too few to tell (2 compared)" in html
    assert "observational comparison, not an experiment" in html


def test_the_page_lists_the_interventions_behind_a_kind_and_audits_each_rep_shown(
    client, history, manager_a, settings
):
    settings.RELAY_INTERVENTION_MIN_N = 1
    client.force_login(manager_a)
    treated = history[("N", 19)]
    before = RiskPageView.objects.count()
    html = client.get(
        reverse("retention:intervention_effects"), {"kind": "stay_conversation"}
    ).content.decode()
    assert f'data-rep="{treated.pk}"' in html
    assert f'data-rep="{history[("S", 19)].pk}"' not in html
    assert "+100 pts" in html  # still employed at 180 days: 100 % against 0 %
    views = RiskPageView.objects.all()[before:]
    assert [(v.viewer, v.rep) for v in views] == [(manager_a, treated)]
    # The summary alone lists nobody and writes nothing.
    client.get(reverse("retention:intervention_effects"))
    assert RiskPageView.objects.count() == before + 1


def test_units_api_pages_and_refuses_an_unknown_kind(client, history, hr_user):
    client.force_login(hr_user)
    data = client.get(reverse("api-intervention-effect-units"), {"kind": "any"}).json()
    assert data["count"] == 2
    row = data["results"][0]
    assert row["decile"] == 10 and row["comparison_reps"] == 2
    assert row["employed"] == {"90": True, "180": True}
    bad = client.get(reverse("api-intervention-effect-units"), {"kind": "bribery"})
    assert bad.status_code == 400 and "kind" in bad.json()
    page = client.get(reverse("retention:intervention_effects"), {"kind": "bribery"})
    assert page.status_code == 400 and "kind" in page.content.decode()


def test_no_interventions_says_so(client, rules_model, hr_user):
    client.force_login(hr_user)
    html = client.get(reverse("retention:intervention_effects")).content.decode()
    assert "No intervention has been logged for the reps you see." in html
    assert RiskScore.objects.count() == 0
