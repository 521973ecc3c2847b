"""Hiring's refusals read as sentences that name the field as people do ("The rating must be a
whole number from 1 to 5."), on the page and in the API's 400 (which also names the field in
its own key); and an odd value (a word, a huge number, ``true``) is refused, never a 500."""

import datetime as dt
import html
import json

import pytest
from django.urls import reverse

from config.errors import ApplicationError
from handover.hiring import services
from handover.models import (
    Candidate,
    InterviewFeedback,
    OnboardingPlan,
    OnboardingTemplate,
    Vacancy,
)
from tests.handover.hiring.conftest import internal_candidate


@pytest.fixture
def application(vacancy_north, board_candidate):
    return services.application_create(vacancy=vacancy_north, candidate=board_candidate)


# --- vacancies and the pipeline ----------------------------------------------------------------


def _page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("status", ["filled", "closed", ""])
def test_a_status_a_vacancy_cannot_be_put_in_is_refused_by_its_labels(
    hr_client, vacancy_north, status
):
    response = hr_client.post(
        reverse("handover:vacancy_status", args=[vacancy_north.pk]), {"status": status}, follow=True
    )
    assert "The status must be one of: Open, On hold, Cancelled." in _page_text(response)
    vacancy_north.refresh_from_db()
    assert vacancy_north.status == Vacancy.Status.OPEN


def test_a_filled_vacancy_keeps_its_status(hr_client, vacancy_north):
    Vacancy.objects.filter(pk=vacancy_north.pk).update(
        status=Vacancy.Status.FILLED, filled_on=vacancy_north.opened_on
    )
    response = hr_client.post(
        reverse("handover:vacancy_status", args=[vacancy_north.pk]),
        {"status": "open"},
        follow=True,
    )
    assert "The vacancy is filled, so its status cannot change any more." in _page_text(response)
    vacancy_north.refresh_from_db()
    assert vacancy_north.status == Vacancy.Status.FILLED


def test_putting_a_candidate_on_a_cancelled_vacancy_says_which_vacancies_take_candidates(
    hr_client, hr_api, vacancy_north, board_candidate
):
    services.vacancy_set_status(vacancy=vacancy_north, status=Vacancy.Status.CANCELLED)
    refused = (
        f"The vacancy {vacancy_north} is cancelled: only an open vacancy or one on hold takes "
        "candidates."
    )
    page = hr_client.post(
        reverse("handover:application_add", args=[vacancy_north.pk]),
        {"candidate": board_candidate.pk},
        follow=True,
    )
    assert refused in _page_text(page)
    response = hr_api.post(
        "/api/applications/create/",
        {"vacancy": vacancy_north.pk, "candidate": board_candidate.pk},
        format="json",
    )
    assert response.status_code == 400 and response.json() == {"detail": refused}


def test_a_candidate_hired_or_already_on_the_vacancy_is_refused_by_name(
    hr_api, vacancy_north, board_candidate
):
    services.application_create(vacancy=vacancy_north, candidate=board_candidate)
    data = {"vacancy": vacancy_north.pk, "candidate": board_candidate.pk}
    again = hr_api.post("/api/applications/create/", data, format="json")
    assert again.status_code == 400
    assert again.json()["detail"] == "Jo Board is already on this vacancy."
    Candidate.objects.filter(pk=board_candidate.pk).update(status=Candidate.Status.UNAVAILABLE)
    other = services.vacancy_create(team=vacancy_north.team, opened_on=vacancy_north.opened_on)
    data["vacancy"] = other.pk
    unavailable = hr_api.post("/api/applications/create/", data, format="json")
    assert unavailable.status_code == 400
    assert unavailable.json()["detail"] == (
        "Jo Board is not available and cannot be put on a vacancy."
    )


def test_hiring_a_candidate_whose_name_was_blanked_is_refused_not_a_500(
    hr_client, hr_api, application, board_candidate
):
    """The candidate services require both names; one blanked behind their back (the admin,
    the database) refuses the hire with the sentence, instead of rep_create's ValueError."""
    Candidate.objects.filter(pk=board_candidate.pk).update(last_name="")
    url = reverse("handover:application_move", args=[application.pk])
    page = hr_client.post(url, {"stage": "hired"}, follow=True)
    assert "The first name and the last name are required." in _page_text(page)
    response = hr_api.post(
        f"/api/applications/{application.pk}/stage/", {"stage": "hired"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "The first name and the last name are required."
    _not_hired(application, board_candidate)


def test_a_stage_that_does_not_exist_is_refused_by_the_stages_labels(application):
    with pytest.raises(ApplicationError) as refused:
        services.application_move(application=application, to_stage="onboarded")
    assert refused.value.message == (
        "The stage must be one of: Sourced, Screening, Interview, Offer, Hired, Rejected, Withdrew."
    )
    assert refused.value.field == "stage"


def test_a_declined_offer_without_a_reason_is_a_400_naming_the_reason(hr_api, application):
    url = f"/api/applications/{application.pk}/stage/"
    assert hr_api.post(url, {"stage": "offer"}, format="json").status_code == 200
    response = hr_api.post(url, {"stage": "withdrew"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Say why the candidate declined the offer.",
        "field": "reason",
    }


# --- interview feedback ------------------------------------------------------------------------


@pytest.mark.parametrize("rating", ["four", "1e9", "99999999999999999999", "4.5", ""])
def test_a_rating_that_is_no_whole_number_from_1_to_5_is_refused_on_the_page(
    hr_client, application, rating
):
    response = hr_client.post(
        reverse("handover:feedback_add", args=[application.pk]), {"rating": rating}, follow=True
    )
    assert response.status_code == 200
    assert "Rating: " in response.content.decode()
    assert not InterviewFeedback.objects.exists()


@pytest.mark.parametrize("rating", ["four", "1e9", 10**30, 0, 6, True, 4.5, None, [4]])
def test_the_api_answers_a_rating_that_is_no_whole_number_from_1_to_5_with_a_400(
    hr_api, application, rating
):
    response = hr_api.post(
        f"/api/applications/{application.pk}/feedback/", {"rating": rating}, format="json"
    )
    assert response.status_code == 400
    assert "rating" in response.json()
    assert not InterviewFeedback.objects.exists()


@pytest.mark.parametrize("rating", [0, 6, "4", 4.0, True, None, 10**30])
def test_the_feedback_service_refuses_a_rating_that_is_no_whole_number_from_1_to_5(
    application, hr_user, rating
):
    with pytest.raises(ApplicationError) as refused:
        services.interview_feedback_add(application=application, author=hr_user, rating=rating)
    assert refused.value.message == "The rating must be a whole number from 1 to 5."
    assert refused.value.field == "rating"
    assert not InterviewFeedback.objects.exists()


def test_the_feedback_service_stores_a_rating_from_1_to_5(application, hr_user):
    for rating in (1, 5):
        services.interview_feedback_add(application=application, author=hr_user, rating=rating)
    assert sorted(InterviewFeedback.objects.values_list("rating", flat=True)) == [1, 5]


# --- onboarding templates ----------------------------------------------------------------------

DUE_DAY_REFUSED = (
    "Task 2: the due day must be a whole number of days from the start date, 0 to 3650."
)


def template_tasks(**second) -> list[dict]:
    """Two tasks, the second with ``second``'s changes (the one a test makes wrong)."""
    first = {"title": "Laptop and CRM", "owner": "hr", "kind": "other", "due_days": 0}
    return [first, {**first, "title": "Product training", "due_days": 10, **second}]


@pytest.mark.parametrize("due_days", [3651, 10**9, 10**30, -1, True, False, 5.0, "5", None])
def test_a_due_day_that_is_no_whole_number_of_days_from_0_to_3650_is_refused(due_days):
    with pytest.raises(ApplicationError) as refused:
        services.onboarding_template_validate(template_tasks(due_days=due_days))
    assert refused.value.message == DUE_DAY_REFUSED
    assert refused.value.field == "tasks"


def test_a_due_day_of_0_to_3650_days_passes():
    services.onboarding_template_validate(template_tasks(due_days=3650))


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        ([], "The template needs at least one task."),
        ({"title": "Laptop"}, "The template needs at least one task."),
        (template_tasks(title="  "), "Task 2: the title is required."),
        (template_tasks(title=7), "Task 2: the title is required."),
        (["Laptop"], "Task 1: the title is required."),
        (template_tasks(title="x" * 201), "Task 2: the title must be at most 200 characters."),
        (
            template_tasks(owner="boss"),
            "Task 2: the owner must be one of: Manager (manager), HR (hr), New rep (rep).",
        ),
        (
            template_tasks(kind="party"),
            "Task 2: the kind must be one of: Product training (training), Customer "
            "introduction (introduction), First solo visits (solo_visit), Other (other).",
        ),
    ],
)
def test_a_template_task_that_cannot_become_a_plan_task_is_refused_by_its_number(tasks, message):
    with pytest.raises(ApplicationError) as refused:
        services.onboarding_template_validate(tasks)
    assert refused.value.message == message
    assert refused.value.field == "tasks"


@pytest.fixture
def template_slipped_through(db):
    """The default template with a due day no one meant (stored before the check, or by hand)."""
    template = services.onboarding_template_default()
    template.tasks = template_tasks(due_days=10**9)
    template.save(update_fields=["tasks"])
    return template


def _not_hired(application, candidate) -> None:
    application.refresh_from_db()
    candidate.refresh_from_db()
    assert application.stage == "sourced"
    assert candidate.existing_rep is None
    assert not OnboardingPlan.objects.exists()


def test_hiring_with_a_template_that_slipped_through_says_what_to_correct_on_the_page(
    hr_client, application, board_candidate, template_slipped_through
):
    response = hr_client.post(
        reverse("handover:application_move", args=[application.pk]),
        {"stage": "hired"},
        follow=True,
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert (
        'The onboarding template "Standard sales onboarding" needs correcting before a plan '
        f"can be made from it. {DUE_DAY_REFUSED}"
    ) in page
    _not_hired(application, board_candidate)


def test_hiring_with_a_template_that_slipped_through_is_a_400_in_the_api(
    hr_api, application, board_candidate, template_slipped_through
):
    response = hr_api.post(
        f"/api/applications/{application.pk}/stage/", {"stage": "hired"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].endswith(DUE_DAY_REFUSED)
    _not_hired(application, board_candidate)


@pytest.mark.parametrize("day", ["9999-12-25", "0001-01-01"])
def test_a_start_date_off_the_calendar_is_refused_under_its_name(
    hr_client, hr_api, application, board_candidate, day
):
    """Near 9999 the plan's due dates overflowed (a 500); a rep hired in the year 1 made the
    cost of departures a 500 for everyone."""
    refused = (
        f"The start date {day} is not a date Relay takes: choose one from 1900-01-01 to 2100-12-31."
    )
    data = {"stage": "hired", "start_date": day}
    url = reverse("handover:application_move", args=[application.pk])
    page = hr_client.post(url, data, follow=True)
    assert page.status_code == 200
    assert refused in page.content.decode()
    response = hr_api.post(f"/api/applications/{application.pk}/stage/", data, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": refused, "field": "start_date"}
    _not_hired(application, board_candidate)


def test_the_admin_refuses_a_template_task_with_a_due_day_past_3650_under_the_tasks(
    client, admin_user
):
    client.force_login(admin_user)
    data = {"name": "Field sales", "tasks": json.dumps(template_tasks(due_days=99999999999))}
    response = client.post(reverse("admin:handover_onboardingtemplate_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"tasks": [DUE_DAY_REFUSED]}
    assert not OnboardingTemplate.objects.filter(name="Field sales").exists()
    data["tasks"] = json.dumps(template_tasks(due_days=3650))
    response = client.post(reverse("admin:handover_onboardingtemplate_add"), data)
    assert response.status_code == 302
    assert OnboardingTemplate.objects.get(name="Field sales").tasks[1]["due_days"] == 3650


# --- refusals are sentences ----------------------------------------------------------------------


def test_rehiring_a_rep_who_has_an_onboarding_plan_is_refused_in_a_sentence(
    hr_client, hr_api, vacancy_north, rep_b
):
    """Nothing half-written: the rep keeps their team and their one plan."""
    services.onboarding_plan_create(
        rep=rep_b, start_date=dt.date(2026, 1, 5), template=services.onboarding_template_default()
    )
    candidate = internal_candidate(rep_b)
    application = services.application_create(vacancy=vacancy_north, candidate=candidate)
    refused = f"{rep_b} already has an onboarding plan."
    page = hr_client.post(
        reverse("handover:application_move", args=[application.pk]), {"stage": "hired"}, follow=True
    )
    assert refused in _page_text(page)
    response = hr_api.post(
        f"/api/applications/{application.pk}/stage/", {"stage": "hired"}, format="json"
    )
    assert response.status_code == 400 and response.json() == {"detail": refused}
    application.refresh_from_db()
    rep_b.refresh_from_db()
    assert application.stage == "sourced" and rep_b.team != vacancy_north.team
    assert OnboardingPlan.objects.filter(rep=rep_b).count() == 1


def test_a_closed_application_says_in_a_sentence_that_it_cannot_move(hr_api, application):
    services.application_move(application=application, to_stage="rejected")
    response = hr_api.post(
        f"/api/applications/{application.pk}/stage/", {"stage": "interview"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        f"Jo Board's application to {application.vacancy} is Rejected; it cannot move."
    )


def test_a_field_the_service_does_not_change_is_refused_in_a_sentence(
    vacancy_north, board_candidate
):
    with pytest.raises(ApplicationError) as refused:
        services.vacancy_update(vacancy=vacancy_north, team=None, opened_on=None)
    assert refused.value.message == "These fields cannot be changed here: opened_on, team."
    with pytest.raises(ApplicationError) as refused:
        services.candidate_update(candidate=board_candidate, status="hired")
    assert refused.value.message == "These fields cannot be changed here: status."
