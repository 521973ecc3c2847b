"""Actions from a list's row: a cover or a backup from the ownership policy's offer, a handover
started in place, an alert acknowledged with the badge sent again; scope and rights as
everywhere (404 outside the scope, 403 for a role that may not)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from handover.models import HandoverPlan
from handover.plans import cover
from handover.plans.coverage import coverage_gaps
from retention.models import Assignment, RiskAlert
from retention.selectors import customers_visible_to
from tests.conftest import make_customer, make_rep
from tests.handover.plans.conftest import TODAY, give_scores

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def orphan(team_north_a):
    """A key account nobody holds since its owner, Gus of North A, left."""
    gone = make_rep(team_north_a, "Gus", "Gone", status="left", departure_date=dt.date(2026, 6, 1))
    customer = make_customer("Orphan Oil", annual_revenue=3_000_000, is_key_account=True)
    Assignment.objects.create(
        customer=customer,
        rep=gone,
        role=Assignment.Role.OWNER,
        valid_from=dt.date(2023, 1, 1),
        valid_to=dt.date(2026, 6, 1),
    )
    return customer


@pytest.fixture
def carla(team_north_a):
    return make_rep(team_north_a, "Carla", "Costa")


def test_a_customer_nobody_holds_is_in_the_scope_of_its_last_holders_manager(
    manager_a, manager_b, orphan
):
    assert orphan in customers_visible_to(manager_a)
    assert orphan not in customers_visible_to(manager_b)


def test_a_cover_is_offered_from_the_last_holders_team_and_stored(
    client, manager_a, rep_a, rep_a2, carla, orphan
):
    notice = make_rep(rep_a.team, "Nora", "Notice", status="notice")
    give_scores({rep_a: "high", carla: "low", rep_a2: "low", notice: "low"})
    [gap] = [g for g in coverage_gaps(user=manager_a, today=TODAY) if g.kind == "uncovered"]
    # Carla (low risk, North A) then the team's manager: never Alice (high risk), Nora
    # (serving notice) or Arne (another team).
    assert [(c.rep_id or c.manager_id) for c in gap.choices] == [carla.pk, manager_a.pk]
    assert gap.holder_rep_id is None  # nobody to hand over from

    url = reverse("handover:customer_cover", args=[orphan.pk])
    client.force_login(manager_a)
    refused = client.post(url, {"recipient": f"rep:{notice.pk}", "cols": "4"}, **HTMX)
    assert refused.status_code == 422
    assert "Nora Notice is serving notice" in refused.content.decode()
    assert not Assignment.objects.filter(customer=orphan, valid_to__isnull=True).exists()

    row = client.post(url, {"recipient": f"rep:{carla.pk}", "cols": "4"}, **HTMX)
    assert row.status_code == 200
    assert "Carla Costa now covers Orphan Oil." in row.content.decode()
    held = Assignment.objects.get(customer=orphan, valid_to__isnull=True)
    assert (held.rep, held.role) == (carla, Assignment.Role.TEMPORARY_COVER)

    again = client.post(url, {"recipient": f"manager:{manager_a.pk}"}, **HTMX)
    assert again.status_code == 422 and "held already" in again.content.decode()


def test_a_manager_covers_when_the_policy_offers_nobody_else(client, manager_a, orphan):
    client.force_login(manager_a)
    assert [c.manager_id for c in cover.customer_choices(customer=orphan, user=manager_a)] == [
        manager_a.pk
    ]
    url = reverse("handover:customer_cover", args=[orphan.pk])
    response = client.post(url, {"recipient": f"manager:{manager_a.pk}", "next": "/coverage/"})
    assert response.status_code == 302 and response.url == "/coverage/"
    held = Assignment.objects.get(customer=orphan, valid_to__isnull=True)
    assert (held.manager, held.role) == (manager_a, Assignment.Role.MANAGER_COVER)


@pytest.mark.parametrize("next_url", ["abc", "coverage", "https://evil.example/coverage/"])
def test_a_row_action_goes_back_to_next_only_when_it_is_a_path_of_this_site(
    client, manager_a, orphan, next_url
):
    """``next=abc`` was read by ``redirect()`` as a view name to reverse: a 500."""
    client.force_login(manager_a)
    url = reverse("handover:customer_cover", args=[orphan.pk])
    response = client.post(url, {"recipient": f"manager:{manager_a.pk}", "next": next_url})
    assert response.status_code == 302 and response.url.startswith("/")
    assert "evil" not in response.url


def test_out_of_scope_is_404_and_hr_may_not_act(client, manager_b, hr_user, carla, orphan):
    give_scores({carla: "low"})
    url = reverse("handover:customer_cover", args=[orphan.pk])
    client.force_login(manager_b)
    assert client.post(url, {"recipient": f"rep:{carla.pk}"}, **HTMX).status_code == 404
    client.force_login(hr_user)
    assert client.post(url, {"recipient": f"rep:{carla.pk}"}, **HTMX).status_code == 403
    assert not Assignment.objects.filter(customer=orphan, valid_to__isnull=True).exists()


def test_an_unreadable_recipient_is_refused_naming_the_field(client, manager_a, orphan):
    client.force_login(manager_a)
    url = reverse("handover:customer_cover", args=[orphan.pk])
    response = client.post(url, {"recipient": "rep:x"}, **HTMX)
    assert response.status_code == 422 and "Choose one rep or one manager" in response.text


def test_a_handover_started_from_a_row_answers_with_the_row(client, manager_a, rep_a, book):
    client.force_login(manager_a)
    url = reverse("handover:plan_create", args=[rep_a.pk])
    first = client.post(url, {"cols": "10"}, **HTMX)
    plan = HandoverPlan.objects.get(rep=rep_a)
    body = first.content.decode()
    assert first.status_code == 200 and 'colspan="10"' in body
    assert "Handover plan drafted for Alice Anders: 4 customers to hand over." in body
    assert reverse("handover:plan_detail", args=[plan.pk]) in body
    second = client.post(url, {"cols": "10"}, **HTMX).content.decode()
    assert "Alice Anders already has a draft handover plan: 4 customers." in second
    assert HandoverPlan.objects.count() == 1


def test_a_customer_rows_actions_offer_the_policys_backups_and_a_handover(
    client, manager_a, hr_user, rep_a, rep_a2, carla, customer_a
):
    give_scores({rep_a: "low", carla: "low", rep_a2: "low"})
    url = reverse("handover:customer_actions", args=[customer_a.pk])
    client.force_login(manager_a)
    body = client.get(url, {"cols": "6"}).content.decode()
    assert f'value="rep:{carla.pk}"' in body and f'value="rep:{rep_a2.pk}"' not in body
    assert reverse("handover:customer_backup", args=[customer_a.pk]) in body
    assert reverse("handover:plan_create", args=[rep_a.pk]) in body
    client.force_login(hr_user)
    assert "<form" not in client.get(url).content.decode()


def test_acknowledging_sends_the_badge_again_out_of_band(client, manager_a, rep_a, rep_a2):
    run = give_scores({rep_a: "high", rep_a2: "high"})
    alerts = [
        RiskAlert.objects.create(
            rep=rep, score=run.scores.get(rep=rep), kind=RiskAlert.Kind.BECAME_HIGH, message="up"
        )
        for rep in (rep_a, rep_a2)
    ]
    client.force_login(manager_a)
    url = reverse("retention:alert_acknowledge", args=[alerts[0].pk])
    body = client.post(url, **HTMX).content.decode()
    assert f'id="alert-{alerts[0].pk}"' in body
    assert 'id="nav-alerts-badge" hx-swap-oob="true"' in body
    assert 'title="Open alerts">1</span>' in body


def test_an_intervention_logged_from_an_alert_row_answers_with_a_row(client, manager_a, rep_a):
    client.force_login(manager_a)
    url = reverse("retention:intervention_create", args=[rep_a.pk])
    headers = {**HTMX, "HTTP_HX_TARGET": "alert-1"}
    row = client.post(url, {"kind": "stay_conversation", "note": "Talked", "cols": "7"}, **headers)
    assert row.status_code == 200 and "Intervention logged: " in row.content.decode()
    assert rep_a.interventions.get().note == "Talked"
    bad = client.post(url, {"kind": "bribe", "cols": "7"}, **headers)
    assert bad.status_code == 422  # the field by its label, as the row's form shows it
    assert (
        "What was done: The kind of intervention must be one of: Stay conversation, Job rotation,"
        in bad.content.decode()
    )
    # The rep page's own form still gets its section back.
    section = client.post(
        url, {"kind": "stay_conversation"}, **{**HTMX, "HTTP_HX_TARGET": "interventions"}
    )
    assert 'id="interventions"' in section.content.decode()


def test_the_api_covers_a_customer_nobody_holds_from_the_same_offer(
    manager_a, manager_b, carla, rep_a2, orphan
):
    from rest_framework.test import APIClient

    give_scores({carla: "low", rep_a2: "low"})
    client = APIClient()
    client.force_authenticate(manager_a)
    url = "/api/handover/assignments/cover/"
    refused = client.post(url, {"customer_id": orphan.pk, "rep_id": rep_a2.pk}, format="json")
    assert refused.status_code == 400 and "Arne Berg" in refused.json()["detail"]
    both = client.post(
        url,
        {"customer_id": orphan.pk, "rep_id": carla.pk, "manager_id": manager_a.pk},
        format="json",
    )
    assert both.status_code == 400 and "rep_id" in both.json()
    done = client.post(url, {"customer_id": orphan.pk, "rep_id": carla.pk}, format="json")
    assert done.status_code == 201 and done.json()["role"] == "temporary_cover"
    other = APIClient()
    other.force_authenticate(manager_b)
    assert (
        other.post(url, {"customer_id": orphan.pk, "rep_id": carla.pk}, format="json").status_code
        == 404
    )
