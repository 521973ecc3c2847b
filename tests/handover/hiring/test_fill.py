"""Filling a vacancy closes the rest of its pipeline; the move list points forward."""

import datetime as dt

import time_machine
from django.urls import reverse

from handover.hiring import selectors, services
from handover.models import Application, Candidate, StageChange

Stage = Application.Stage


@time_machine.travel(dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC), tick=False)
def test_filling_a_vacancy_closes_the_other_applications_with_the_reason(
    vacancy_north, vacancy_south, bench_candidate, board_candidate, hr_user
):
    other = services.candidate_create(first_name="Ola", last_name="Offer", source="agency")
    hired = services.application_create(vacancy=vacancy_north, candidate=bench_candidate)
    at_offer = services.application_create(vacancy=vacancy_north, candidate=other)
    for stage in (Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER):
        services.application_move(application=at_offer, to_stage=stage, by=hr_user)
    sourced = services.application_create(vacancy=vacancy_north, candidate=board_candidate)
    # Jo is also in another pipeline: back in the pool means "in a hiring process" there.
    services.application_create(vacancy=vacancy_south, candidate=board_candidate)

    services.application_move(application=hired, to_stage=Stage.HIRED, by=hr_user)

    for application in (at_offer, sourced):
        application.refresh_from_db()
        assert application.stage == Stage.REJECTED
        last = StageChange.objects.filter(application=application).last()
        assert last.note == "Position filled" and last.changed_by == hr_user
    other.refresh_from_db()
    board_candidate.refresh_from_db()
    assert other.status == Candidate.Status.AVAILABLE
    assert board_candidate.status == Candidate.Status.IN_PROCESS
    assert vacancy_south.applications.get().stage == Stage.SOURCED


def test_the_move_list_defaults_to_the_next_stage(client, vacancy_north, bench_candidate, hr_user):
    application = services.application_create(vacancy=vacancy_north, candidate=bench_candidate)
    assert selectors.application_next_stage(application=application) == Stage.SCREENING
    services.application_move(application=application, to_stage=Stage.OFFER, by=hr_user)
    application.refresh_from_db()
    assert selectors.application_next_stage(application=application) == Stage.HIRED

    client.force_login(hr_user)
    page = client.get(reverse("handover:application_detail", args=[application.pk]))
    assert '<option value="hired" selected>' in page.content.decode()
    assert '<option value="sourced" selected>' not in page.content.decode()
