"""Who sees what: HR and admins all; managers their teams; salary bands HR and admins only."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import user_create
from handover.hiring import services
from handover.models import Application, InterviewFeedback


@pytest.fixture
def on_north(vacancy_north, bench_candidate) -> Application:
    return services.application_create(vacancy=vacancy_north, candidate=bench_candidate)


@pytest.fixture
def on_south(vacancy_south, board_candidate) -> Application:
    return services.application_create(vacancy=vacancy_south, candidate=board_candidate)


def login(client, user):
    client.force_login(user)
    return client


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["hr_user", "admin_user"])
def test_hr_and_admins_see_every_vacancy_with_its_salary_band(
    client, request, who, vacancy_north, vacancy_south
):
    login(client, request.getfixturevalue(who))
    for vacancy in (vacancy_north, vacancy_south):
        response = client.get(reverse("handover:vacancy_detail", args=[vacancy.pk]))
        assert response.status_code == 200
        assert b'id="salary-band"' in response.content
    assert (
        b"50,000" in client.get(reverse("handover:vacancy_detail", args=[vacancy_north.pk])).content
    )


def test_manager_sees_own_team_vacancy_without_the_salary_band(client, manager_a, vacancy_north):
    response = login(client, manager_a).get(
        reverse("handover:vacancy_detail", args=[vacancy_north.pk])
    )
    assert response.status_code == 200
    assert b'id="salary-band"' not in response.content
    assert b"50,000" not in response.content and b"65,000" not in response.content


def test_manager_cannot_see_other_teams_vacancy_or_its_candidates(
    client, manager_a, vacancy_south, on_south
):
    login(client, manager_a)
    assert (
        client.get(reverse("handover:vacancy_detail", args=[vacancy_south.pk])).status_code == 404
    )
    assert (
        client.get(reverse("handover:candidate_detail", args=[on_south.candidate_id])).status_code
        == 404
    )
    assert client.get(reverse("handover:application_detail", args=[on_south.pk])).status_code == 404
    listing = client.get(reverse("handover:vacancy_list"))
    assert [v.pk for v in listing.context["page"].object_list] == []


def test_manager_sees_candidates_on_own_teams_vacancies_only(client, manager_a, on_north, on_south):
    response = login(client, manager_a).get(reverse("handover:candidate_list"))
    names = [c.full_name for c in response.context["page"].object_list]
    assert names == [on_north.candidate.full_name]


def test_manager_can_comment_and_rate_an_interview_in_scope(client, manager_a, on_north, on_south):
    login(client, manager_a)
    response = client.post(
        reverse("handover:feedback_add", args=[on_north.pk]),
        {"rating": "4", "comment": "Strong on discovery"},
    )
    assert response.status_code == 302
    feedback = InterviewFeedback.objects.get(application=on_north)
    assert (feedback.author, feedback.rating, feedback.comment) == (
        manager_a,
        4,
        "Strong on discovery",
    )
    response = client.post(reverse("handover:feedback_add", args=[on_south.pk]), {"rating": "5"})
    assert response.status_code == 404


def test_manager_cannot_move_stages_or_open_vacancies(client, manager_a, on_north):
    login(client, manager_a)
    response = client.post(
        reverse("handover:application_move", args=[on_north.pk]), {"stage": "screening"}
    )
    assert response.status_code == 403
    on_north.refresh_from_db()
    assert on_north.stage == Application.Stage.SOURCED
    assert client.get(reverse("handover:vacancy_create")).status_code == 403
    assert client.get(reverse("handover:bench")).status_code == 403


def test_a_user_without_a_hiring_role_is_refused(client, vacancy_north):
    nobody = User.objects.create_user(username="no.role", password="x")
    login(client, nobody)
    assert client.get(reverse("handover:vacancy_list")).status_code == 403
    assert client.get(reverse("handover:departure_costs")).status_code == 403


def test_manager_departure_costs_are_limited_to_own_teams(client, manager_b, rep_a, rep_b):
    for rep in (rep_a, rep_b):
        rep.departure_date, rep.status = dt.date(2026, 1, 31), "left"
        rep.save()
    response = login(client, manager_b).get(reverse("handover:departure_costs"))
    assert [row.rep for row in response.context["rows"]] == [rep_b]


# --- the API -----------------------------------------------------------------------------------


def test_api_hides_salary_band_from_managers_and_shows_it_to_hr(
    client, manager_a, hr_user, vacancy_north
):
    login(client, manager_a)
    detail = client.get(f"/api/vacancies/{vacancy_north.pk}/").json()
    assert "salary_min" not in detail and "salary_max" not in detail
    listed = client.get("/api/vacancies/").json()["results"]
    assert [v["id"] for v in listed] == [vacancy_north.pk]
    assert "salary_min" not in listed[0]

    login(client, hr_user)
    detail = client.get(f"/api/vacancies/{vacancy_north.pk}/").json()
    assert detail["salary_min"] == "50000.00" and detail["salary_max"] == "65000.00"


def test_api_scopes_managers_and_refuses_their_writes(
    client, manager_a, vacancy_south, on_north, on_south
):
    login(client, manager_a)
    assert client.get(f"/api/vacancies/{vacancy_south.pk}/").status_code == 404
    assert client.get(f"/api/applications/{on_south.pk}/stages/").status_code == 404
    assert [c["id"] for c in client.get("/api/candidates/").json()["results"]] == [
        on_north.candidate_id
    ]
    response = client.post(
        f"/api/applications/{on_north.pk}/stage/",
        {"stage": "screening"},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = client.post(
        f"/api/applications/{on_north.pk}/feedback/",
        {"rating": 3},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_api_vacancy_create_is_for_hr_and_hides_nothing_from_them(
    client, hr_user, manager_a, team_north_a
):
    payload = {
        "team": team_north_a.pk,
        "opened_on": "2026-03-01",
        "salary_min": "10.00",
        "salary_max": "5.00",
    }
    login(client, manager_a)
    assert (
        client.post("/api/vacancies/create/", payload, content_type="application/json").status_code
        == 403
    )
    login(client, hr_user)
    response = client.post("/api/vacancies/create/", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The salary band's upper end must be at least its lower end.",
        "field": "salary_max",
    }
    payload["salary_max"] = "20.00"
    response = client.post("/api/vacancies/create/", payload, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["salary_max"] == "20.00"


def test_rep_logins_see_no_hiring_api(client, team_north_a, vacancy_north):
    user = user_create(username="plain", password="pw-plain-1", role=User.Role.SALES_MANAGER)
    login(client, user)
    # A manager of no team sees nothing at all.
    assert client.get("/api/vacancies/").json()["results"] == []
    assert client.get(f"/api/vacancies/{vacancy_north.pk}/").status_code == 404


def test_onboarding_is_scoped_to_the_new_reps_team_and_managers_can_tick_tasks(
    client, manager_a, manager_b, vacancy_north, bench_candidate
):
    application = services.application_create(vacancy=vacancy_north, candidate=bench_candidate)
    services.application_move(
        application=application, to_stage="hired", start_date=dt.date(2026, 4, 1)
    )
    plan = application.vacancy.onboarding_plans.get()
    task = plan.tasks.order_by("due_date", "id").first()

    login(client, manager_b)
    assert client.get(reverse("handover:onboarding_detail", args=[plan.pk])).status_code == 404
    toggle = reverse("handover:onboarding_task_toggle", args=[task.pk])
    assert client.post(toggle).status_code == 404
    assert client.get(f"/api/onboarding/plans/{plan.pk}/").status_code == 404
    assert client.get("/api/onboarding/plans/").json()["results"] == []

    login(client, manager_a)
    assert client.get(reverse("handover:onboarding_detail", args=[plan.pk])).status_code == 200
    client.post(toggle)
    task.refresh_from_db()
    assert task.is_done and task.done_by == manager_a
