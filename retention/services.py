"""Writes to reps, customers and assignments. Views, APIs, imports and tasks call these."""

import datetime as dt
import logging
from functools import partial

from django.db import transaction
from django.dispatch import Signal

from accounts.models import User
from retention.events import rep_departed
from retention.models import SalesRep

logger = logging.getLogger(__name__)


def _announce(event: Signal, **kwargs) -> None:
    """Send a domain event to every listener, even when one of them fails.

    The departure is already committed when this runs: one failing listener (say, opening the
    vacancy) must neither stop the others (drafting the handover plan) nor undo the departure.
    Failures are logged with their traceback.
    """
    for receiver, result in event.send_robust(**kwargs):
        if isinstance(result, Exception):
            logger.error("%s failed while handling %s", receiver, kwargs, exc_info=result)


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
            _announce,
            rep_departed,
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


def assignment_add_backup(
    *,
    customer_id: int,
    rep: SalesRep,
    created_by: User | None,
    valid_from: dt.date | None = None,
):
    """Give a customer a backup rep, so it no longer depends on a single relationship.

    Refused (ValueError naming the rep) if the rep has left or already holds the customer.
    """
    from retention.models import Assignment

    if rep.status == SalesRep.Status.LEFT:
        raise ValueError(f"rep: {rep.full_name} has left and cannot be a backup.")
    if Assignment.objects.filter(customer_id=customer_id, rep=rep, valid_to__isnull=True).exists():
        raise ValueError(f"rep: {rep.full_name} already holds this customer.")
    return Assignment.objects.create(
        customer_id=customer_id,
        rep=rep,
        role=Assignment.Role.BACKUP,
        valid_from=valid_from or dt.date.today(),
        source=Assignment.Source.MANUAL,
        created_by=created_by,
    )
