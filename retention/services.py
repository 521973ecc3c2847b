"""Writes to reps, customers and assignments. Views, APIs, imports and tasks call these."""

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import ApplicationError
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
    Recording the same date and reason again changes nothing and announces nothing. An empty
    reason means it is not known (a CRM user found inactive): such a rep is no voluntary leaver.
    The event says whether the seat is still to be filled (``opens_vacancy``): only when the
    last day is within ``RELAY_VACANCY_WINDOW_DAYS`` and no successor has joined the team since.
    """
    if reason and reason not in SalesRep.DepartureReason.values:
        raise ValueError(
            _("The reason for leaving must be one of: %(reasons)s.")
            % {"reasons": ", ".join(str(label) for label in SalesRep.DepartureReason.labels)}
        )
    if departure_date < rep.hire_date:
        raise ValueError(
            _("The last day (%(day)s) must not be before the hire date (%(hired)s).")
            % {"day": departure_date.isoformat(), "hired": rep.hire_date.isoformat()}
        )
    today = today or timezone.localdate()
    if SalesRep.last_day_too_far(departure_date, today=today):
        raise ValueError(
            _(
                "The last day (%(day)s) is more than two years after today (%(today)s): no "
                "notice period ends so late. Check the year."
            )
            % {"day": departure_date.isoformat(), "today": today.isoformat()}
        )
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
            opens_vacancy=departure_opens_vacancy(rep=rep, today=today),
        )
    )
    return rep


def departure_opens_vacancy(*, rep: SalesRep, today: dt.date) -> bool:
    """Whether a departure leaves a seat to fill: recent (within the vacancy window, a setting,
    default 90 days) and with nobody hired into the team since a month before the last day.
    Departures imported from years of HR history were refilled long ago."""
    window = dt.timedelta(days=settings.RELAY_VACANCY_WINDOW_DAYS)
    if rep.departure_date is None or rep.departure_date < today - window:
        return False
    successor = (
        SalesRep.objects.filter(
            team_id=rep.team_id, hire_date__gte=rep.departure_date - dt.timedelta(days=30)
        )
        .exclude(pk=rep.pk)
        .exclude(hire_date__lte=rep.hire_date)
        .exists()
    )
    return not successor


def team_history_follow(
    *, reps: list[SalesRep], on: dt.date, teams_before: dict[int, int] | None = None
) -> int:
    """Keep each rep's team history (team and manager) in step with where they are now.

    A rep with no history gets one from their hire date (from their earlier team, when the
    caller says which it was, until ``on``); a new team or a new manager closes the open entry
    on ``on`` and opens another. Returns how many entries were opened."""
    from accounts.org import team_managers
    from retention.models import TeamMembership

    if not reps:
        return 0
    teams_before = teams_before or {}
    managers = team_managers(team_ids={rep.team_id for rep in reps} | set(teams_before.values()))
    current = {
        entry.rep_id: entry
        for entry in TeamMembership.objects.filter(
            rep_id__in=[rep.pk for rep in reps], valid_to__isnull=True
        )
    }
    to_close: list[TeamMembership] = []
    to_open: list[TeamMembership] = []
    for rep in reps:
        manager = managers.get(rep.team_id)
        manager_id = manager.pk if manager else None
        entry = current.get(rep.pk)
        if entry is not None and (entry.team_id, entry.manager_id) == (rep.team_id, manager_id):
            continue
        start = on
        if entry is not None:
            entry.valid_to = max(on, entry.valid_from)
            entry.updated_at = timezone.now()
            to_close.append(entry)
            start = entry.valid_to
        elif rep.pk in teams_before and rep.hire_date < on:
            before = managers.get(teams_before[rep.pk])
            to_open.append(
                TeamMembership(
                    rep=rep,
                    team_id=teams_before[rep.pk],
                    manager_id=before.pk if before else None,
                    valid_from=rep.hire_date,
                    valid_to=on,
                )
            )
        else:
            start = min(rep.hire_date, on)
        to_open.append(
            TeamMembership(rep=rep, team_id=rep.team_id, manager_id=manager_id, valid_from=start)
        )
    if to_close:
        TeamMembership.objects.bulk_update(to_close, ["valid_to", "updated_at"])
    TeamMembership.objects.bulk_create(to_open)
    return sum(1 for entry in to_open if entry.valid_to is None)


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
        raise ApplicationError(
            _("The first name and the last name are required."), field="first_name"
        )
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
    team_history_follow(reps=[rep], on=timezone.localdate())
    return rep
