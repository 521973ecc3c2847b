"""The handover API: plans (create, change, apply, reverse), coverage, assignments; scoped."""

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from handover.models import HandoverPlan
from handover.plans.services import handover_plan_create
from retention.models import Assignment
from tests.conftest import make_rep
from tests.handover.plans.conftest import TODAY, give_scores

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_schema_lists_plan_coverage_and_assignment_endpoints(admin_user):
    schema = api(admin_user).get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/handover/plans/",
        "/api/handover/plans/create/",
        "/api/handover/plans/{plan_id}/",
        "/api/handover/plans/{plan_id}/items/{item_id}/update/",
        "/api/handover/plans/{plan_id}/apply/",
        "/api/handover/plans/{plan_id}/reverse/",
        "/api/handover/coverage/",
        "/api/handover/single-threaded/",
        "/api/handover/assignments/",
        "/api/handover/assignments/backup/",
        "/api/handover/assignments/cover/",
        "/api/handover/customers/{customer_id}/recipients/",
    ):
        assert path in schema["paths"], path


def test_plan_lifecycle_through_the_api(manager_a, rep_a, mates, book):
    carla, dan = mates
    give_scores({carla: "low"})
    client = api(manager_a)
    created = client.post("/api/handover/plans/create/", {"rep_id": rep_a.pk}, format="json")
    assert created.status_code == 201
    plan = created.json()
    assert [i["customer_name"] for i in plan["items"]][:2] == ["Big Key", "Mid Key"]
    assert len(plan["missing_note_item_ids"]) == 2
    assert (
        client.post("/api/handover/plans/create/", {"rep_id": rep_a.pk}, format="json").status_code
        == 200
    )

    item = plan["items"][0]
    changed = client.post(
        f"/api/handover/plans/{plan['id']}/items/{item['id']}/update/",
        {
            "recipient_rep_id": dan.pk,
            "needs": "Stock reports",
            "next_steps": "Renewal in May",
            "contacts": "Eva Lind",
            "open_issues": "Price rise",
            "note_base_version": 0,
        },
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["chosen_rep"] == dan.pk and changed.json()["note_complete"] is True

    bad = client.post(
        f"/api/handover/plans/{plan['id']}/items/{item['id']}/update/",
        {"mode": "temporary"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "cover_until"

    assert changed.json()["note"]["version"] == 1
    refused = client.post(f"/api/handover/plans/{plan['id']}/apply/")
    assert refused.status_code == 400
    body = refused.json()
    assert body["field"] == "confirm_missing_notes" and "Mid Key" in body["detail"]
    assert [m["customer_name"] for m in body["missing_notes"]] == ["Mid Key"]
    assert Assignment.objects.get(customer=book["big"], valid_to__isnull=True).rep == rep_a

    applied = client.post(
        f"/api/handover/plans/{plan['id']}/apply/", {"confirm_missing_notes": True}, format="json"
    )
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    assert applied.json()["notes_waived"] == [book["mid"].pk]
    owner = Assignment.objects.get(customer=book["big"], role="owner", valid_to__isnull=True)
    assert owner.rep == dan
    again = client.post(f"/api/handover/plans/{plan['id']}/apply/")
    assert again.status_code == 400

    assert client.post(f"/api/handover/plans/{plan['id']}/reverse/", {}).status_code == 400
    reversed_ = client.post(
        f"/api/handover/plans/{plan['id']}/reverse/", {"reason": "Wrong rep"}, format="json"
    )
    assert reversed_.status_code == 200 and reversed_.json()["reversal_reason"] == "Wrong rep"


def test_the_api_refuses_a_mode_naming_the_mode(manager_a, rep_a, book):
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    item = plan.items.get(rank=1)
    url = f"/api/handover/plans/{plan.pk}/items/{item.pk}/update/"
    unknown = api(manager_a).post(url, {"mode": "forever"}, format="json")
    assert unknown.status_code == 400 and "mode" in unknown.json()
    permanent_manager = api(manager_a).post(
        url, {"recipient_manager_id": manager_a.pk, "mode": "permanent"}, format="json"
    )
    assert permanent_manager.status_code == 400
    assert permanent_manager.json() == {
        "detail": "Big Key: a manager can only cover temporarily.",
        "field": "mode",
    }


def test_a_note_written_through_the_api_after_apply_is_the_customers(manager_a, rep_a, mates, book):
    give_scores({mates[0]: "low"})
    client = api(manager_a)
    plan = client.post("/api/handover/plans/create/", {"rep_id": rep_a.pk}, format="json").json()
    client.post(
        f"/api/handover/plans/{plan['id']}/apply/", {"confirm_missing_notes": True}, format="json"
    )
    mid = next(i for i in plan["items"] if i["customer_name"] == "Mid Key")
    url = f"/api/handover/plans/{plan['id']}/items/{mid['id']}/update/"
    moved = client.post(url, {"recipient_rep_id": mates[1].pk}, format="json")
    assert moved.status_code == 400 and "Only the note changes" in moved.json()["detail"]
    written = client.post(url, {"contacts": "Oskar, CFO"}, format="json")
    assert written.status_code == 200 and written.json()["note"]["contacts"] == "Oskar, CFO"
    knowledge = client.get(f"/api/customers/{book['mid'].pk}/knowledge/").json()
    assert knowledge["current"]["version"] == 1
    assert knowledge["current"]["source"] == "handover"
    assert knowledge["current"]["author"] == manager_a.pk


def test_api_is_scoped_like_the_pages(manager_a, manager_b, rep_a, rep_b, book):
    client_b = api(manager_b)
    assert (
        client_b.post(
            "/api/handover/plans/create/", {"rep_id": rep_a.pk}, format="json"
        ).status_code
        == 404
    )
    plan = (
        api(manager_a)
        .post("/api/handover/plans/create/", {"rep_id": rep_a.pk}, format="json")
        .json()
    )
    assert client_b.get(f"/api/handover/plans/{plan['id']}/").status_code == 404
    assert client_b.post(f"/api/handover/plans/{plan['id']}/apply/").status_code == 404
    assert client_b.get("/api/handover/plans/").json()["count"] == 0
    # Manager A may not hand a customer to manager B's rep, nor to manager B.
    item_url = f"/api/handover/plans/{plan['id']}/items/{plan['items'][0]['id']}/update/"
    assert (
        api(manager_a).post(item_url, {"recipient_rep_id": rep_b.pk}, format="json").status_code
        == 404
    )
    assert (
        api(manager_a)
        .post(
            item_url,
            {"recipient_manager_id": manager_b.pk, "cover_until": "2026-12-31"},
            format="json",
        )
        .status_code
        == 404
    )
    assert HandoverPlan.objects.get().items.filter(chosen_rep=rep_b).count() == 0


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_cover_end_date_off_the_calendar_is_a_400_naming_the_field(manager_a, rep_a, book, day):
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    item = plan.items.get(customer=book["big"])
    cover_until = item.cover_until
    response = api(manager_a).post(
        f"/api/handover/plans/{plan.pk}/items/{item.pk}/update/",
        {"recipient_manager_id": manager_a.pk, "mode": "temporary", "cover_until": day},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"The cover end date {day} is not a date Relay takes: choose one from "
        "1900-01-01 to 2100-12-31.",
        "field": "cover_until",
    }
    item.refresh_from_db()
    assert item.cover_until == cover_until


def test_coverage_and_assignment_apis(
    manager_a, manager_b, rep_a, rep_a2, customer_a, customer_b, team_north_a
):
    carla = make_rep(team_north_a, "Carla", "Costa")
    give_scores({rep_a: "high", carla: "low", rep_a2: "low"})
    coverage = api(manager_a).get("/api/handover/coverage/").json()
    assert coverage["counts"]["high_risk_only"] == 1
    assert coverage["gaps"][0]["customer_name"] == "Acme Shipping"
    assert coverage["gaps"][0]["holder_rep_id"] == rep_a.pk
    assert [c["rep_id"] for c in coverage["gaps"][0]["choices"]] == [carla.pk, None]
    single = api(manager_a).get("/api/handover/single-threaded/").json()["results"]
    assert [c["customer_name"] for c in single] == ["Acme Shipping"]
    assert single[0]["suggested_backup"]["rep_id"] == carla.pk
    offered = api(manager_a).get(f"/api/handover/customers/{customer_a.pk}/recipients/").json()
    assert [(o["kind"], o["rep_id"] or o["manager_id"]) for o in offered] == [
        ("team_rep", carla.pk),
        ("manager", manager_a.pk),
    ]

    # Arne is low risk but of another team: the policy does not offer him, and says why.
    refused = api(manager_a).post(
        "/api/handover/assignments/backup/",
        {"customer_id": customer_a.pk, "rep_id": rep_a2.pk},
        format="json",
    )
    assert refused.status_code == 400
    assert "not of the holder's team and region" in refused.json()["detail"]
    added = api(manager_a).post(
        "/api/handover/assignments/backup/",
        {"customer_id": customer_a.pk, "rep_id": carla.pk},
        format="json",
    )
    assert added.status_code == 201 and added.json()["role"] == "backup"
    duplicate = api(manager_a).post(
        "/api/handover/assignments/backup/",
        {"customer_id": customer_a.pk, "rep_id": carla.pk},
        format="json",
    )
    assert duplicate.status_code == 400 and "already holds" in duplicate.json()["detail"]
    assert api(manager_a).get("/api/handover/coverage/").json()["counts"]["high_risk_only"] == 0

    listed = api(manager_a).get("/api/handover/assignments/", {"current": "true"}).json()
    assert {a["customer"] for a in listed["results"]} == {customer_a.pk}
    assert (
        api(manager_b)
        .post(
            "/api/handover/assignments/backup/",
            {"customer_id": customer_a.pk, "rep_id": rep_a2.pk},
            format="json",
        )
        .status_code
        == 404
    )


def test_api_blanks_people_outside_the_callers_scope(manager_a, hr_user, rep_a, rep_b, book):
    from handover.plans.services import handover_plan_create

    plan, _ = handover_plan_create(rep=rep_a, created_by=hr_user, today=dt.date(2026, 11, 2))
    plan.items.filter(customer=book["big"]).update(
        chosen_rep=rep_b, suggested_rep=rep_b, chosen_manager=None, suggested_manager=None
    )
    body = api(manager_a).get(f"/api/handover/plans/{plan.pk}/").json()
    big = next(i for i in body["items"] if i["customer_name"] == "Big Key")
    assert big["chosen_rep"] is None and big["suggested_rep"] is None
    assert body["created_by"] is None
    assert api(manager_a).get("/api/handover/plans/").json()["results"][0]["created_by"] is None

    body = api(hr_user).get(f"/api/handover/plans/{plan.pk}/").json()
    big = next(i for i in body["items"] if i["customer_name"] == "Big Key")
    assert big["chosen_rep"] == rep_b.pk and body["created_by"] == hr_user.pk


def test_manager_gets_404_for_another_teams_plan_on_the_api_and_page(
    client, manager_b, rep_a, book
):
    from django.urls import reverse

    from handover.plans.services import handover_plan_create

    plan, _ = handover_plan_create(rep=rep_a, created_by=None, today=dt.date(2026, 11, 2))
    assert api(manager_b).get(f"/api/handover/plans/{plan.pk}/").status_code == 404
    client.force_login(manager_b)
    assert client.get(reverse("handover:plan_detail", args=[plan.pk])).status_code == 404
