"""Personal API tokens: made on a page or through the API, shown once, stored hashed, scoped
exactly like their user, refused once revoked."""

import hashlib

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_create

pytestmark = pytest.mark.django_db


def _token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_life_cycle_on_the_page_create_use_revoke_refused(client, manager_a):
    client.force_login(manager_a)
    created = client.post("/account/tokens/", {"name": "weekly export"})
    assert created.status_code == 200
    key = created.context["new_key"]
    assert key.encode() in created.content
    token = ApiToken.objects.get(user=manager_a)
    assert token.name == "weekly export"
    # Only the hash is kept, and the key is not shown again.
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(token.__dict__)
    assert key.encode() not in client.get("/account/tokens/").content

    api = _token_client(key)
    me = api.get("/api/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "manager.a"
    token.refresh_from_db()
    assert token.last_used_at is not None

    revoked = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302
    assert _token_client(key).get("/api/me/").status_code == 401


def test_token_life_cycle_through_the_api(manager_a):
    session = APIClient()
    session.force_authenticate(manager_a)
    created = session.post("/api/tokens/create/", {"name": "bi tool"}, format="json")
    assert created.status_code == 201
    key = created.json()["key"]
    listed = session.get("/api/tokens/").json()
    assert [row["name"] for row in listed["results"]] == ["bi tool"]
    assert "key" not in listed["results"][0]

    assert _token_client(key).get("/api/me/").status_code == 200
    token_id = created.json()["id"]
    assert session.post(f"/api/tokens/{token_id}/revoke/").json()["revoked_at"] is not None
    assert _token_client(key).get("/api/me/").status_code == 401


def test_token_acts_with_exactly_its_users_scope(manager_a, rep_a, rep_b):
    _token, key = api_token_create(user=manager_a, name="script")
    api = _token_client(key)
    assert api.get(f"/api/reps/{rep_a.pk}/").status_code == 200
    assert api.get(f"/api/reps/{rep_b.pk}/").status_code == 404


def test_nobody_can_revoke_another_users_token(manager_a, manager_b):
    token, key = api_token_create(user=manager_a, name="mine")
    other = APIClient()
    other.force_authenticate(manager_b)
    assert other.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert _token_client(key).get("/api/me/").status_code == 200


def test_a_token_without_a_name_is_refused_naming_the_field(client, manager_a):
    client.force_login(manager_a)
    page = client.post("/account/tokens/", {"name": "   "})
    assert page.status_code == 400
    assert not ApiToken.objects.exists()
    api = APIClient()
    api.force_authenticate(manager_a)
    answer = api.post("/api/tokens/create/", {"name": ""}, format="json")
    assert answer.status_code == 400
    assert "name" in answer.json()


def test_a_deactivated_users_token_is_refused(manager_a):
    _token, key = api_token_create(user=manager_a, name="script")
    manager_a.is_active = False
    manager_a.save()
    assert _token_client(key).get("/api/me/").status_code == 401


@override_settings(AXES_FAILURE_LIMIT=3)
def test_guessing_token_keys_locks_the_address_out(manager_a):
    _token, key = api_token_create(user=manager_a, name="script")
    for attempt in range(3):
        assert _token_client(f"rly_guess{attempt}").get("/api/me/").status_code in (401, 429)
    assert AccessAttempt.objects.filter(ip_address="127.0.0.1").exists()
    locked = _token_client(key).get("/api/me/")
    assert locked.status_code == 429
    assert "detail" in locked.json()


@override_settings(RELAY_API_THROTTLE_USER="3/minute")
def test_api_calls_over_the_user_rate_are_throttled(manager_a):
    from django.core.cache import cache

    cache.clear()
    _token, key = api_token_create(user=manager_a, name="script")
    api = _token_client(key)
    answers = [api.get("/api/me/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_token_keys_are_long_and_distinct(manager_a):
    keys = {api_token_create(user=manager_a, name=f"t{i}")[1] for i in range(5)}
    assert len(keys) == 5
    assert all(len(key) >= 40 and key.startswith("rly_") for key in keys)
