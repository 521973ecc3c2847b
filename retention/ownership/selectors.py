"""Reads of assignments: who holds a customer now and before, backups, and what reps carry.

Scope goes through ``accounts.access``. Every person shown beside a customer passes the same
rule as the customer's reader: a rep outside the viewer's scope appears as "a rep of another
team", with no id, e-mail, CRM id or risk; a manager the viewer may not see, likewise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from accounts.access import EVERYTHING, scope_team_ids, users_visible_to
from accounts.models import User
from accounts.names import person_name
from accounts.org import team_managers
from retention.models import Assignment, Customer, Deal, RiskScore, SalesRep, ScoringRun
from retention.ownership.policy import (
    EVERYONE,
    Candidate,
    Case,
    Choice,
    Manager,
    Relationship,
    Scope,
    nobody,
    rank_batch,
)
from retention.people import rep_in_scope, rep_label, unnamed_user
from retention.selectors import risk_scores_current

# Roles that make a rep answerable for a customer, and so count against their capacity.
LOAD_ROLES = (Assignment.Role.OWNER, Assignment.Role.TEMPORARY_COVER)
# Roles of an existing relationship that can take over from the holder.
BACKUP_ROLES = (
    Assignment.Role.BACKUP,
    Assignment.Role.TEMPORARY_COVER,
    Assignment.Role.MANAGER_COVER,
)


# --- holders, as a viewer may see them -----------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """One assignment as shown to a viewer: the person is blank where the viewer may not see
    them. Reads like an ``Assignment`` (``holder_name``, ``get_role_display``) for templates and
    serializers."""

    assignment_id: int
    customer_id: int
    role: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    visible: bool
    rep_id: int | None
    manager_id: int | None
    name: str
    email: str = ""
    crm_user_id: str = ""
    team_name: str = ""
    band: str | None = None
    probability: float | None = None

    @property
    def holder_name(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def get_role_display(self) -> str:
        return str(Assignment.Role(self.role).label)

    def get_source_display(self) -> str:
        return str(Assignment.Source(self.source).label)


def _holders(assignments: Iterable[Assignment], *, user: User, with_risk: bool) -> list[Holder]:
    assignments = list(assignments)
    manager_ids = {a.manager_id for a in assignments if a.manager_id}
    visible_managers = (
        set(users_visible_to(user=user).filter(pk__in=manager_ids).values_list("pk", flat=True))
        if manager_ids
        else set()
    )
    scores: dict[int, RiskScore] = {}
    if with_risk:
        rep_ids = [a.rep_id for a in assignments if a.rep_id and _rep_visible(a.rep, user)]
        scores = risk_scores_current(rep_ids=rep_ids) if rep_ids else {}
    found = []
    for a in assignments:
        common = {
            "assignment_id": a.pk,
            "customer_id": a.customer_id,
            "role": a.role,
            "valid_from": a.valid_from,
            "valid_to": a.valid_to,
            "source": a.source,
        }
        if a.rep_id:
            if _rep_visible(a.rep, user):
                score = scores.get(a.rep_id)
                holder = Holder(
                    **common,
                    visible=True,
                    rep_id=a.rep_id,
                    manager_id=None,
                    name=a.rep.full_name,
                    email=a.rep.email,
                    crm_user_id=a.rep.crm_user_id,
                    team_name=a.rep.team.name,
                    band=score.band if score else None,
                    probability=score.probability if score else None,
                )
            else:
                holder = Holder(
                    **common,
                    visible=False,
                    rep_id=None,
                    manager_id=None,
                    name=rep_label(viewer=user, rep=a.rep),
                )
        elif a.manager_id in visible_managers:
            holder = Holder(
                **common,
                visible=True,
                rep_id=None,
                manager_id=a.manager_id,
                name=str(a.manager),
                email=a.manager.email,
            )
        else:
            holder = Holder(
                **common,
                visible=False,
                rep_id=None,
                manager_id=None,
                name=unnamed_user(),
            )
        found.append(holder)
    return found


def _rep_visible(rep: SalesRep, user: User) -> bool:
    return rep_in_scope(viewer=user, rep=rep)


def _assignments(customer_ids: Iterable[int]) -> QuerySet[Assignment]:
    return Assignment.objects.filter(customer_id__in=list(customer_ids)).select_related(
        "rep", "rep__team", "manager"
    )


def customer_holders(
    *, user: User, customer_ids: Iterable[int], with_risk: bool = False
) -> dict[int, list[Holder]]:
    """Each customer's current holders (owner first, then backups and covers, oldest first)."""
    rows = (
        _assignments(customer_ids)
        .filter(valid_to__isnull=True)
        .order_by("customer_id", F("role").desc(), "valid_from", "id")
    )
    found: dict[int, list[Holder]] = defaultdict(list)
    for holder in _holders(rows, user=user, with_risk=with_risk):
        found[holder.customer_id].append(holder)
    for holders in found.values():
        holders.sort(key=lambda h: h.role != Assignment.Role.OWNER)
    return dict(found)


def customer_holder_history(*, user: User, customer: Customer) -> list[Holder]:
    """Everyone who holds or held the customer, current first, then newest first. The caller
    has fetched the customer in scope; people beside it pass the viewer's scope here."""
    rows = _assignments([customer.pk]).order_by(
        F("valid_to").desc(nulls_first=True), "-valid_from", "-id"
    )
    return _holders(rows, user=user, with_risk=False)


def customer_backups(*, user: User, customer_ids: Iterable[int]) -> dict[int, list[Holder]]:
    """Each customer's current backups and covers (everyone holding it but the owner)."""
    return {
        customer_id: [h for h in holders if h.role != Assignment.Role.OWNER]
        for customer_id, holders in customer_holders(
            user=user, customer_ids=customer_ids, with_risk=True
        ).items()
    }


def customer_rep_holders(*, customer_ids: Collection[int]) -> dict[int, Assignment]:
    """For each customer, the rep whose customer it is: its current owner, else its first
    current rep holder, else (nobody holds it now) its last rep holder, as the assignment
    with its rep and customer; a customer only a manager ever held is not in the answer. One
    query."""
    holders: dict[int, Assignment] = {}
    if not customer_ids:
        return holders
    owner_now = ExpressionWrapper(owning_now_q(), output_field=BooleanField())
    rows = (
        Assignment.objects.filter(customer_id__in=list(customer_ids), rep__isnull=False)
        .select_related("rep", "customer")
        .order_by(
            "customer_id",
            owner_now.desc(),
            F("valid_to").desc(nulls_first=True),
            "valid_from",
            "id",
        )
    )
    for a in rows:
        holders.setdefault(a.customer_id, a)
    return holders


def rep_current_assignments(*, rep: SalesRep) -> list[Assignment]:
    """What the rep holds now, in any role, with the customer."""
    return list(
        Assignment.objects.filter(rep=rep, valid_to__isnull=True)
        .select_related("customer")
        .order_by("customer__name", "id")
    )


def rep_current_customers(*, rep: SalesRep) -> list[Assignment]:
    """The rep's current assignments, key accounts and the largest first, each with its customer,
    ``open_pipeline`` and ``only_relationship``: whether the rep is the customer's only current
    relationship (``customers_held_alone``). Two queries."""
    assignments = list(
        Assignment.objects.filter(rep=rep, valid_to__isnull=True)
        .select_related("customer")
        .annotate(
            open_pipeline=Sum("customer__deals__amount", filter=Deal.open_q("customer__deals__"))
        )
        .order_by("-customer__is_key_account", "-customer__annual_revenue", "customer__name")
    )
    alone = customers_held_alone_by(
        rep_id=rep.pk, customer_ids=[a.customer_id for a in assignments]
    )
    for assignment in assignments:
        assignment.only_relationship = assignment.customer_id in alone
    return assignments


# --- single-threaded key accounts ----------------------------------------------------------


def customers_held_alone(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """Of ``customers``, those whose only current relationship is one rep: a single current
    assignment, and it a rep's. A covering manager is a relationship like any other, and a
    customer only a manager covers is held by no rep. The one definition behind single-threaded
    key accounts, a rep's share of them and the rep page's "Only this rep"."""
    return (
        customers.annotate(
            holders=Count("assignments", filter=Q(assignments__valid_to__isnull=True))
        )
        .filter(holders=1)
        .filter(
            Exists(
                Assignment.objects.filter(
                    customer=OuterRef("pk"), valid_to__isnull=True, rep__isnull=False
                )
            )
        )
    )


def key_accounts_single_threaded(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """Of ``customers``, the single-threaded ones: key accounts whose only current relationship
    is one rep (the /single-threaded/ page and its API, the dashboard's "Backups" link)."""
    return customers_held_alone(customers.filter(is_key_account=True))


def _held_now(rep_ids: Iterable[int]) -> QuerySet[Assignment]:
    return Assignment.objects.filter(rep_id__in=list(rep_ids), valid_to__isnull=True)


def reps_holding_single_threaded(rep_ids: Iterable[int]) -> set[int]:
    """Of ``rep_ids``, the reps who are the only relationship of at least one key account
    (``key_accounts_single_threaded``): two index lookups however many reps, none for no reps.

    The reps' current assignments are read first and their customers passed on by id: with the
    assignments as a subquery, PostgreSQL scans every key account in the table (10 ms at 15,000
    key accounts, against under 1 ms read apart)."""
    rep_ids = list(rep_ids)
    if not rep_ids:
        return set()
    held = list(_held_now(rep_ids).values_list("rep_id", "customer_id"))
    if not held:
        return set()
    single = set(
        key_accounts_single_threaded(
            Customer.objects.filter(pk__in={customer_id for _rep, customer_id in held})
        ).values_list("pk", flat=True)
    )
    return {rep_id for rep_id, customer_id in held if customer_id in single}


def customers_held_alone_by(*, rep_id: int, customer_ids: Iterable[int]) -> set[int]:
    """Of ``customer_ids``, those whose only current relationship is the rep
    (``customers_held_alone``): one query, none for no customers."""
    customer_ids = list(customer_ids)
    if not customer_ids:
        return set()
    held = _held_now([rep_id]).filter(customer_id__in=customer_ids)
    alone = customers_held_alone(Customer.objects.filter(pk__in=held.values("customer_id")))
    return set(alone.values_list("pk", flat=True))


@dataclass(frozen=True)
class KeyAccounts:
    """The key accounts a rep holds now (in any role), and of them those with no other
    relationship (``key_accounts_single_threaded``): how many, and their annual revenue."""

    held: int = 0
    alone: int = 0
    revenue: Decimal = Decimal(0)
    alone_revenue: Decimal = Decimal(0)

    @property
    def alone_share(self) -> float | None:
        """The part of the key-account revenue the rep holds alone; None when they hold none."""
        return float(self.alone_revenue / self.revenue) if self.revenue else None


def key_accounts_by_rep(*, rep_ids: Iterable[int] | None = None) -> dict[int, KeyAccounts]:
    """Each rep's key accounts (of ``rep_ids``, or of every rep), and how many of them, and how
    much of their revenue, depend on the rep alone: one grouped query. A rep holding no key
    account is not in the answer."""
    held = Assignment.objects.filter(
        valid_to__isnull=True, rep__isnull=False, customer__is_key_account=True
    )
    if rep_ids is not None:
        held = held.filter(rep_id__in=list(rep_ids))
    alone = Q(
        customer_id__in=key_accounts_single_threaded(
            Customer.objects.filter(pk__in=held.values("customer_id"))
        ).values("pk")
    )
    rows = (
        held.values("rep_id")
        .annotate(
            held=Count("customer_id", distinct=True),
            alone=Count("customer_id", distinct=True, filter=alone),
            revenue=Sum("customer__annual_revenue"),
            alone_revenue=Sum("customer__annual_revenue", filter=alone),
        )
        .order_by()
    )
    return {
        row["rep_id"]: KeyAccounts(
            held=row["held"],
            alone=row["alone"],
            revenue=row["revenue"] or Decimal(0),
            alone_revenue=row["alone_revenue"] or Decimal(0),
        )
        for row in rows
    }


def rep_key_accounts(*, rep_id: int) -> KeyAccounts:
    """``key_accounts_by_rep`` for one rep (the rep page's share, its suggestions): one query."""
    return key_accounts_by_rep(rep_ids=[rep_id]).get(rep_id, KeyAccounts())


# --- key accounts a rep owns ---------------------------------------------------------------


def owning_now_q() -> Q:
    """An assignment that makes its rep the customer's owner now: not a backup's or a cover's,
    not an ended one. What a rep owns (the customers their vacancy lists, the revenue the
    dashboard counts against them), as a condition on ``Assignment``."""
    return Q(role=Assignment.Role.OWNER, valid_to__isnull=True)


def owning_key_account_q() -> Q:
    """``owning_now_q`` of a key account: a rep's owned key accounts, the one rule behind the
    dashboard's key-account revenue (its rows, their sort, the reps serving notice, the
    high-risk card's "in key accounts") and routing. ``key_accounts_by_rep`` is another
    figure: the key accounts a rep holds in any role."""
    return owning_now_q() & Q(customer__is_key_account=True)


def key_revenue_owned_by_rep(rep_ids: Iterable[int]) -> dict[int, Decimal]:
    """Annual revenue of the key accounts each rep currently owns (``owning_key_account_q``);
    a rep who owns none is not in the answer.

    Two index lookups, the rule's two halves read apart (the reps' owner assignments, then
    which of their customers are key accounts, by id): joined in one statement, PostgreSQL
    prefers to scan every key account in the table.
    """
    owned = list(
        Assignment.objects.filter(owning_now_q(), rep_id__in=list(rep_ids)).values_list(
            "rep_id", "customer_id"
        )
    )
    if not owned:
        return {}
    revenue = dict(
        Customer.objects.filter(
            pk__in={customer_id for _rep, customer_id in owned}, is_key_account=True
        ).values_list("pk", "annual_revenue")
    )
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for rep_id, customer_id in owned:
        if customer_id in revenue:
            totals[rep_id] += revenue[customer_id]
    return dict(totals)


def key_revenue_owned_subquery() -> Subquery:
    """``key_revenue_owned_by_rep`` of the outer query's rep (``OuterRef("pk")``) as a
    correlated subquery, to sort reps by it; NULL for a rep who owns no key account."""
    return Subquery(
        Assignment.objects.filter(owning_key_account_q(), rep=OuterRef("pk"))
        .values("rep")
        .annotate(total=Sum("customer__annual_revenue"))
        .values("total")
    )


# --- relationships and workloads, for the recipient policy ---------------------------------


def relationships_current(
    *, customer_ids: Iterable[int], exclude_rep_id: int | None = None
) -> dict[int, list[Relationship]]:
    """Each customer's current backups and covers (reps and covering managers) as the policy
    reads them, oldest first. Covering managers who are no longer active are left out."""
    rows = (
        Assignment.objects.filter(
            customer_id__in=list(customer_ids), valid_to__isnull=True, role__in=BACKUP_ROLES
        )
        .filter(Q(rep__isnull=False) | Q(manager__is_active=True))
        .order_by("customer_id", "valid_from", "id")
        .values_list("customer_id", "role", "rep_id", "manager_id")
    )
    found: dict[int, list[Relationship]] = defaultdict(list)
    for customer_id, role, rep_id, manager_id in rows:
        if rep_id is not None and rep_id == exclude_rep_id:
            continue
        found[customer_id].append(
            Relationship(
                role=role_label(role), rep_id=rep_id, manager_id=manager_id, role_code=role
            )
        )
    return dict(found)


def role_label(code: str) -> str:
    """An assignment role as the policy's reasons name it ("backup", "temporary cover"), in the
    active language; a role stored as words (older reasons) stays as it was."""
    if code in Assignment.Role.values:
        return str(Assignment.Role(code).label).lower()
    return code


@dataclass(frozen=True)
class Workload:
    accounts: int
    revenue: Decimal


def rep_workloads(*, rep_ids: Iterable[int]) -> dict[int, Workload]:
    """What each rep is answerable for now (owned and temporarily covered customers): one
    grouped query."""
    rows = (
        Assignment.objects.filter(
            rep_id__in=list(rep_ids), valid_to__isnull=True, role__in=LOAD_ROLES
        )
        .values("rep_id")
        .annotate(n=Count("id"), revenue=Sum("customer__annual_revenue"))
    )
    return {
        row["rep_id"]: Workload(accounts=row["n"], revenue=row["revenue"] or Decimal(0))
        for row in rows
    }


def recipient_candidates(
    *,
    reps: Q,
    run: ScoringRun | None,
    limits: Mapping[int, tuple[int, Decimal]] | None = None,
) -> dict[int, Candidate]:
    """The reps matching ``reps`` as the policy reads them: status and whether they are leaving
    (``SalesRep.is_departing``), risk from ``run`` (none without a run), current load, each
    team's (accounts, revenue) limits (none when not given) and whether they are still ramping
    up (hired in the last RELAY_RAMP_UP_DAYS). Two queries."""
    run_id = run.pk if run else 0
    rows = list(
        SalesRep.objects.filter(reps)
        .annotate(score=FilteredRelation("risk_scores", condition=Q(risk_scores__run_id=run_id)))
        .values(
            "id",
            "first_name",
            "last_name",
            "team_id",
            "region",
            "status",
            "hire_date",
            departing=ExpressionWrapper(SalesRep.departing_q(), output_field=BooleanField()),
            band=F("score__band"),
            probability=F("score__probability"),
        )
    )
    loads = rep_workloads(rep_ids=[r["id"] for r in rows])
    limits = limits or {}
    ramped_by = timezone.localdate() - dt.timedelta(days=settings.RELAY_RAMP_UP_DAYS)
    candidates = {}
    for r in rows:
        load = loads.get(r["id"], Workload(0, Decimal(0)))
        max_accounts, max_revenue = limits.get(r["team_id"], (0, Decimal(0)))
        candidates[r["id"]] = Candidate(
            rep_id=r["id"],
            name=person_name(r["first_name"], r["last_name"]),
            team_id=r["team_id"],
            region=r["region"],
            status=r["status"],
            is_leaving=r["departing"],
            band=r["band"],
            probability=r["probability"],
            accounts=load.accounts,
            revenue=load.revenue,
            max_accounts=max_accounts,
            max_revenue=max_revenue,
            ramping=r["hire_date"] is not None and r["hire_date"] > ramped_by,
        )
    return candidates


def recipient_scope(
    *, user: User | None, candidates: Iterable[Candidate], manager_ids: Collection[int] = ()
) -> Scope:
    """Which of these reps and managers the user may see (and so be offered or given a
    customer): ``accounts.access``'s rule. ``user=None`` (a nightly job) is everyone."""
    if user is None:
        return EVERYONE
    team_ids = scope_team_ids(user=user)
    if team_ids is EVERYTHING:
        return EVERYONE
    rep_ids = {c.rep_id for c in candidates if c.team_id in team_ids}
    managers = set()
    if manager_ids:
        managers = set(
            users_visible_to(user=user)
            .filter(pk__in=list(manager_ids))
            .values_list("pk", flat=True)
        )
    return Scope.of(rep_ids=rep_ids, manager_ids=managers)


@dataclass(frozen=True)
class Recommendation:
    """The policy's choice for one customer, with the contact details of whoever it names
    (always someone in the viewer's scope)."""

    choice: Choice
    name: str = ""
    email: str = ""
    crm_user_id: str = ""

    @property
    def kind(self) -> str:
        return self.choice.kind

    @property
    def rep_id(self) -> int | None:
        return self.choice.rep_id

    @property
    def manager_id(self) -> int | None:
        return self.choice.manager_id

    @property
    def reason(self) -> str:
        return self.choice.reason

    @property
    def brief(self) -> str:
        return self.choice.brief


def recipients_ranked(
    *,
    holdings: Sequence[Assignment],
    user: User | None,
    run: ScoringRun | None,
    limits: Mapping[int, tuple[int, Decimal]] | None = None,
    with_managers: bool = True,
) -> dict[int, list[Recommendation]]:
    """Everyone who may take each customer from the rep holding it (or, for a customer nobody
    holds now, its last rep holder), best first: the ownership policy, asked with the
    customers' other current holders, the reps of the holders' teams, risk from ``run``, the
    teams' (accounts, revenue) ``limits``, the teams' managers from ``accounts.org`` (left out
    with ``with_managers=False``: a backup is a rep) and the user's scope (``None``:
    everyone). ``holdings`` (with ``rep`` and ``customer`` loaded) go most important first:
    each customer's first choice takes its load before the next is ranked, so a batch spreads
    evenly. Eight queries however many customers."""
    if not holdings:
        return {}
    relationships = relationships_current(customer_ids=[a.customer_id for a in holdings])
    team_ids = {a.rep.team_id for a in holdings}
    other_rep_ids = {r.rep_id for rels in relationships.values() for r in rels if r.rep_id}
    candidates = recipient_candidates(
        reps=Q(pk__in=other_rep_ids) | Q(team_id__in=team_ids), run=run, limits=limits
    )
    managers = team_managers(team_ids=team_ids) if with_managers else {}
    covering = {r.manager_id for rels in relationships.values() for r in rels if r.manager_id}
    scope = recipient_scope(
        user=user,
        candidates=candidates.values(),
        manager_ids=covering | {m.pk for m in managers.values()},
    )
    cases = [
        Case(
            customer_id=a.customer_id,
            holder_rep_id=a.rep_id,
            team_id=a.rep.team_id,
            region=a.rep.region,
            revenue=a.customer.annual_revenue,
            relationships=tuple(
                r
                for r in relationships.get(a.customer_id, ())
                if r.rep_id != a.rep_id and (with_managers or r.rep_id is not None)
            ),
        )
        for a in holdings
    ]
    ranked = rank_batch(
        cases=cases,
        candidates=candidates,
        managers={tid: Manager(user_id=m.pk, name=str(m)) for tid, m in managers.items()},
        scope=scope,
    )
    rep_ids = {c.rep_id for choices in ranked.values() for c in choices if c.rep_id}
    reps = SalesRep.objects.in_bulk(list(rep_ids))
    users = {m.pk: m for m in managers.values()}
    missing = {c.manager_id for cs in ranked.values() for c in cs if c.manager_id} - set(users)
    if missing:
        users.update(User.objects.in_bulk(list(missing)))
    found: dict[int, list[Recommendation]] = {}
    for customer_id, choices in ranked.items():
        found[customer_id] = []
        for choice in choices:
            if choice.rep_id:
                rep = reps[choice.rep_id]
                recommendation = Recommendation(
                    choice, name=rep.full_name, email=rep.email, crm_user_id=rep.crm_user_id
                )
            else:
                manager = users[choice.manager_id]
                recommendation = Recommendation(choice, name=str(manager), email=manager.email)
            found[customer_id].append(recommendation)
    return found


def recipients_recommend(
    *,
    holdings: Sequence[Assignment],
    user: User | None,
    run: ScoringRun | None,
    limits: Mapping[int, tuple[int, Decimal]] | None = None,
) -> dict[int, Recommendation]:
    """Who should take each customer from the rep holding it: :func:`recipients_ranked`'s
    first choice, or nobody."""
    ranked = recipients_ranked(holdings=holdings, user=user, run=run, limits=limits)
    return {
        customer_id: choices[0] if choices else Recommendation(nobody())
        for customer_id, choices in ranked.items()
    }
