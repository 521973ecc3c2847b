"""A vacancy's opening and target fill dates and a candidate's earliest start off the calendar
Relay takes (``config.limits``, 1900-01-01 to 2100-12-31) are refused naming the field: under
it on the page, a 400 naming it in the API, an ``ApplicationError`` from the service. Nothing is
stored. And the calendar's own ends are stored and shown without a 500."""

import datetime as dt
import html

import pytest
from django.urls import reverse

from config.errors import ApplicationError
from handover.hiring import services
from handover.models import Candidate, Vacancy
from tests.handover.hiring.conftest import vacancy_post

OFF_CALENDAR = ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"]


def refusal(label: str, day: str) -> str:
    return f"The {label} {day} is not a date Relay takes: choose one from 1900-01-01 to 2100-12-31."


@pytest.mark.parametrize("day", OFF_CALENDAR)
@pytest.mark.parametrize(
    ("field", "label"), [("opened_on", "opening date"), ("target_fill_date", "target fill date")]
)
def test_a_vacancy_date_off_the_calendar_is_refused_under_its_field_on_the_page(
    hr_client, team_north_a, field, label, day
):
    changes = {field: day}
    if field == "opened_on":
        changes["target_fill_date"] = ""
    response = hr_client.post(
        reverse("handover:vacancy_create"), vacancy_post(team_north_a, **changes)
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [refusal(label, day)]}
    assert f'value="{day}"' in response.content.decode()
    assert not Vacancy.objects.exists()


@pytest.mark.parametrize("day", OFF_CALENDAR)
@pytest.mark.parametrize(
    ("field", "label"), [("opened_on", "opening date"), ("target_fill_date", "target fill date")]
)
def test_a_vacancy_date_off_the_calendar_is_a_400_naming_the_field_in_the_api(
    hr_api, team_north_a, field, label, day
):
    data = {"team": team_north_a.pk, "opened_on": "2026-06-01", field: day}
    if field == "opened_on":
        data.pop("target_fill_date", None)
    response = hr_api.post("/api/vacancies/create/", data, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": refusal(label, day), "field": field}
    assert not Vacancy.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "2101-01-01"])
def test_moving_a_target_fill_date_off_the_calendar_is_refused_page_and_api(
    hr_client, hr_api, vacancy_north, day
):
    url = reverse("handover:vacancy_edit", args=[vacancy_north.pk])
    form = hr_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"hiring_manager": data["hiring_manager"].pk, "target_fill_date": day})
    response = hr_client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "target_fill_date": [refusal("target fill date", day)]
    }
    api = hr_api.post(
        f"/api/vacancies/{vacancy_north.pk}/update/", {"target_fill_date": day}, format="json"
    )
    assert api.status_code == 400
    assert api.json() == {"detail": refusal("target fill date", day), "field": "target_fill_date"}
    vacancy_north.refresh_from_db()
    assert vacancy_north.target_fill_date == dt.date(2026, 5, 1)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_an_earliest_start_off_the_calendar_is_refused_page_and_api(
    hr_client, hr_api, board_candidate, day
):
    expected = refusal("earliest start date", day)
    candidate = {
        "first_name": "Ada",
        "last_name": "Later",
        "source": "job_board",
        "sales_experience_years": "1",
        "earliest_start": day,
    }
    response = hr_client.post(reverse("handover:candidate_create"), candidate)
    assert response.status_code == 200
    assert response.context["form"].errors == {"earliest_start": [expected]}
    api = hr_api.post(
        "/api/candidates/create/",
        {"first_name": "Ada", "last_name": "Later", "source": "job_board", "earliest_start": day},
        format="json",
    )
    assert api.status_code == 400
    assert api.json() == {"detail": expected, "field": "earliest_start"}
    assert list(Candidate.objects.all()) == [board_candidate]

    edit = reverse("handover:candidate_edit", args=[board_candidate.pk])
    data = {**candidate, "first_name": "Jo", "last_name": "Board"}
    response = hr_client.post(edit, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"earliest_start": [expected]}
    api = hr_api.post(
        f"/api/candidates/{board_candidate.pk}/update/", {"earliest_start": day}, format="json"
    )
    assert api.status_code == 400
    assert api.json() == {"detail": expected, "field": "earliest_start"}
    board_candidate.refresh_from_db()
    assert board_candidate.earliest_start is None


def test_the_services_refuse_dates_off_the_calendar_naming_the_field(
    team_north_a, vacancy_north, board_candidate
):
    far = dt.date(9999, 12, 31)
    for changes, field in [
        ({"opened_on": far}, "opened_on"),
        ({"target_fill_date": far}, "target_fill_date"),
    ]:
        with pytest.raises(ApplicationError) as refused:
            services.vacancy_create(
                team=team_north_a, **{"opened_on": dt.date(2026, 6, 1), **changes}
            )
        assert refused.value.field == field
    with pytest.raises(ApplicationError) as refused:
        services.vacancy_update(vacancy=vacancy_north, target_fill_date=far)
    assert refused.value.field == "target_fill_date"
    with pytest.raises(ApplicationError) as refused:
        services.candidate_update(candidate=board_candidate, earliest_start=dt.date(1, 1, 1))
    assert refused.value.field == "earliest_start"
    assert Vacancy.objects.count() == 1


def test_the_calendar_s_own_ends_are_stored_and_every_hiring_page_shows_them(
    hr_client, hr_api, team_north_a, board_candidate
):
    """A vacancy open since 1900-01-01 with a target of 2100-12-31 and a candidate who can
    start on 2100-12-31: the days open, the days to start and the money at stake are worked
    out from them on each page and in the API without running off the calendar."""
    vacancy = services.vacancy_create(
        team=team_north_a,
        opened_on=dt.date(1900, 1, 1),
        target_fill_date=dt.date(2100, 12, 31),
    )
    candidate = services.candidate_create(
        first_name="Ada",
        last_name="Later",
        source=Candidate.Source.BENCH,
        region="North",
        earliest_start=dt.date(2100, 12, 31),
    )
    services.application_create(vacancy=vacancy, candidate=candidate)
    for url in [
        reverse("handover:vacancy_list"),
        reverse("handover:vacancy_detail", args=[vacancy.pk]),
        reverse("handover:application_list"),
        reverse("handover:candidate_list"),
        reverse("handover:bench"),
        reverse("handover:candidate_detail", args=[candidate.pk]),
        reverse("handover:departure_costs"),
        reverse("handover:source_stats"),
    ]:
        response = hr_client.get(url)
        assert response.status_code == 200, url
    assert "2100" in html.unescape(
        hr_client.get(reverse("handover:vacancy_detail", args=[vacancy.pk])).content.decode()
    )
    for url in [
        "/api/vacancies/",
        f"/api/vacancies/{vacancy.pk}/",
        "/api/candidates/",
        f"/api/candidates/{candidate.pk}/",
        "/api/applications/",
    ]:
        response = hr_api.get(url)
        assert response.status_code == 200, url
    detail = hr_api.get(f"/api/vacancies/{vacancy.pk}/").json()
    assert detail["target_fill_date"] == "2100-12-31"
    assert detail["days_open"] > 365 * 126
