"""One list shape: each retention page and its API read the same FilterSet, so a search finds the
same rows on both and a bad parameter is a 400 naming it on both."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from retention.models import RiskAlert
from tests.conftest import make_customer, make_rep


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_rep_ids(client, params) -> list[int]:
    html = client.get(reverse("retention:rep_list"), params).content.decode()
    return [int(rep_id) for rep_id in re.findall(r'<tr data-rep-id="(\d+)"', html)]


def api_rep_ids(user, params) -> list[int]:
    body = api(user).get(reverse("api-rep-list"), params).json()
    return [row["id"] for row in body["results"]]


@pytest.fixture
def crm_reps(team_north_a, team_north_b, team_south_a):
    return {
        "exact": make_rep(team_north_a, "Carla", "Crm", crm_user_id="005AB"),
        "longer": make_rep(team_north_b, "Lars", "Longer", crm_user_id="005ABC"),
        "other_team": make_rep(team_south_a, "Olga", "Other", crm_user_id="005AB2"),
    }


@pytest.mark.parametrize(
    "params",
    [
        {"q": "005ab"},  # a CRM id matches whole, in any case
        {"q": "carla"},
        {"q": "crm 005AB"},
        {"status": "active", "sort": "-name"},
        {"sort": "team"},
        {"hired_after": "2021-01-01"},
    ],
)
def test_rep_search_finds_the_same_reps_on_page_and_api(
    client, manager_a, crm_reps, region_north, params
):
    client.force_login(manager_a)
    assert page_rep_ids(client, params) == api_rep_ids(manager_a, params)


def test_rep_search_by_crm_id_matches_the_whole_id(client, admin_user, crm_reps):
    client.force_login(admin_user)
    assert page_rep_ids(client, {"q": "005AB"}) == [crm_reps["exact"].pk]
    assert api_rep_ids(admin_user, {"q": "005AB"}) == [crm_reps["exact"].pk]


def test_a_region_filters_to_every_team_below_it(client, manager_a, crm_reps, region_north):
    client.force_login(manager_a)
    expected = sorted([crm_reps["exact"].pk, crm_reps["longer"].pk])
    assert sorted(page_rep_ids(client, {"team": region_north.pk})) == expected
    assert sorted(api_rep_ids(manager_a, {"team": region_north.pk})) == expected


@pytest.mark.parametrize(
    ("page", "api_name", "params", "named"),
    [
        ("retention:rep_list", "api-rep-list", {"q": "ab\x00c"}, "q"),
        ("retention:rep_list", "api-rep-list", {"team": "99999999999999999999999"}, "team"),
        ("retention:rep_list", "api-rep-list", {"team": "0"}, "team"),
        ("retention:rep_list", "api-rep-list", {"status": "asleep"}, "status"),
        ("retention:rep_list", "api-rep-list", {"sort": "salary"}, "sort"),
        ("retention:customer_list", "api-customer-list", {"q": "\x00"}, "q"),
        ("retention:customer_list", "api-customer-list", {"sort": "-secret"}, "sort"),
        ("retention:dashboard", "api-dashboard-reps", {"q": "x\x00"}, "q"),
        ("retention:dashboard", "api-dashboard-reps", {"band": "purple"}, "band"),
        ("retention:dashboard", "api-dashboard-reps", {"team": "-3"}, "team"),
        ("retention:alert_list", "api-alert-list", {"state": "forgotten"}, "state"),
        ("retention:alert_list", "api-alert-list", {"team": "1e400"}, "team"),
    ],
)
def test_bad_list_parameters_are_400_naming_them_on_page_and_api(
    client, manager_a, rep_a, page, api_name, params, named
):
    client.force_login(manager_a)
    on_page = client.get(reverse(page), params)
    assert on_page.status_code == 400
    assert f'data-parameter="{named}"' in on_page.content.decode()
    on_api = api(manager_a).get(reverse(api_name), params)
    assert on_api.status_code == 400
    assert list(on_api.json()) == [named]


def test_customer_search_is_the_same_on_page_and_api(client, manager_a, rep_a, rep_a2, rep_b):
    make_customer("Acme Shipping", owner=rep_a, external_id="ACC-1", annual_revenue=5)
    make_customer("Acme Foods", owner=rep_a2, external_id="ACC-12", is_key_account=True)
    make_customer("Acme South", owner=rep_b, external_id="ACC-2")
    client.force_login(manager_a)
    for params, expected in (
        ({"q": "acme"}, ["Acme Foods", "Acme Shipping"]),
        ({"q": "acc-1"}, ["Acme Shipping"]),
        ({"key": "true"}, ["Acme Foods"]),
        ({"sort": "-revenue"}, ["Acme Shipping", "Acme Foods"]),
    ):
        html = client.get(reverse("retention:customer_list"), params).content.decode()
        on_page = re.findall(r'/customers/\d+/">([^<]+)</a>', html)
        body = api(manager_a).get(reverse("api-customer-list"), params).json()
        assert on_page == [row["name"] for row in body["results"]] == expected, params


def test_alert_state_is_the_same_on_page_and_api(client, manager_a, rep_a, rep_a2):
    from tests.retention.dashboard.conftest import make_run, make_score

    run = make_run(__import__("datetime").date(2026, 11, 9))
    open_alert = RiskAlert.objects.create(
        rep=rep_a, score=make_score(run, rep_a, 0.7), kind="became_high", message="m"
    )
    seen = RiskAlert.objects.create(
        rep=rep_a2, score=make_score(run, rep_a2, 0.6), kind="jump", message="m"
    )
    RiskAlert.objects.filter(pk=seen.pk).update(acknowledged_at=run.finished_at)
    client.force_login(manager_a)
    for state, expected in (
        ({}, [open_alert.pk]),
        ({"state": "acknowledged"}, [seen.pk]),
        ({"state": "all"}, sorted([open_alert.pk, seen.pk], reverse=True)),
    ):
        html = client.get(reverse("retention:alert_list"), state).content.decode()
        on_page = [int(i) for i in re.findall(r'<tr id="alert-(\d+)"', html)]
        body = api(manager_a).get(reverse("api-alert-list"), state).json()
        assert on_page == [row["id"] for row in body["results"]] == expected, state


def test_an_alert_is_open_until_acknowledged_by_one_rule_on_model_scope_and_page(
    client, manager_a, rep_a, rep_a2
):
    """``RiskAlert.objects.open()`` is the one home: the audited scope answers it too (the
    badge's count and the inbox filter read it there), and the page marks the same rows."""
    from retention.selectors import alerts_visible_to
    from tests.retention.dashboard.conftest import make_run, make_score

    run = make_run(dt.date(2026, 11, 9))
    open_alert = RiskAlert.objects.create(
        rep=rep_a, score=make_score(run, rep_a, 0.7), kind="became_high", message="m"
    )
    seen = RiskAlert.objects.create(
        rep=rep_a2, score=make_score(run, rep_a2, 0.6), kind="jump", message="m"
    )
    RiskAlert.objects.filter(pk=seen.pk).update(acknowledged_at=run.finished_at)
    seen.refresh_from_db()
    assert list(RiskAlert.objects.open()) == [open_alert] and open_alert.is_open
    assert list(RiskAlert.objects.acknowledged()) == [seen] and not seen.is_open
    scope = alerts_visible_to(manager_a)
    assert scope.open().count() == 1 and list(scope.acknowledged()) == [seen]
    client.force_login(manager_a)
    html = client.get(reverse("retention:alert_list"), {"state": "all"}).content.decode()
    marked = re.findall(r'<tr id="alert-(\d+)"[^>]*?( class="open")?>', html)
    assert sorted(marked) == sorted([(str(open_alert.pk), ' class="open"'), (str(seen.pk), "")])


def test_api_lists_share_the_one_envelope(admin_user, rep_a):
    for name in ("api-rep-list", "api-customer-list", "api-alert-list", "api-dashboard-reps"):
        body = api(admin_user).get(reverse(name)).json()
        assert set(body) == {"count", "next", "previous", "results"}, name
