"""Hiring's refusals read as sentences that name the field as people do ("The rating must be a
whole number from 1 to 5."), on the page and in the API's 400 (which also names the field in
its own key); and an odd value (a word, a huge number, ``true``) is refused, never a 500."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from config.errors import ApplicationError
from handover.hiring import services
from handover.models import InterviewFeedback


@pytest.fixture
def hr_client(client, hr_user):
    client.force_login(hr_user)
    return client


@pytest.fixture
def hr_api(hr_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(hr_user)
    return client


@pytest.fixture
def application(vacancy_north, board_candidate):
    return services.application_create(vacancy=vacancy_north, candidate=board_candidate)


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
