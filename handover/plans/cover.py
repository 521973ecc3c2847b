"""Writes of the coverage rows' actions: give a customer a backup, or a cover when nobody holds
it, choosing only among the people the ownership policy offers for it.

The choice is checked here, for pages and the API alike: the policy's ranking for this one
customer (``retention.ownership.selectors.recipients_ranked``, the one home of who should take a
customer over) in the acting user's scope, never someone who already holds the customer. The
assignment itself is written by ``retention.ownership.services``.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import ApplicationError
from handover.plans.selectors import capacity_limits
from retention.models import Assignment, Customer, SalesRep
from retention.ownership import policy
from retention.ownership import selectors as ownership
from retention.ownership import services as ownership_services
from retention.selectors import scoring_run_latest_complete


class CoverRefused(ApplicationError):
    """The person chosen may not back up or cover this customer; the message says why."""


def customer_choices(*, customer: Customer, user: User) -> list[ownership.Recommendation]:
    """Whom ``user`` may add to the customer as backup or cover, best first: the policy's
    low-risk team-mates of its holder (its owner, else its rep holder, else, when nobody holds
    it, its last rep holder) with room, then the team's manager; nobody who holds it now."""
    holder = ownership.customer_rep_holders(customer_ids=[customer.pk]).get(customer.pk)
    if holder is None:
        return []
    ranked = ownership.recipients_ranked(
        holdings=[holder],
        user=user,
        run=scoring_run_latest_complete(),
        limits=capacity_limits(team_ids={holder.rep.team_id}),
    )
    return [c for c in ranked.get(customer.pk, []) if c.kind != policy.Kind.BACKUP]


def _check_chosen(
    *, customer: Customer, user: User, rep: SalesRep | None, manager: User | None
) -> None:
    if (rep is None) == (manager is None):
        raise CoverRefused(_("Choose one rep or one manager."), field="recipient")
    choices = customer_choices(customer=customer, user=user)
    if rep is not None and any(c.rep_id == rep.pk for c in choices):
        return
    if manager is not None and any(c.manager_id == manager.pk for c in choices):
        return
    who = rep.full_name if rep is not None else str(manager)
    why = _why_not(customer=customer, user=user, rep=rep) if rep is not None else ""
    values = {"who": who, "customer": customer.name, "why": why}
    if why:
        message = _("%(who)s is not among the people Relay offers for %(customer)s (%(why)s).")
    else:
        message = _("%(who)s is not among the people Relay offers for %(customer)s.")
    raise CoverRefused(message % values, field="recipient")


def _why_not(*, customer: Customer, user: User, rep: SalesRep) -> str:
    holder = ownership.customer_rep_holders(customer_ids=[customer.pk]).get(customer.pk)
    if Assignment.objects.filter(customer=customer, rep=rep, valid_to__isnull=True).exists():
        return _("already holds it")
    candidates = ownership.recipient_candidates(
        reps=Q(pk=rep.pk),
        run=scoring_run_latest_complete(),
        limits=capacity_limits(team_ids={rep.team_id}),
    )
    candidate = candidates.get(rep.pk)
    if candidate is None or holder is None:
        return ""
    scope = ownership.recipient_scope(user=user, candidates=[candidate])
    refused = policy.refusal(candidate, holder_rep_id=holder.rep_id, scope=scope)
    if refused:
        # Translators: a person's name, then why they may not take the customer.
        return _("%(name)s %(refusal)s") % {"name": candidate.name, "refusal": refused}
    if candidate.team_id != holder.rep.team_id or candidate.region != holder.rep.region:
        return _("not of the holder's team and region")
    if candidate.band != policy.LOW:
        return _("not known to be low risk")
    return _("no room under the team's limits")


def customer_backup_add(
    *, customer: Customer, user: User, rep: SalesRep | None = None, manager: User | None = None
) -> Assignment:
    """Give the customer a second relationship: ``rep`` as backup, or ``manager`` (the
    policy's last resort) as manager cover. Refused unless the policy offers them."""
    _check_chosen(customer=customer, user=user, rep=rep, manager=manager)
    if rep is not None:
        return ownership_services.assignment_add_backup(
            customer_id=customer.pk, rep=rep, created_by=user
        )
    return ownership_services.assignment_cover_start(
        customer_id=customer.pk, manager=manager, created_by=user
    )


def customer_cover_assign(
    *, customer: Customer, user: User, rep: SalesRep | None = None, manager: User | None = None
) -> Assignment:
    """Cover a customer nobody holds: ``rep`` as temporary cover or ``manager`` as manager
    cover. Refused unless nobody holds it and the policy offers them."""
    if Assignment.objects.filter(customer=customer, valid_to__isnull=True).exists():
        raise CoverRefused(
            _("%(customer)s is held already: add a backup instead.") % {"customer": customer.name}
        )
    _check_chosen(customer=customer, user=user, rep=rep, manager=manager)
    return ownership_services.assignment_cover_start(
        customer_id=customer.pk, rep=rep, manager=manager, created_by=user
    )
