import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from retention.models import Intervention, RiskAlert
from tests.conftest import make_customer


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_dashboard_reps_api_is_scoped_sorted_and_filtered(api, scored, manager_a):
    api.force_authenticate(manager_a)
    body = api.get(reverse("api-dashboard-reps")).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [row["name"] for row in body["results"]] == ["Alice Anders", "Arne Berg"]
    assert body["results"][0]["band"] == "high"
    assert body["results"][0]["top_driver"].startswith("average leave episode")
    low = api.get(reverse("api-dashboard-reps"), {"band": "low", "sort": "name"}).json()
    assert [row["name"] for row in low["results"]] == ["Arne Berg"]


def test_dashboard_reps_api_names_bad_parameters(api, scored, manager_a):
    api.force_authenticate(manager_a)
    response = api.get(reverse("api-dashboard-reps"), {"band": "purple", "team": 0})
    assert response.status_code == 400
    assert set(response.json()) == {"band", "team"}


def test_dashboard_summary_api(api, scored, manager_a, rep_a):
    make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    api.force_authenticate(manager_a)
    body = api.get(reverse("api-dashboard-summary")).json()
    assert body["band_counts"] == {"low": 1, "medium": 0, "high": 1}
    assert body["high_risk_key_revenue"] == "900000.00"
    assert [row["high"] for row in body["band_history"]] == [0, 0, 1]


def test_routing_api_lists_alternates_in_scope(api, scored, manager_a, manager_b, rep_a):
    make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    api.force_authenticate(manager_a)
    rows = api.get(reverse("api-routing")).json()["results"]
    assert [(r["customer_name"], r["alternate_kind"]) for r in rows] == [("Acme", "manager")]
    api.force_authenticate(manager_b)
    assert api.get(reverse("api-routing")).json()["results"] == []


def test_alert_api_lists_and_acknowledges_in_scope_only(api, scored, manager_a, rep_a, rep_b):
    latest = scored["latest"]
    mine = RiskAlert.objects.create(
        rep=rep_a, score=latest.scores.get(rep=rep_a), kind="became_high", message="m"
    )
    other = RiskAlert.objects.create(
        rep=rep_b, score=latest.scores.get(rep=rep_b), kind="jump", message="m"
    )
    api.force_authenticate(manager_a)
    body = api.get(reverse("api-alert-list")).json()
    assert [a["id"] for a in body["results"]] == [mine.pk]
    response = api.post(reverse("api-alert-acknowledge", args=[mine.pk]))
    assert response.status_code == 200 and response.json()["acknowledged_by"] == manager_a.pk
    assert api.get(reverse("api-alert-list")).json()["count"] == 0
    assert api.post(reverse("api-alert-acknowledge", args=[other.pk])).status_code == 404


def test_intervention_api_create_list_and_outcome(api, scored, manager_a, manager_b, rep_a):
    api.force_authenticate(manager_a)
    created = api.post(
        reverse("api-intervention-create", args=[rep_a.pk]),
        {"kind": "change_of_location", "note": "Move to Oslo", "follow_up_on": "2026-12-15"},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["owner"] == manager_a.pk
    listed = api.get(reverse("api-intervention-list", args=[rep_a.pk])).json()["results"]
    assert [i["note"] for i in listed] == ["Move to Oslo"]
    outcome = api.post(
        reverse("api-intervention-outcome", args=[created.json()["id"]]),
        {"outcome": "too_early", "follow_up_on": "2027-01-15"},
        format="json",
    )
    assert outcome.json()["outcome"] == "too_early"
    assert outcome.json()["follow_up_on"] == "2027-01-15"
    api.force_authenticate(manager_b)
    assert api.get(reverse("api-intervention-list", args=[rep_a.pk])).status_code == 404
    assert (
        api.post(
            reverse("api-intervention-outcome", args=[created.json()["id"]]),
            {"outcome": "left"},
            format="json",
        ).status_code
        == 404
    )


def test_intervention_api_refuses_bad_input_naming_fields(api, scored, manager_a, rep_a):
    api.force_authenticate(manager_a)
    response = api.post(
        reverse("api-intervention-create", args=[rep_a.pk]),
        {"kind": "bribe", "owner": 999999},
        format="json",
    )
    assert response.status_code == 400 and "kind" in response.json()
    response = api.post(
        reverse("api-intervention-create", args=[rep_a.pk]),
        {"kind": "other", "owner": 999999},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "User 999999 is not someone you may name as owner.",
        "field": "owner",
    }
    assert not Intervention.objects.exists()


def test_intervention_outcome_api_refuses_an_unknown_outcome_naming_it(
    api, scored, manager_a, rep_a
):
    intervention = Intervention.objects.create(rep=rep_a, kind="coaching", created_by=manager_a)
    api.force_authenticate(manager_a)
    url = reverse("api-intervention-outcome", args=[intervention.pk])
    for outcome in ("maybe", 7, None):
        response = api.post(url, {"outcome": outcome}, format="json")
        assert response.status_code == 400 and "outcome" in response.json()
    intervention.refresh_from_db()
    assert intervention.outcome == ""


@pytest.mark.parametrize("driver", ["x", {"message": "service", "numbers": 5}])
def test_intervention_api_keeps_a_note_as_typed_when_its_data_is_no_suggestion(
    api, scored, manager_a, rep_a, driver
):
    api.force_authenticate(manager_a)
    reasons = [{"of": "driver", "driver": driver}]
    response = api.post(
        reverse("api-intervention-create", args=[rep_a.pk]),
        {"kind": "other", "note": "x", "note_data": {"params": {"reasons": reasons}}},
        format="json",
    )
    assert response.status_code == 201, response.content
    logged = Intervention.objects.get(pk=response.json()["id"])
    assert (logged.note, logged.note_data) == ("x", {})


def test_intervention_api_refuses_a_past_follow_up_naming_the_field(
    api, scored, manager_a, rep_a
):
    api.force_authenticate(manager_a)
    response = api.post(
        reverse("api-intervention-create", args=[rep_a.pk]),
        {"kind": "coaching", "follow_up_on": "2026-11-19"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "follow_up_on"
    assert "2026-11-19" in response.json()["detail"]
    assert not Intervention.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "2101-01-01"])
def test_intervention_api_refuses_a_follow_up_off_the_calendar_naming_the_field(
    api, scored, manager_a, rep_a, day
):
    refused = {
        "detail": f"The follow-up date {day} is not a date Relay takes: choose one from "
        "1900-01-01 to 2100-12-31.",
        "field": "follow_up_on",
    }
    api.force_authenticate(manager_a)
    response = api.post(
        reverse("api-intervention-create", args=[rep_a.pk]),
        {"kind": "coaching", "follow_up_on": day},
        format="json",
    )
    assert (response.status_code, response.json()) == (400, refused)
    assert not Intervention.objects.exists()
    logged = Intervention.objects.create(
        rep=rep_a, kind="coaching", created_by=manager_a, follow_up_on=dt.date(2026, 12, 1)
    )
    url = reverse("api-intervention-outcome", args=[logged.pk])
    response = api.post(url, {"outcome": "too_early", "follow_up_on": day}, format="json")
    assert (response.status_code, response.json()) == (400, refused)
    logged.refresh_from_db()
    assert (logged.outcome, logged.follow_up_on) == ("", dt.date(2026, 12, 1))


def test_intervention_api_completes_an_overdue_one_but_will_not_move_it_into_the_past(
    api, scored, manager_a, rep_a
):
    overdue = Intervention.objects.create(
        rep=rep_a, kind="coaching", created_by=manager_a, follow_up_on=dt.date(2026, 11, 1)
    )
    api.force_authenticate(manager_a)
    url = reverse("api-intervention-outcome", args=[overdue.pk])
    moved = api.post(url, {"outcome": "too_early", "follow_up_on": "2026-11-02"}, format="json")
    assert moved.status_code == 400 and moved.json()["field"] == "follow_up_on"
    done = api.post(url, {"outcome": "left", "follow_up_on": "2026-11-01"}, format="json")
    assert done.status_code == 200
    assert (done.json()["outcome"], done.json()["follow_up_on"]) == ("left", "2026-11-01")


def test_dashboard_endpoints_are_in_the_schema(api, admin_user):
    api.force_authenticate(admin_user)
    schema = api.get(reverse("schema"), {"format": "json"}).json()
    for path in (
        "/api/dashboard/reps/",
        "/api/dashboard/summary/",
        "/api/routing/",
        "/api/alerts/",
        "/api/alerts/{alert_id}/acknowledge/",
        "/api/reps/{rep_id}/interventions/create/",
        "/api/interventions/{intervention_id}/outcome/",
    ):
        assert path in schema["paths"], path


def test_apis_need_authentication(api):
    assert api.get(reverse("api-dashboard-reps")).status_code in (401, 403)
