import datetime as dt

import pytest
import time_machine

from config.errors import ApplicationError
from retention.events import rep_departed
from retention.models import SalesRep
from retention.services import rep_create, rep_record_departure


@pytest.fixture
def departures():
    received: list[dict] = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    rep_departed.connect(receiver, dispatch_uid="test-departures")
    yield received
    rep_departed.disconnect(dispatch_uid="test-departures")


def test_future_last_day_means_serving_notice_and_is_announced_on_commit(
    rep_a, departures, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rep_record_departure(
            rep=rep_a,
            departure_date=dt.date(2030, 3, 31),
            reason="voluntary",
            today=dt.date(2030, 3, 1),
        )
    rep_a.refresh_from_db()
    assert rep_a.status == SalesRep.Status.NOTICE
    assert departures == [
        {
            "signal": rep_departed,
            "rep_id": rep_a.pk,
            "departure_date": dt.date(2030, 3, 31),
            "reason": "voluntary",
            "recorded_by_id": None,
            "opens_vacancy": True,  # a last day ahead, nobody hired since: a seat to fill
        }
    ]


def test_recording_the_same_departure_twice_announces_it_once(
    rep_a, departures, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            rep_record_departure(
                rep=rep_a,
                departure_date=dt.date(2024, 6, 30),
                reason="voluntary",
                today=dt.date(2024, 7, 1),
            )
    assert len(departures) == 1
    assert SalesRep.objects.get(pk=rep_a.pk).status == SalesRep.Status.LEFT


def test_departure_with_unknown_reason_is_refused(rep_a):
    with pytest.raises(
        ValueError,
        match=r"^The reason for leaving must be one of: Voluntary, Involuntary, Transfer\.$",
    ):
        rep_record_departure(rep=rep_a, departure_date=dt.date(2024, 6, 30), reason="bored")


def test_departure_before_hire_is_refused(rep_a):
    with pytest.raises(ValueError, match=r"before the hire date \(2022-01-10\)\.$"):
        rep_record_departure(rep=rep_a, departure_date=dt.date(2000, 1, 1), reason="voluntary")


def test_a_failing_listener_neither_stops_the_others_nor_undoes_the_departure(
    rep_a, django_capture_on_commit_callbacks, caplog
):
    heard: list[int] = []

    def broken(sender, **kwargs):
        raise RuntimeError("vacancy service is down")

    def listening(sender, rep_id, **kwargs):
        heard.append(rep_id)

    # Connected in this order, so the broken listener runs first.
    rep_departed.connect(broken, dispatch_uid="test-broken")
    rep_departed.connect(listening, dispatch_uid="test-listening")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            rep_record_departure(
                rep=rep_a,
                departure_date=dt.date(2024, 6, 30),
                reason="voluntary",
                today=dt.date(2024, 7, 1),
            )
    finally:
        rep_departed.disconnect(dispatch_uid="test-broken")
        rep_departed.disconnect(dispatch_uid="test-listening")
    assert heard == [rep_a.pk]
    assert SalesRep.objects.get(pk=rep_a.pk).status == SalesRep.Status.LEFT
    assert "vacancy service is down" in caplog.text


@pytest.mark.django_db
def test_a_last_day_is_past_or_to_come_by_the_organisations_local_date(rep_a, settings):
    """At 04:00 in Shanghai on 1 December it is still 30 November in UTC: a last day of
    1 December has come, so the rep has left, not serving notice."""
    settings.TIME_ZONE = "Asia/Shanghai"
    with time_machine.travel(dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC), tick=False):
        rep_record_departure(rep=rep_a, departure_date=dt.date(2026, 12, 1), reason="voluntary")
    rep_a.refresh_from_db()
    assert rep_a.status == SalesRep.Status.LEFT


@pytest.mark.parametrize(("first_name", "last_name"), [("", "Long"), ("Ada", "  ")])
def test_a_rep_without_a_first_or_last_name_is_refused_naming_the_first_name(
    team_north_a, first_name, last_name
):
    with pytest.raises(ApplicationError) as refused:
        rep_create(
            team_id=team_north_a.pk,
            first_name=first_name,
            last_name=last_name,
            hire_date=dt.date(2026, 4, 1),
        )
    assert refused.value.message == "The first name and the last name are required."
    assert refused.value.field == "first_name"
    assert not SalesRep.objects.exists()
