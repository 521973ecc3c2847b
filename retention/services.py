"""Writes to reps, customers and assignments. Views, APIs, imports and tasks call these."""

import datetime as dt
from functools import partial

from django.db import transaction

from accounts.models import User
from retention.events import rep_departed
from retention.models import SalesRep


@transaction.atomic
def rep_record_departure(
    *,
    rep: SalesRep,
    departure_date: dt.date,
    reason: str,
    recorded_by: User | None = None,
    today: dt.date | None = None,
) -> SalesRep:
    """Record (or move) a rep's last day and announce it, once committed, as ``rep_departed``.

    A last day in the future means the rep is serving notice; in the past, that they have left.
    Recording the same date and reason again changes nothing and announces nothing.
    """
    if reason not in SalesRep.DepartureReason.values:
        raise ValueError(
            f"reason {reason!r} is not one of {', '.join(SalesRep.DepartureReason.values)}"
        )
    if departure_date < rep.hire_date:
        raise ValueError(f"last day {departure_date} is before the hire date {rep.hire_date}")
    today = today or dt.date.today()
    status = SalesRep.Status.LEFT if departure_date <= today else SalesRep.Status.NOTICE
    if (rep.departure_date, rep.departure_reason, rep.status) == (departure_date, reason, status):
        return rep
    rep.departure_date = departure_date
    rep.departure_reason = reason
    rep.status = status
    rep.save(update_fields=["departure_date", "departure_reason", "status", "updated_at"])
    transaction.on_commit(
        partial(
            rep_departed.send,
            sender=SalesRep,
            rep_id=rep.pk,
            departure_date=departure_date,
            reason=reason,
            recorded_by_id=recorded_by.pk if recorded_by else None,
        )
    )
    return rep


def rep_create(
    *,
    team_id: int,
    first_name: str,
    last_name: str,
    hire_date: dt.date,
    email: str = "",
    title: str = "",
    region: str = "",
    annual_quota: float | int = 0,
    hr_employee_id: str = "",
) -> SalesRep:
    """Create a rep (a new hire). Names are required; the region defaults to the team's."""
    from accounts.models import Team

    if not first_name.strip() or not last_name.strip():
        raise ValueError("first_name and last_name are required")
    team = Team.objects.get(pk=team_id)
    rep = SalesRep(
        team=team,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        title=title,
        region=region or team.region,
        hire_date=hire_date,
        annual_quota=annual_quota,
        hr_employee_id=hr_employee_id,
    )
    rep.full_clean(exclude=["user"])
    rep.save()
    return rep
