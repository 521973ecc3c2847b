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


def test_a_thin_tail_of_meetings_booked_ahead_of_the_export_is_not_history(team_north_a):
    """An export taken about 20 days ago: twelve weeks of work (eight activities a working day,
    one at weekends), then only meetings booked ahead, one or two a day, three on Mondays. The
    data end on the export's day, not on today's booked meeting, with the tail or without it;
    and a busy last day ends the data on it, as before."""
    today = timezone.localdate()
    export = today - dt.timedelta(days=20)
    while export.weekday() >= 5:  # a working day (a weekend's few activities end no data)
        export -= dt.timedelta(days=1)
    reps = [make_rep(team_north_a, f"Rep{n}", "Busy") for n in range(4)]
    rows = []
    for back in range(84):
        day = export - dt.timedelta(days=back)
        count = 8 if day.weekday() < 5 else 1
        rows += [
            Activity(rep=reps[n % 4], kind="call", occurred_at=_at(day, 9 + n % 8))
            for n in range(count)
        ]
    for ahead in range(1, (today - export).days + 1):
        day = export + dt.timedelta(days=ahead)
        count = 3 if day.weekday() == 0 else 1 + ahead % 2
        rows += [
            Activity(rep=reps[n], kind="meeting", occurred_at=_at(day, 11)) for n in range(count)
        ]
    Activity.objects.bulk_create(rows)
    assert risk_history_end() == export
    Activity.objects.filter(kind="meeting").delete()
    assert risk_history_end() == export
    # A normal last day, busy as the others, ends the data where it is.
    Activity.objects.bulk_create(
        Activity(rep=reps[n % 4], kind="call", occurred_at=_at(today, 10)) for n in range(8)
    )
    assert risk_history_end() == today
