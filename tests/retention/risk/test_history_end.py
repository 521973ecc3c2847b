"""``risk_history_end``: the newest activity (each rep's newest, read from the rep index), deal
or service record dated no later than today."""

import datetime as dt

import pytest
from django.utils import timezone

from retention.models import Activity, SalesRep
from retention.risk.selectors import risk_history_end
from tests.conftest import make_rep

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_newest_activity_over_all_reps_future_dated_left_out(team_north_a, team_south_a):
    today = timezone.localdate()
    early = make_rep(team_north_a, "Early", "Rep")
    late = make_rep(
        team_south_a,
        "Late",
        "Rep",
        status=SalesRep.Status.LEFT,
        departure_date=today - dt.timedelta(days=2),
    )
    make_rep(team_north_a, "Quiet", "Rep")  # no activity at all
    Activity.objects.bulk_create(
        [
            Activity(rep=early, kind="call", occurred_at=_at(today - dt.timedelta(days=9))),
            Activity(rep=early, kind="call", occurred_at=_at(today - dt.timedelta(days=30))),
            # A rep who has left still dates the data.
            Activity(rep=late, kind="call", occurred_at=_at(today - dt.timedelta(days=4))),
            # Booked in the future: not data.
            Activity(rep=early, kind="meeting", occurred_at=_at(today + dt.timedelta(days=3))),
            Activity(rep=late, kind="meeting", occurred_at=_at(today + dt.timedelta(days=1), 0)),
        ]
    )
    assert risk_history_end() == today - dt.timedelta(days=4)
    # Later today is still today.
    Activity.objects.create(rep=early, kind="call", occurred_at=_at(today, 23))
    assert risk_history_end() == today


def test_no_data_no_end(team_north_a):
    make_rep(team_north_a, "Only", "Rep")
    assert risk_history_end() is None
