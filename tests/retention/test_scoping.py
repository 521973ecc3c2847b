"""A manager sees their own reps and customers and nothing else, on pages and in the API."""

import pytest
from rest_framework.test import APIClient

from accounts.tokens import api_token_create


@pytest.fixture
def api_as():
    def login(user) -> APIClient:
        client = APIClient()
        _token, key = api_token_create(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return login


def test_manager_cannot_open_another_managers_rep_page(client, manager_a, rep_b):
    client.force_login(manager_a)
    assert client.get(f"/reps/{rep_b.id}/").status_code == 404


def test_manager_opens_own_rep_page(client, manager_a, rep_a, customer_a):
    client.force_login(manager_a)
    response = client.get(f"/reps/{rep_a.id}/")
    assert response.status_code == 200
    assert "Acme Shipping" in response.content.decode()


def test_manager_cannot_fetch_another_managers_rep_in_the_api(api_as, manager_a, rep_b):
    assert api_as(manager_a).get(f"/api/reps/{rep_b.id}/").status_code == 404


def test_region_manager_lists_reps_of_all_teams_below(api_as, manager_a, rep_a, rep_a2, rep_b):
    body = api_as(manager_a).get("/api/reps/").json()
    assert {row["id"] for row in body["results"]} == {rep_a.id, rep_a2.id}


def test_reps_page_lists_only_reps_in_scope(client, manager_b, rep_a, rep_b):
    client.force_login(manager_b)
    html = client.get("/reps/").content.decode()
    assert "Bruno Silva" in html
    assert "Alice Anders" not in html


def test_hr_sees_every_rep(api_as, hr_user, rep_a, rep_b):
    body = api_as(hr_user).get("/api/reps/").json()
    assert body["count"] == 2


def test_customer_outside_scope_is_404_on_page_and_api(client, api_as, manager_a, customer_b):
    client.force_login(manager_a)
    assert client.get(f"/customers/{customer_b.id}/").status_code == 404
    assert api_as(manager_a).get(f"/api/customers/{customer_b.id}/").status_code == 404


def test_customer_list_shows_customers_held_in_scope(api_as, manager_b, customer_a, customer_b):
    body = api_as(manager_b).get("/api/customers/").json()
    assert [row["name"] for row in body["results"]] == ["Bento Foods"]


def test_customer_page_shows_current_and_past_holders(client, admin_user, customer_a, rep_a):
    client.force_login(admin_user)
    response = client.get(f"/api/customers/{customer_a.id}/")
    holders = response.json()["holders"]
    assert holders[0]["holder"] == "Alice Anders"
    assert holders[0]["valid_to"] is None


def test_anonymous_user_is_sent_to_login(client, rep_a):
    response = client.get(f"/reps/{rep_a.id}/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_anonymous_api_call_is_refused(rep_a):
    assert APIClient().get("/api/reps/").status_code in (401, 403)


def test_rep_search_and_team_filter(client, manager_a, rep_a, rep_a2, team_north_b):
    client.force_login(manager_a)
    by_name = client.get("/reps/", {"q": "arne"}).content.decode()
    assert "Arne Berg" in by_name and "Alice Anders" not in by_name
    by_team = client.get("/reps/", {"team": team_north_b.id}).content.decode()
    assert "Arne Berg" in by_team and "Alice Anders" not in by_team


def test_rep_api_detail_marks_single_threaded_customers(api_as, manager_a, rep_a, customer_a):
    body = api_as(manager_a).get(f"/api/reps/{rep_a.id}/").json()
    assert body["customers"] == [
        {
            "customer_id": customer_a.id,
            "customer_name": "Acme Shipping",
            "role": "owner",
            "valid_from": "2023-01-01",
            "annual_revenue": "1200000.00",
            "is_key_account": True,
            "only_relationship": True,
        }
    ]


def test_openapi_schema_lists_the_endpoints(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert {"/api/reps/", "/api/reps/{rep_id}/", "/api/customers/", "/api/me/"} <= set(
        schema["paths"]
    )


def test_api_docs_page_serves_its_assets_locally(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()


def test_customer_holder_history_does_not_name_reps_of_other_teams(
    client, api_as, manager_b, customer_a, rep_a, rep_b
):
    from retention.models import Assignment

    owner = Assignment.objects.get(customer=customer_a)
    owner.valid_to = owner.valid_from.replace(year=2024)
    owner.save()
    Assignment.objects.create(
        customer=customer_a, rep=rep_b, role=Assignment.Role.OWNER, valid_from=owner.valid_to
    )
    holders = api_as(manager_b).get(f"/api/customers/{customer_a.id}/").json()["holders"]
    assert [(h["holder"], h["rep_id"]) for h in holders] == [
        ("Bruno Silva", rep_b.id),
        ("", None),
    ]
    import datetime as dt

    from retention.models import Activity, Deal

    Deal.objects.create(
        customer=customer_a, owner=rep_a, name="Old deal", amount=10, created_on=dt.date(2023, 2, 1)
    )
    Activity.objects.create(
        customer=customer_a, rep=rep_a, kind="call", occurred_at="2023-02-01T10:00:00Z"
    )
    client.force_login(manager_b)
    html = client.get(f"/customers/{customer_a.id}/").content.decode()
    assert "Bruno Silva" in html and "Old deal" in html
    assert "Alice Anders" not in html
    assert "Someone outside your teams" in html


def test_alert_emails_go_to_active_managers_up_the_tree(
    manager_a, manager_b, team_north_a, team_south_a
):
    from accounts.services import user_create
    from retention.risk.selectors import team_manager_emails

    manager_a.email, manager_b.email = "mona@example.com", "sam@example.com"
    manager_a.save()
    manager_b.save()
    gone = user_create(
        username="gone", password="x-gone-1", role="sales_manager", email="gone@example.com",
        managed_teams=[team_north_a],
    )
    gone.is_active = False
    gone.save()
    assert team_manager_emails(team_ids=[team_north_a.id, team_south_a.id]) == {
        team_north_a.id: ["mona@example.com"],
        team_south_a.id: ["sam@example.com"],
    }
