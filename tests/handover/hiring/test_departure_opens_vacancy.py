"""A departure recorded in retention opens a vacancy here, through the rep_departed event."""

import datetime as dt

import pytest
import time_machine

from handover.models import Vacancy
from retention.services import rep_record_departure


@time_machine.travel(dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC), tick=False)
@pytest.mark.django_db(transaction=True)
def test_recording_a_departure_opens_one_vacancy_linked_to_rep_team_and_territory(rep_a, manager_a):
    rep_record_departure(
        rep=rep_a,
        departure_date=dt.date(2026, 4, 30),
        reason="voluntary",
        today=dt.date(2026, 4, 1),
    )
    vacancy = Vacancy.objects.get(leaving_rep=rep_a)
    assert vacancy.status == Vacancy.Status.OPEN
    assert vacancy.reason == Vacancy.Reason.DEPARTURE
    assert vacancy.team == rep_a.team
    assert vacancy.region == "North"
    assert "North A" in vacancy.territory
    assert vacancy.opened_on == dt.date(2026, 4, 1)
    assert vacancy.hiring_manager == manager_a  # manages the region above the team
    assert vacancy.target_fill_date == dt.date(2026, 4, 30) + dt.timedelta(days=60)


@time_machine.travel(dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC), tick=False)
@pytest.mark.django_db(transaction=True)
def test_a_repeated_or_moved_departure_does_not_open_a_second_vacancy(rep_a):
    rep_record_departure(rep=rep_a, departure_date=dt.date(2026, 4, 30), reason="voluntary")
    rep_record_departure(rep=rep_a, departure_date=dt.date(2026, 5, 15), reason="voluntary")
    assert Vacancy.objects.filter(leaving_rep=rep_a).count() == 1


@time_machine.travel(dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_event_is_sent_on_commit(rep_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rep_record_departure(rep=rep_a, departure_date=dt.date(2026, 4, 30), reason="voluntary")
    assert not Vacancy.objects.filter(leaving_rep=rep_a).exists()
    for callback in callbacks:
        callback()
    assert Vacancy.objects.filter(leaving_rep=rep_a).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_departure_from_history_opens_no_vacancy_and_drafts_no_plan(rep_a, admin_user):
    from django.test import override_settings

    from handover.models import HandoverPlan

    long_ago = dt.date(2024, 1, 31)
    with override_settings(RELAY_VACANCY_WINDOW_DAYS=90):
        rep_record_departure(
            rep=rep_a,
            departure_date=long_ago,
            reason="voluntary",
            recorded_by=admin_user,
            today=dt.date(2026, 12, 1),
        )
    assert not Vacancy.objects.filter(leaving_rep=rep_a).exists()
    assert not HandoverPlan.objects.filter(rep=rep_a).exists()
