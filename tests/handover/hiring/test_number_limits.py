"""A number larger than its column holds (the approved headcount's small integer, the salary
band's numeric(12, 2), the years of experience' numeric(4, 1)) is refused where it is typed:
under the field on the page with what was typed kept, a 400 naming the field in the API, an
``ApplicationError`` naming it from the service. Nothing reaches the database, so PostgreSQL
never answers ``smallint out of range`` or ``numeric field overflow`` with a 500."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from config.errors import ApplicationError
from handover.hiring import services
from handover.models import Candidate, Vacancy
from tests.handover.hiring.conftest import vacancy_post


def test_a_headcount_and_salary_band_too_large_to_store_are_refused_under_their_fields(
    hr_client, team_north_a
):
    data = vacancy_post(team_north_a, approved_headcount="40000", salary_max="99999999999")
    response = hr_client.post(reverse("handover:vacancy_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"approved_headcount", "salary_max"}
    assert "32767" in form.errors["approved_headcount"][0]
    assert b'value="40000"' in response.content
    assert b'value="99999999999"' in response.content
    assert not Vacancy.objects.exists()


def test_the_edit_form_refuses_a_salary_band_too_large_to_store(hr_client, vacancy_north):
    url = reverse("handover:vacancy_edit", args=[vacancy_north.pk])
    form = hr_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"hiring_manager": data["hiring_manager"].pk, "salary_min": "12345678901.5"})
    response = hr_client.post(url, data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"salary_min"}
    vacancy_north.refresh_from_db()
    assert vacancy_north.salary_min == 50_000


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("approved_headcount", 40000),
        ("salary_min", "99999999999"),
        ("salary_max", "99999999999"),
        ("salary_min", "-1"),
    ],
)
def test_the_api_answers_a_number_too_large_to_store_with_a_400_naming_the_field(
    hr_api, team_north_a, vacancy_north, field, value
):
    created = hr_api.post(
        "/api/vacancies/create/",
        {"team": team_north_a.pk, "opened_on": "2026-06-01", field: value},
        format="json",
    )
    assert created.status_code == 400 and field in created.json()
    updated = hr_api.post(
        f"/api/vacancies/{vacancy_north.pk}/update/", {field: value}, format="json"
    )
    assert updated.status_code == 400 and field in updated.json()
    assert Vacancy.objects.count() == 1


def test_the_candidate_api_answers_experience_too_large_to_store_with_a_400(hr_api):
    response = hr_api.post(
        "/api/candidates/create/",
        {"first_name": "Ada", "last_name": "Long", "source": "job_board"},
        format="json",
    )
    assert response.status_code == 201
    candidate_id = response.json()["id"]
    response = hr_api.post(
        f"/api/candidates/{candidate_id}/update/",
        {"sales_experience_years": "1000"},
        format="json",
    )
    assert response.status_code == 400 and "sales_experience_years" in response.json()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"approved_headcount": 32768}, "approved_headcount"),
        ({"salary_min": Decimal("10000000000")}, "salary_min"),
        ({"salary_max": Decimal("10000000000")}, "salary_max"),
        ({"salary_max": Decimal("Infinity")}, "salary_max"),
    ],
)
def test_the_vacancy_services_refuse_a_number_too_large_to_store(
    team_north_a, vacancy_north, changes, field
):
    with pytest.raises(ApplicationError) as refused:
        services.vacancy_create(team=team_north_a, opened_on=dt.date(2026, 6, 1), **changes)
    assert refused.value.field == field
    with pytest.raises(ApplicationError) as refused:
        services.vacancy_update(vacancy=vacancy_north, **changes)
    assert refused.value.field == field
    assert Vacancy.objects.count() == 1


def test_the_largest_numbers_the_columns_hold_are_stored(team_north_a):
    vacancy = services.vacancy_create(
        team=team_north_a,
        opened_on=dt.date(2026, 6, 1),
        approved_headcount=32767,
        salary_min=Decimal("9999999999.99"),
        salary_max=Decimal("9999999999.99"),
    )
    vacancy.refresh_from_db()
    assert vacancy.approved_headcount == 32767
    assert vacancy.salary_max == Decimal("9999999999.99")


def test_the_candidate_services_refuse_experience_too_large_to_store(board_candidate):
    with pytest.raises(ApplicationError, match=r"at most 999\.9") as refused:
        services.candidate_create(
            first_name="Ada",
            last_name="Long",
            source=Candidate.Source.JOB_BOARD,
            sales_experience_years=Decimal("1000"),
        )
    assert refused.value.field == "sales_experience_years"
    with pytest.raises(ApplicationError) as refused:
        services.candidate_update(candidate=board_candidate, sales_experience_years=1000)
    assert refused.value.field == "sales_experience_years"
    assert Candidate.objects.count() == 1
