"""Reads for reps and customers, always narrowed to what the asking user may see."""

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from accounts.access import scope_team_ids
from accounts.models import User
from retention.models import Activity, Assignment, Customer, Deal, RiskScore, SalesRep, ScoringRun


def reps_visible(*, user: User) -> QuerySet[SalesRep]:
    """Reps the user may see: all for admins and HR, the reps of their teams for managers."""
    team_ids = scope_team_ids(user=user)
    reps = SalesRep.objects.select_related("team")
    return reps if team_ids is None else reps.filter(team_id__in=team_ids)


def rep_get_visible(*, user: User, rep_id: int) -> SalesRep:
    """The rep, or 404 when it does not exist or is outside the user's scope (no hint which)."""
    return get_object_or_404(reps_visible(user=user), pk=rep_id)


def rep_list(
    *,
    user: User,
    search: str = "",
    team_id: int | None = None,
    status: str = "",
    ordering: str = "name",
) -> QuerySet[SalesRep]:
    reps = reps_visible(user=user)
    if search:
        for word in search.split():
            reps = reps.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(crm_user_id__iexact=word)
                | Q(hr_employee_id__iexact=word)
            )
    if team_id:
        reps = reps.filter(team_id=team_id)
    if status:
        reps = reps.filter(status=status)
    orderings = {
        "name": ("last_name", "first_name", "id"),
        "-name": ("-last_name", "-first_name", "-id"),
        "hire_date": ("hire_date", "id"),
        "-hire_date": ("-hire_date", "-id"),
        "team": ("team__name", "last_name", "id"),
    }
    return reps.order_by(*orderings.get(ordering, orderings["name"]))


def customers_visible(*, user: User) -> QuerySet[Customer]:
    """Customers currently held (in any role) by a rep the user may see; all for admins and HR."""
    team_ids = scope_team_ids(user=user)
    customers = Customer.objects.all()
    if team_ids is None:
        return customers
    held = Assignment.objects.filter(
        customer=OuterRef("pk"), valid_to__isnull=True, rep__team_id__in=team_ids
    )
    covered = Assignment.objects.filter(
        customer=OuterRef("pk"), valid_to__isnull=True, manager=user
    )
    return customers.filter(Q(Exists(held)) | Q(Exists(covered)))


def customer_get_visible(*, user: User, customer_id: int) -> Customer:
    return get_object_or_404(customers_visible(user=user), pk=customer_id)


def customer_list(
    *, user: User, search: str = "", key_only: bool = False, ordering: str = "name"
) -> QuerySet[Customer]:
    customers = customers_visible(user=user)
    if search:
        customers = customers.filter(Q(name__icontains=search) | Q(external_id__iexact=search))
    if key_only:
        customers = customers.filter(is_key_account=True)
    orderings = {
        "name": ("name", "id"),
        "-revenue": ("-annual_revenue", "id"),
        "revenue": ("annual_revenue", "id"),
    }
    return customers.order_by(*orderings.get(ordering, orderings["name"]))


def customer_list_with_owner(customers: QuerySet[Customer]) -> list[Customer]:
    """Attach ``current_owner`` (an Assignment or None) to each customer with one query."""
    customers = list(customers)
    owners = {
        a.customer_id: a
        for a in Assignment.objects.filter(
            customer__in=customers, role=Assignment.Role.OWNER, valid_to__isnull=True
        ).select_related("rep")
    }
    for customer in customers:
        customer.current_owner = owners.get(customer.pk)
    return customers


def rep_current_customers(*, rep: SalesRep) -> list[Assignment]:
    """The rep's current assignments with customer, open pipeline and whether the rep is the
    customer's only current relationship."""
    others = Assignment.objects.filter(
        customer=OuterRef("customer_id"), valid_to__isnull=True
    ).exclude(pk=OuterRef("pk"))
    return list(
        Assignment.objects.filter(rep=rep, valid_to__isnull=True)
        .select_related("customer")
        .annotate(
            has_other_relationship=Exists(others),
            open_pipeline=Sum(
                "customer__deals__amount", filter=Q(customer__deals__status=Deal.Status.OPEN)
            ),
        )
        .order_by("-customer__is_key_account", "-customer__annual_revenue", "customer__name")
    )


def rep_recent_activity(*, rep: SalesRep, limit: int = 20) -> list[Activity]:
    return list(
        Activity.objects.filter(rep=rep).select_related("customer").order_by("-occurred_at")[:limit]
    )


def rep_activity_summary(*, rep: SalesRep, today: dt.date, days: int = 90) -> dict[str, int]:
    since = today - dt.timedelta(days=days)
    rows = (
        Activity.objects.filter(rep=rep, occurred_at__date__gte=since)
        .values("kind")
        .annotate(n=Count("id"))
    )
    return {row["kind"]: row["n"] for row in rows}


def customer_assignments(*, customer: Customer) -> list[Assignment]:
    """Everyone who holds or held the customer, current first, then newest first."""
    return list(
        Assignment.objects.filter(customer=customer)
        .select_related("rep", "manager")
        .order_by(F("valid_to").desc(nulls_first=True), "-valid_from")
    )


def scoring_run_latest_complete() -> ScoringRun | None:
    """The current scores: the succeeded run with the latest as-of date (of two for the same
    date, the later to finish). A run in flight or crashed never mixes into the dashboards, and
    a back-dated run finishing late never displaces newer scores."""
    return (
        ScoringRun.objects.filter(status=ScoringRun.Status.SUCCEEDED)
        .select_related("model")
        .order_by("-as_of", "-finished_at", "-id")
        .first()
    )


def risk_scores_current(*, rep_ids: list[int] | None = None) -> dict[int, RiskScore]:
    """Each rep's score from the latest complete run, keyed by rep id (one query)."""
    run = scoring_run_latest_complete()
    if run is None:
        return {}
    scores = RiskScore.objects.filter(run=run)
    if rep_ids is not None:
        scores = scores.filter(rep_id__in=rep_ids)
    return {score.rep_id: score for score in scores}
