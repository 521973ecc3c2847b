"""A small organisation with 18 months of history in the database, for the risk tests.

Reps who resign show the classic signs in their last 80 days (fewer activities, longer leave,
single days off on Mondays); the others work steadily. Deterministic: no random numbers.
"""

import datetime as dt
import subprocess
from collections.abc import Iterator

import pytest

from accounts.models import Team
from retention.models import Activity, LeaveRecord, SalesRep
from tests.conftest import make_rep, running_celery_worker

AS_OF = dt.date(2025, 12, 28)  # a Sunday
START = dt.date(2024, 7, 1)  # a Monday


def _week_mondays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = (end - start).days // 7
    return [start + dt.timedelta(weeks=i) for i in range(days + 1)]


def add_history(
    rep: SalesRep,
    *,
    until: dt.date,
    strained_from: dt.date | None,
    signs: frozenset[str] = frozenset({"activity", "leave"}),
) -> None:
    """Weekly activities and monthly leave from START (or hire) to ``until``; from
    ``strained_from`` the strain shows in the ``signs`` given (fewer activities, more leave)."""
    activities = []
    leave = []
    first = max(START, rep.hire_date)
    for number, monday in enumerate(_week_mondays(first, until)):
        strained = strained_from is not None and monday >= strained_from
        quiet = strained and "activity" in signs
        strained = strained and "leave" in signs
        count = 2 if quiet else 6 + (rep.pk + number) % 2
        for i in range(count):
            when = dt.datetime.combine(monday + dt.timedelta(days=i % 5), dt.time(10), dt.UTC)
            if when.date() > until:
                continue
            kind = Activity.Kind.VISIT if i == 0 else Activity.Kind.CALL
            activities.append(
                Activity(rep=rep, kind=kind, occurred_at=when, duration_minutes=60 if i == 0 else 5)
            )
        if number % 4 == 2:
            length = 5 if strained else 1
            first_day = monday + dt.timedelta(days=0 if strained else 2)
            if first_day + dt.timedelta(days=length - 1) <= until:
                leave.append(
                    LeaveRecord(
                        rep=rep,
                        first_day=first_day,
                        last_day=first_day + dt.timedelta(days=length - 1),
                    )
                )
        if strained and number % 4 == 0 and monday + dt.timedelta(days=4) <= until:
            leave.append(LeaveRecord(rep=rep, first_day=monday, last_day=monday))
    Activity.objects.bulk_create(activities, batch_size=5000)
    LeaveRecord.objects.bulk_create(leave)


def build_org(
    teams: list[Team],
    *,
    leavers: int,
    stayers: int,
    as_of: dt.date = AS_OF,
    mixed_signs: bool = False,
) -> list[SalesRep]:
    """``stayers`` steady reps and ``leavers`` who resign at dates spread over the history.
    ``mixed_signs``: each leaver shows one sign only, fewer activities or more leave, in turn,
    so no single signal finds them all and a model of several must beat each one alone."""
    reps = []
    span = (as_of - dt.timedelta(days=20)) - (START + dt.timedelta(days=200))
    for i in range(stayers):
        rep = make_rep(teams[i % len(teams)], f"Stay{i}", "Steady", annual_quota=300_000)
        add_history(rep, until=as_of, strained_from=None)
        reps.append(rep)
    for i in range(leavers):
        last_day = START + dt.timedelta(days=200) + span * (i + 1) / (leavers + 1)
        rep = make_rep(
            teams[i % len(teams)],
            f"Leave{i}",
            "Leaver",
            annual_quota=300_000,
            status=SalesRep.Status.LEFT,
            departure_date=last_day,
            departure_reason=SalesRep.DepartureReason.VOLUNTARY,
        )
        signs = frozenset({("activity", "leave")[i % 2]}) if mixed_signs else None
        add_history(
            rep,
            until=last_day,
            strained_from=last_day - dt.timedelta(days=80),
            **({"signs": signs} if signs else {}),
        )
        reps.append(rep)
    return reps


@pytest.fixture
def mixed_signs_org(team_north_a, team_north_b, team_south_a, rep_a, rep_a2, rep_b):
    """Like ``large_org``, but each leaver shows one warning sign only (see ``build_org``)."""
    teams = [team_north_a, team_north_b, team_south_a]
    for rep in (rep_a, rep_a2, rep_b):
        add_history(rep, until=AS_OF, strained_from=None)
    return [rep_a, rep_a2, rep_b, *build_org(teams, leavers=24, stayers=21, mixed_signs=True)]


@pytest.fixture
def small_org(team_north_a, team_north_b, team_south_a, rep_a, rep_a2, rep_b) -> list[SalesRep]:
    """The cast's three reps (steady) plus five steady reps and three leavers: too few to
    train on, so the rules score them."""
    teams = [team_north_a, team_north_b, team_south_a]
    for rep in (rep_a, rep_a2, rep_b):
        add_history(rep, until=AS_OF, strained_from=None)
    return [rep_a, rep_a2, rep_b, *build_org(teams, leavers=3, stayers=5)]


@pytest.fixture
def large_org(team_north_a, team_north_b, team_south_a, rep_a, rep_a2, rep_b) -> list[SalesRep]:
    """Enough resignations (24) to train a model."""
    teams = [team_north_a, team_north_b, team_south_a]
    for rep in (rep_a, rep_a2, rep_b):
        add_history(rep, until=AS_OF, strained_from=None)
    return [rep_a, rep_a2, rep_b, *build_org(teams, leavers=24, stayers=21)]


@pytest.fixture
def killable_worker(needs_postgres, needs_redis, transactional_db) -> Iterator[subprocess.Popen]:
    """A real Celery worker (solo pool) scoring one rep per chunk, that the test may kill."""
    with running_celery_worker(
        needs_redis,
        log_name="test-risk-worker.log",
        extra_env={"RELAY_RISK_CHUNK_SIZE": "1"},
    ) as proc:
        yield proc
