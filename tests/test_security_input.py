"""Input edges answer 400 naming the parameter, never 500: NUL characters on any page or API
call, and out-of-range years."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/reps/", "/customers/", "/dashboard/", "/vacancies/", "/candidates/"]
)
def test_a_nul_character_in_a_page_search_is_a_400_naming_the_parameter(client, admin_user, url):
    client.force_login(admin_user)
    response = client.get(url, {"q": "ab\x00c"})
    assert response.status_code == 400
    assert b"q" in response.content and b"NUL" in response.content


def test_a_nul_character_in_an_api_parameter_is_a_400_naming_it(admin_user):
    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.get("/api/reps/", {"search": "x\x00"})
    assert response.status_code == 400
    assert list(response.json()) == ["search"]


def test_a_nul_character_in_a_posted_form_is_a_400(client, manager_a, rep_a):
    client.force_login(manager_a)
    response = client.post(f"/reps/{rep_a.pk}/interventions/", {"kind": "call", "note": "a\x00"})
    assert response.status_code == 400
    assert b"note" in response.content


@pytest.mark.parametrize("year", ["-5", "10000"])
def test_departure_costs_refuse_a_year_out_of_range_naming_it(admin_user, year):
    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.get("/api/departure-costs/", {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()


# Which of these parameters each page reads; a parameter it does not read is ignored.
READS = {
    "/departure-costs/": {"year", "team"},
    "/reps/": {"team"},
    "/dashboard/": {"team"},
    "/vacancies/": {"team"},
}


@pytest.mark.parametrize(
    "query",
    ["year=-5", "year=10000", "team=99999999999999999999", "team=-99999999999999999999"],
)
@pytest.mark.parametrize("url", list(READS))
def test_out_of_range_numbers_in_page_filters_are_a_400_naming_them(client, admin_user, url, query):
    client.force_login(admin_user)
    response = client.get(f"{url}?{query}")
    name = query.split("=")[0]
    if name in READS[url]:
        assert response.status_code == 400
        assert f'data-parameter="{name}"' in response.content.decode()
    else:
        assert response.status_code == 200
