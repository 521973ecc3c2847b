"""Reads for handover plans, always narrowed to what the asking user may see."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import get_visible_or_404, narrow, users_visible_to
from accounts.models import User
from handover.models import HandoverItem, HandoverPlan, TeamCapacity
from handover.plans.suggestions import Candidate, CustomerFacts, OpenDeal
from retention.models import Assignment, Deal, SalesRep
from retention.ownership import selectors as ownership
from retention.ownership.policy import Scope
from retention.selectors import reps_visible, scoring_run_latest_complete


def plans_visible(*, user: User) -> QuerySet[HandoverPlan]:
    """Plans for reps the user may see: all for admins and HR, their teams' reps for managers."""
    plans = HandoverPlan.objects.select_related(
        "rep", "rep__team", "created_by", "approved_by", "reversed_by"
    )
    return narrow(plans, user=user, team_field="rep__team_id")


def plan_get_visible(*, user: User, plan_id: int) -> HandoverPlan:
    return get_visible_or_404(plans_visible(user=user), pk=plan_id)


def plan_list(*, user: User, status: str = "") -> QuerySet[HandoverPlan]:
    plans = plans_visible(user=user).annotate(item_count=Count("items"))
    if status:
        plans = plans.filter(status=status)
    return plans.order_by("-created_at", "-id")


def plan_items(*, plan: HandoverPlan) -> list[HandoverItem]:
    return list(
        plan.items.select_related(
            "customer",
            "suggested_rep",
            "suggested_manager",
            "chosen_rep",
            "chosen_manager",
            "note_confirmed_by",
        ).order_by("rank")
    )


def item_get(*, plan: HandoverPlan, item_id: int) -> HandoverItem:
    return get_object_or_404(
        plan.items.select_related("customer", "chosen_rep", "chosen_manager"), pk=item_id
    )


def plan_missing_notes(*, items: list[HandoverItem]) -> list[HandoverItem]:
    """Key accounts whose handover note is not yet written (or has a blank part)."""
    return [i for i in items if i.customer.is_key_account and not i.note_complete]


def plan_draft_for_rep(*, rep: SalesRep) -> HandoverPlan | None:
    return HandoverPlan.objects.filter(rep=rep, status=HandoverPlan.Status.DRAFT).first()


# --- recipients the user may choose --------------------------------------------------------


def recipient_reps(*, user: User, plan: HandoverPlan) -> QuerySet[SalesRep]:
    """Reps in the user's scope who can take customers: not the departing rep, and nobody
    serving notice or gone (a last day recorded counts as notice)."""
    return (
        reps_visible(user=user)
        .exclude(pk=plan.rep_id)
        .exclude(status__in=[SalesRep.Status.LEFT, SalesRep.Status.NOTICE])
        .filter(departure_date__isnull=True)
        .order_by("team__name", "last_name", "first_name")
    )


def managers_in_scope(*, user: User) -> QuerySet[User]:
    """Sales managers the user may name (``accounts.access.users_visible_to``): all of them for
    admins and HR; for a manager, themselves and the managers of teams in their scope."""
    return users_visible_to(user=user).filter(role=User.Role.SALES_MANAGER)


# --- facts for ranking and suggestions ------------------------------------------------------


@dataclass
class RepHoldings:
    assignments: dict[int, Assignment]  # customer id -> the rep's current assignment
    facts: list[CustomerFacts]


def rep_holdings(*, rep: SalesRep) -> RepHoldings:
    """The rep's current customers with open deals and their other holders (backups and
    covers, from ``retention.ownership``): three queries in all."""
    assignments = {a.customer_id: a for a in ownership.rep_current_assignments(rep=rep)}
    customer_ids = list(assignments)
    deals: dict[int, list[OpenDeal]] = defaultdict(list)
    for customer_id, amount, stage in Deal.objects.filter(
        customer_id__in=customer_ids, status=Deal.Status.OPEN
    ).values_list("customer_id", "amount", "stage"):
        deals[customer_id].append(OpenDeal(amount=amount, stage=stage))
    relationships = ownership.relationships_current(
        customer_ids=customer_ids, exclude_rep_id=rep.pk
    )
    facts = [
        CustomerFacts(
            customer_id=a.customer_id,
            name=a.customer.name,
            is_key_account=a.customer.is_key_account,
            annual_revenue=a.customer.annual_revenue,
            held_since=a.valid_from,
            open_deals=tuple(deals.get(a.customer_id, ())),
            relationships=tuple(relationships.get(a.customer_id, ())),
        )
        for a in assignments.values()
    ]
    return RepHoldings(assignments=assignments, facts=facts)


def capacity_limits(*, team_ids: set[int]) -> dict[int, tuple[int, Decimal]]:
    """(most accounts, most revenue) per team; a team's override wins over the settings."""
    default_accounts = settings.RELAY_HANDOVER_MAX_ACCOUNTS
    default_revenue = Decimal(str(settings.RELAY_HANDOVER_MAX_REVENUE))
    limits = {team_id: (default_accounts, default_revenue) for team_id in team_ids}
    for override in TeamCapacity.objects.filter(team_id__in=team_ids):
        accounts, revenue = limits[override.team_id]
        limits[override.team_id] = (
            accounts if override.max_accounts is None else override.max_accounts,
            revenue if override.max_revenue is None else override.max_revenue,
        )
    return limits


def candidates_for(*, team_id: int, extra_rep_ids: set[int]) -> dict[int, Candidate]:
    """The team's reps and the given others (backups), as the ownership policy reads them:
    status and last day, current risk band, current load and their team's limits."""
    reps = Q(team_id=team_id) | Q(pk__in=extra_rep_ids)
    team_ids = set(SalesRep.objects.filter(reps).values_list("team_id", flat=True))
    return ownership.recipient_candidates(
        reps=reps, run=scoring_run_latest_complete(), limits=capacity_limits(team_ids=team_ids)
    )


def suggestion_scope(
    *,
    manager: User | None,
    created_by: User | None,
    candidates: dict[int, Candidate],
    manager_ids: set[int],
) -> Scope:
    """Whom a draft may suggest: the people the team's manager may see. Every manager who can
    open the plan manages the rep's team or a team above it, so sees at least that much; the
    suggestions then name nobody any of them may not see. Without a team manager: the
    drafter's scope (everyone for HR, admins and nightly jobs)."""
    return ownership.recipient_scope(
        user=manager or created_by, candidates=candidates.values(), manager_ids=manager_ids
    )


# --- briefs ---------------------------------------------------------------------------------


@dataclass
class Recipient:
    kind: str  # "rep" | "manager"
    id: int
    name: str
    items: list[HandoverItem]


def plan_recipients(*, items: list[HandoverItem]) -> list[Recipient]:
    """Items grouped by the recipient chosen for them, in rank order within each."""
    groups: dict[tuple[str, int], Recipient] = {}
    for item in items:
        if item.chosen_rep_id:
            key = ("rep", item.chosen_rep_id)
            name = item.chosen_rep.full_name
        elif item.chosen_manager_id:
            key = ("manager", item.chosen_manager_id)
            name = str(item.chosen_manager)
        else:
            continue
        groups.setdefault(key, Recipient(kind=key[0], id=key[1], name=name, items=[]))
        groups[key].items.append(item)
    return sorted(groups.values(), key=lambda r: r.name)


def recipient_items(*, items: list[HandoverItem], kind: str, recipient_id: int) -> list:
    if kind == "rep":
        return [i for i in items if i.chosen_rep_id == recipient_id]
    return [i for i in items if i.chosen_manager_id == recipient_id]


def days_until(*, day: dt.date | None, today: dt.date) -> int | None:
    return None if day is None else (day - today).days
