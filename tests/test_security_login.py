"""Login protection: repeated failures lock a user name and an address out for a cool-off."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import override_settings
from django.utils import timezone

pytestmark = pytest.mark.django_db

LIMIT = 3


def _login(client, username: str, password: str, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


@override_settings(AXES_FAILURE_LIMIT=LIMIT, AXES_COOLOFF_TIME=dt.timedelta(minutes=2))
def test_wrong_passwords_lock_the_user_out_until_the_cool_off_ends(client, manager_a):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(LIMIT):
            _login(client, "manager.a", "wrong")
        refused = _login(client, "manager.a", "pw-manager-a")
        assert refused.status_code == 429
        assert b"Too many failed sign-ins" in refused.content
        assert "_auth_user_id" not in client.session

        traveller.shift(dt.timedelta(minutes=3))
        accepted = _login(client, "manager.a", "pw-manager-a")
    assert accepted.status_code == 302
    assert client.session["_auth_user_id"] == str(manager_a.pk)


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_failures_from_one_address_lock_that_address_out_for_every_user(client, manager_a):
    for attempt in range(LIMIT):
        _login(client, f"guess-{attempt}", "wrong", REMOTE_ADDR="203.0.113.9")
    refused = _login(client, "manager.a", "pw-manager-a", REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    # Another address is not affected.
    elsewhere = _login(client, "manager.a", "pw-manager-a", REMOTE_ADDR="198.51.100.4")
    assert elsewhere.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_admin_login_is_protected_too(client, admin_user):
    admin_user.is_staff = True
    admin_user.save()
    for _ in range(LIMIT):
        client.post("/admin/login/", {"username": "ada.admin", "password": "wrong"})
    refused = client.post("/admin/login/", {"username": "ada.admin", "password": "pw-admin-1"})
    assert refused.status_code == 429


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_failures_and_lockouts_are_listed_in_the_admin(client, admin_user, manager_a):
    for _ in range(LIMIT):
        _login(client, "manager.a", "wrong")
    attempt = AccessAttempt.objects.get(username="manager.a")
    assert attempt.failures_since_start == LIMIT

    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert b"manager.a" in page.content


@override_settings(RELAY_PROXY_COUNT=1, AXES_FAILURE_LIMIT=LIMIT)
def test_behind_a_proxy_the_forwarded_address_is_counted(client, manager_a):
    for _ in range(LIMIT):
        _login(
            client, "nobody", "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7"
        )
    assert AccessAttempt.objects.get(username="nobody").ip_address == "203.0.113.7"
    other_client = _login(
        client,
        "manager.a",
        "pw-manager-a",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.4",
    )
    assert other_client.status_code == 302


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_a_user_name_longer_than_its_record_is_a_failed_sign_in_not_a_500(client, url):
    """Axes recorded the name whole in a 255-character column: PostgreSQL refused it."""
    name = "x" * 300
    response = client.post(url, {"username": name, "password": "wrong"})
    assert response.status_code == 200
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [name[:255]]
