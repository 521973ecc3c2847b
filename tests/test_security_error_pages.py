"""Error pages: a refused form post shows its errors escaped on the styled 400 page; 403, 404
and 500 have Relay's own pages."""

import datetime as dt

import pytest
from django.test import Client

from retention.models import Intervention

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


def test_a_refused_intervention_post_does_not_echo_raw_input(client, manager_a, rep_a):
    client.force_login(manager_a)
    response = client.post(f"/reps/{rep_a.pk}/interventions/", {"kind": SCRIPT, "note": "x"})
    assert response.status_code == 400
    assert SCRIPT.encode() not in response.content
    # The refusal is the service's sentence, naming the field and its choices; it does not
    # repeat what was typed (escaped or not).
    assert b"The kind of intervention must be one of:" in response.content
    assert b"&lt;script&gt;" not in response.content
    assert response.headers["Content-Type"].startswith("text/html")


def test_a_refused_outcome_post_does_not_echo_raw_input(client, manager_a, rep_a):
    intervention = Intervention.objects.create(
        rep=rep_a,
        kind=Intervention.Kind.values[0],
        note="check-in",
        created_by=manager_a,
        follow_up_on=dt.date(2026, 12, 10),
    )
    client.force_login(manager_a)
    response = client.post(f"/interventions/{intervention.pk}/outcome/", {"outcome": SCRIPT})
    assert response.status_code == 400
    assert SCRIPT.encode() not in response.content
    assert b"outcome" in response.content


def test_not_found_and_forbidden_pages_are_relays_own(client, manager_a, rep_b):
    client.force_login(manager_a)
    missing = client.get(f"/reps/{rep_b.pk}/")
    assert missing.status_code == 404
    text = missing.content.decode()
    assert "outside the ones you can see" in text
    assert 'class="topbar"' in text
    # It leads somewhere: the places the manager's role opens, and a search for the rep.
    assert 'id="ways-on"' in text and 'href="/dashboard/"' in text
    assert 'action="/reps/"' in text
    forbidden = client.get("/vacancies/new/")
    assert forbidden.status_code == 403
    text = forbidden.content.decode()
    assert "Your role does not open this page" in text
    assert f"You are signed in as {manager_a}" in text and "Sales manager" in text
    assert 'class="topbar"' in text and 'href="/dashboard/"' in text


def test_an_expired_form_gets_relays_page_with_the_way_on(manager_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_a)
    response = client.post("/logout/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "This form has expired" in text and "Nothing was saved" in text
    assert 'class="topbar"' in text and 'id="ways-on"' in text


def test_the_server_error_page_is_relays_own(manager_a, settings):
    from django.urls import path

    def boom(request):
        raise RuntimeError("boom")

    settings.ROOT_URLCONF = type(
        "urls", (), {"urlpatterns": [path("boom/", boom)], "handler500": None}
    )
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
