"""Reads for handover plans, always narrowed to what the asking user may see."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from accounts.access import get_visible_or_404, narrow, users_visible_to
from accounts.models import Team, User
from handover.models import HandoverItem, HandoverPlan, TeamCapacity
from handover.plans.suggestions import Candidate, CustomerFacts, OpenDeal
from retention.models import Assignment, Deal, SalesRep
from retention.selectors import reps_visible, risk_scores_current

# Roles that make a rep answerable for a customer, and so count against their capacity.
LOAD_ROLES = (Assignment.Role.OWNER, Assignment.Role.TEMPORARY_COVER)


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
    """Reps in the user's scope who can take customers: not the departing rep, not gone."""
    return (
        reps_visible(user=user)
        .exclude(pk=plan.rep_id)
        .exclude(status=SalesRep.Status.LEFT)
        .order_by("team__name", "last_name", "first_name")
    )


def managers_in_scope(*, user: User) -> QuerySet[User]:
    """Sales managers the user may name (``accounts.access.users_visible_to``): all of them for
    admins and HR; for a manager, themselves and the managers of teams in their scope."""
    return users_visible_to(user=user).filter(role=User.Role.SALES_MANAGER)


def team_manager(*, team: Team) -> User | None:
    """The first active manager of the team, else of the nearest team above it."""
    seen: set[int] = set()
    current: Team | None = team
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        manager = (
            current.managers.filter(is_active=True, role=User.Role.SALES_MANAGER)
            .order_by("id")
            .first()
        )
        if manager is not None:
            return manager
        current = current.parent
    return None


# --- facts for ranking and suggestions ------------------------------------------------------


@dataclass
class RepHoldings:
    assignments: dict[int, Assignment]  # customer id -> the rep's current assignment
    facts: list[CustomerFacts]


def rep_holdings(*, rep: SalesRep) -> RepHoldings:
    """The rep's current customers with open deals and backups: three queries in all."""
    assignments = {
        a.customer_id: a
        for a in Assignment.objects.filter(rep=rep, valid_to__isnull=True).select_related(
            "customer"
        )
    }
    customer_ids = list(assignments)
    deals: dict[int, list[OpenDeal]] = defaultdict(list)
    for customer_id, amount, stage in Deal.objects.filter(
        customer_id__in=customer_ids, status=Deal.Status.OPEN
    ).values_list("customer_id", "amount", "stage"):
        deals[customer_id].append(OpenDeal(amount=amount, stage=stage))
    backups: dict[int, list[int]] = defaultdict(list)
    for customer_id, rep_id in (
        Assignment.objects.filter(
            customer_id__in=customer_ids,
            role=Assignment.Role.BACKUP,
            valid_to__isnull=True,
            rep__isnull=False,
        )
        .exclude(rep=rep)
        .order_by("valid_from", "id")
        .values_list("customer_id", "rep_id")
    ):
        backups[customer_id].append(rep_id)
    facts = [
        CustomerFacts(
            customer_id=a.customer_id,
            name=a.customer.name,
            is_key_account=a.customer.is_key_account,
            annual_revenue=a.customer.annual_revenue,
            held_since=a.valid_from,
            open_deals=tuple(deals.get(a.customer_id, ())),
            backup_rep_ids=tuple(backups.get(a.customer_id, ())),
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
    """The team's reps and the given others (backups), with current load, limits and band."""
    reps = list(
        SalesRep.objects.filter(Q(team_id=team_id) | Q(pk__in=extra_rep_ids)).values(
            "id", "first_name", "last_name", "team_id", "region", "status"
        )
    )
    rep_ids = [r["id"] for r in reps]
    loads = {
        row["rep_id"]: row
        for row in Assignment.objects.filter(
            rep_id__in=rep_ids, valid_to__isnull=True, role__in=LOAD_ROLES
        )
        .values("rep_id")
        .annotate(n=Count("id"), revenue=Sum("customer__annual_revenue"))
    }
    limits = capacity_limits(team_ids={r["team_id"] for r in reps})
    bands = {rep_id: s.band for rep_id, s in risk_scores_current(rep_ids=rep_ids).items()}
    candidates = {}
    for r in reps:
        load = loads.get(r["id"], {})
        max_accounts, max_revenue = limits[r["team_id"]]
        candidates[r["id"]] = Candidate(
            rep_id=r["id"],
            name=f"{r['first_name']} {r['last_name']}",
            team_id=r["team_id"],
            region=r["region"],
            is_active=r["status"] == SalesRep.Status.ACTIVE,
            band=bands.get(r["id"]),
            accounts=load.get("n", 0),
            revenue=load.get("revenue") or Decimal(0),
            max_accounts=max_accounts,
            max_revenue=max_revenue,
        )
    return candidates


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
