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
from retention.knowledge.selectors import knowledge_current_for, part_labels
from retention.models import Activity, Assignment, CustomerKnowledge, Deal, SalesRep
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
    """The plan's items in rank order, each with its customer's current knowledge."""
    items = list(
        plan.items.select_related(
            "customer",
            "suggested_rep",
            "suggested_manager",
            "chosen_rep",
            "chosen_manager",
        ).order_by("rank")
    )
    return attach_knowledge(items=items)


def item_get(*, plan: HandoverPlan, item_id: int) -> HandoverItem:
    item = get_object_or_404(
        plan.items.select_related("customer", "chosen_rep", "chosen_manager"), pk=item_id
    )
    return attach_knowledge(items=[item])[0]


def plan_missing_notes(*, items: list[HandoverItem]) -> list[HandoverItem]:
    """Key accounts whose customer has no complete note (a part blank, or none written); the
    items carry their knowledge (``attach_knowledge``)."""
    return [i for i in items if i.customer.is_key_account and not i.note_complete]


def plan_draft_for_rep(*, rep: SalesRep) -> HandoverPlan | None:
    return HandoverPlan.objects.filter(rep=rep, status=HandoverPlan.Status.DRAFT).first()


# --- recipients the user may choose --------------------------------------------------------


def recipient_reps(*, user: User, plan: HandoverPlan) -> QuerySet[SalesRep]:
    """Reps in the user's scope who can take customers: not the departing rep, and nobody
    serving notice or gone (``SalesRep.is_departing``; a last day recorded counts as notice)."""
    return (
        reps_visible(user=user)
        .exclude(pk=plan.rep_id)
        .staying()
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
    open_deals = Deal.objects.open().filter(customer_id__in=customer_ids)
    for customer_id, amount, stage in open_deals.values_list("customer_id", "amount", "stage"):
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


# --- the customers' knowledge, as the plan's items read it ----------------------------------


def attach_knowledge(*, items: list[HandoverItem]) -> list[HandoverItem]:
    """``knowledge`` (the customer's current note, or None), ``note_complete`` and
    ``note_parts`` ((part, label, text) in order) on each item: a note is complete when a
    person has written every part of it. One query."""
    current = knowledge_current_for(customer_ids=[i.customer_id for i in items])
    labels = part_labels()
    for item in items:
        item.knowledge = current.get(item.customer_id)
        item.note_complete = item.knowledge is not None and item.knowledge.is_complete
        item.note_parts = [
            (part, labels[part], getattr(item.knowledge, part) if item.knowledge else "")
            for part in CustomerKnowledge.PARTS
        ]
    return items


# --- what applying moves ---------------------------------------------------------------------

# Roles that cover a customer for the time being, until a successor takes it over.
COVER_ROLES = (Assignment.Role.TEMPORARY_COVER, Assignment.Role.MANAGER_COVER)


def plan_source_rep_ids(*, plan: HandoverPlan, items: list[HandoverItem]) -> set[int]:
    """The reps whose open deals and activities the plan hands on: the departing rep, and for a
    successor's plan the temporary covers it ends (all but a cover who is the recipient)."""
    rep_ids = {plan.rep_id}
    if plan.origin != HandoverPlan.Origin.SUCCESSOR:
        return rep_ids
    chosen = {i.customer_id: i.chosen_rep_id for i in items}
    for customer_id, rep_id in Assignment.objects.filter(
        customer_id__in=list(chosen),
        valid_to__isnull=True,
        role__in=COVER_ROLES,
        rep__isnull=False,
    ).values_list("customer_id", "rep_id"):
        if rep_id != chosen.get(customer_id):
            rep_ids.add(rep_id)
    return rep_ids


@dataclass
class Moves:
    """Per customer, the open deals and the activities still to come that move to its rep
    recipient (a manager covering takes neither: deals and activities belong to reps)."""

    deals: dict[int, list[int]]
    activities: dict[int, list[int]]
    deal_amount: Decimal


def plan_moves(*, plan: HandoverPlan, items: list[HandoverItem], now: dt.datetime) -> Moves:
    from_rep_ids = plan_source_rep_ids(plan=plan, items=items)
    to_rep = [i for i in items if i.chosen_rep_id]
    deal_customers = [i.customer_id for i in to_rep if i.move_open_deals]
    activity_customers = [i.customer_id for i in to_rep if i.move_open_activities]
    deals: dict[int, list[int]] = defaultdict(list)
    amount = Decimal(0)
    for deal_id, customer_id, deal_amount in Deal.objects.open().filter(
        customer_id__in=deal_customers, owner_id__in=from_rep_ids
    ).values_list("pk", "customer_id", "amount"):
        deals[customer_id].append(deal_id)
        amount += deal_amount or 0
    activities: dict[int, list[int]] = defaultdict(list)
    for activity_id, customer_id in Activity.objects.live().filter(
        customer_id__in=activity_customers, rep_id__in=from_rep_ids, occurred_at__gte=now
    ).values_list("pk", "customer_id"):
        activities[customer_id].append(activity_id)
    return Moves(deals=dict(deals), activities=dict(activities), deal_amount=amount)


@dataclass
class Impact:
    """What "Approve and apply" will do, for the confirmation."""

    customers: int
    key_accounts: int
    revenue: Decimal
    open_deals: int
    open_deal_amount: Decimal
    activities: int
    recipients: int
    temporary: int
    missing_notes: list[HandoverItem]


def plan_apply_impact(*, plan: HandoverPlan, items: list[HandoverItem], now: dt.datetime) -> Impact:
    """The items must carry their knowledge (``attach_knowledge``)."""
    moves = plan_moves(plan=plan, items=items, now=now)
    recipients = {(i.chosen_rep_id, i.chosen_manager_id) for i in items if i.recipient}
    return Impact(
        customers=len(items),
        key_accounts=sum(1 for i in items if i.customer.is_key_account),
        revenue=sum((i.customer.annual_revenue for i in items), start=Decimal(0)),
        open_deals=sum(len(ids) for ids in moves.deals.values()),
        open_deal_amount=moves.deal_amount,
        activities=sum(len(ids) for ids in moves.activities.values()),
        recipients=len(recipients),
        temporary=sum(1 for i in items if i.mode == HandoverItem.Mode.TEMPORARY),
        missing_notes=plan_missing_notes(items=items),
    )
