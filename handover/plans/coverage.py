"""Coverage: which customers are at risk of having nobody, and which depend on a single rep.

Definitions (the coverage page, its counts and the nightly alerts all use these):
- owner_leaving: a key account whose current owner (``retention.ownership``'s
  ``owning_key_account_q``) is leaving: is departing (``SalesRep.is_departing``: has left, is
  serving notice or has a last day recorded), or the latest complete scoring run found them
  leaving;
- leaving_only: any other customer whose every current holder is a rep who is leaving;
- high_risk_only: a customer whose every current holder who is not leaving is a rep at high risk
  in the latest complete scoring run (``RiskScore.is_high_risk``: a leaving score, stored in the
  high band, is not high risk), and there is at least one such holder. A manager covering, or
  any rep not known to be high risk, covers it;
- uncovered: a key account nobody currently holds in any role;
- cover_expired: a temporary cover opened by a handover plan that is still in place after the
  end date the plan gave it.
A "current" assignment is one with no ``valid_to``; a temporary cover's planned end is kept on
the handover item, so the cover stays current (and the customer covered) until someone acts.
A customer is in at most one of owner_leaving, leaving_only and high_risk_only (in that order):
a leaving rep's customer is counted once, under what their leaving does to it.

For a viewer, an owner-leaving or high-risk-only gap carries who should take the customer, and
each single-threaded customer who could be its backup: both are ``retention.ownership.policy``'s
choice within the viewer's scope (never a rep serving notice or at high risk). People beside a
customer pass the viewer's scope: a rep of another team is named as such.
"""

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, QuerySet
from django.utils.translation import gettext as _

from accounts.access import scope_team_ids, team_in_scope
from accounts.models import User
from accounts.names import person_name
from handover.models import CoverageGap, HandoverItem, HandoverPlan
from handover.plans.selectors import capacity_limits
from retention.models import Assignment, Customer, SalesRep
from retention.ownership import policy
from retention.ownership import selectors as ownership
from retention.selectors import (
    customers_visible,
    risk_scores_current,
    scoring_run_latest_complete,
)

Kind = CoverageGap.Kind
KIND_ORDER = {kind: rank for rank, kind in enumerate(Kind.values)}


@dataclass(frozen=True)
class Gap:
    customer_id: int
    customer_name: str
    revenue: Decimal
    kind: str
    detail: str
    team_id: int | None
    # Who should take the customer (owner leaving, high-risk only), for a viewer's page.
    suggestion: ownership.Recommendation | None = None
    # Whom the viewer may add as backup (a rep) or cover (a rep or a manager), best first:
    # the ownership policy's choices, never someone already holding the customer.
    choices: tuple[ownership.Recommendation, ...] = ()
    # The rep holding the customer (its owner, else its first rep holder) when the viewer may
    # see them: whose handover a row can start.
    holder_rep_id: int | None = None
    holder_name: str = ""

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def _current(customer_scope: QuerySet[Customer] | None) -> QuerySet[Assignment]:
    assignments = Assignment.objects.filter(valid_to__isnull=True)
    if customer_scope is not None:
        assignments = assignments.filter(customer__in=customer_scope)
    return assignments


def coverage_gaps_for(*, user: User | None, today: dt.date) -> list[Gap]:
    """Every gap among the customers the user may see; ``user=None``: the whole organisation."""
    team_ids = None if user is None else scope_team_ids(user=user)
    scope = None if team_ids is None else customers_visible(user=user)
    gaps: list[Gap] = []
    holders: dict[int, list[dict]] = {}
    rows = (
        _current(scope)
        .annotate(
            # Retention's rules, read on each row: whether its rep is departing, and whether it
            # makes them the owner of a key account.
            rep_departing=ExpressionWrapper(
                SalesRep.departing_q("rep__"), output_field=BooleanField()
            ),
            owns_key_account=ExpressionWrapper(
                ownership.owning_key_account_q(), output_field=BooleanField()
            ),
        )
        .values(
            "customer_id",
            "customer__name",
            "customer__annual_revenue",
            "rep_id",
            "manager_id",
            "rep__first_name",
            "rep__last_name",
            "rep__departure_date",
            "rep__team_id",
            "rep_departing",
            "owns_key_account",
        )
    )
    for row in rows:
        holders.setdefault(row["customer_id"], []).append(row)
    rep_ids = [r["rep_id"] for rows_ in holders.values() for r in rows_ if r["rep_id"]]
    scores = risk_scores_current(rep_ids=rep_ids)

    def leaving(row: dict) -> bool:
        """A rep holder who is departing (``SalesRep.is_departing``: has left, is serving notice
        or has a last day) or whom the latest run found leaving; a manager never is."""
        score = scores.get(row["rep_id"])
        return bool(row["rep_id"]) and (
            row["rep_departing"] or (score is not None and score.is_leaving)
        )

    def last_day(row: dict) -> dt.date | None:
        score = scores.get(row["rep_id"])
        return row["rep__departure_date"] or (score.last_day if score is not None else None)

    def high_risk(row: dict) -> bool:
        score = scores.get(row["rep_id"])
        return score is not None and score.is_high_risk

    def name(row: dict) -> str:
        if user is not None and not team_in_scope(user=user, team_id=row["rep__team_id"]):
            return _("a rep of another team")
        return person_name(row["rep__first_name"], row["rep__last_name"])

    for customer_id, rows_ in holders.items():
        first = rows_[0]
        owners_leaving = [row for row in rows_ if row["owns_key_account"] and leaving(row)]
        for row in owners_leaving:
            gaps.append(
                Gap(
                    customer_id,
                    first["customer__name"],
                    first["customer__annual_revenue"],
                    Kind.OWNER_LEAVING,
                    _("Owner %(name)s: last day %(day)s")
                    % {"name": name(row), "day": last_day(row)},
                    row["rep__team_id"],
                )
            )
        if owners_leaving:
            continue
        staying = [r for r in rows_ if not leaving(r)]
        if not staying:
            gaps.append(
                Gap(
                    customer_id,
                    first["customer__name"],
                    first["customer__annual_revenue"],
                    Kind.LEAVING_ONLY,
                    _("Held only by reps leaving: %(names)s")
                    % {
                        "names": ", ".join(
                            _("%(name)s (last day %(day)s)") % {"name": name(r), "day": last_day(r)}
                            for r in rows_
                        )
                    },
                    first["rep__team_id"],
                )
            )
        elif all(high_risk(r) for r in staying):
            names = ", ".join(name(r) for r in staying)
            gaps.append(
                Gap(
                    customer_id,
                    first["customer__name"],
                    first["customer__annual_revenue"],
                    Kind.HIGH_RISK_ONLY,
                    _("Held only by high-risk %(names)s") % {"names": names},
                    first["rep__team_id"],
                )
            )
    uncovered = Customer.objects.filter(is_key_account=True).exclude(
        Exists(Assignment.objects.filter(customer=OuterRef("pk"), valid_to__isnull=True))
    )
    if scope is not None:
        uncovered = uncovered.filter(pk__in=scope)
    for customer in uncovered.only("id", "name", "annual_revenue"):
        gaps.append(
            Gap(
                customer.pk,
                customer.name,
                customer.annual_revenue,
                Kind.UNCOVERED,
                _("Nobody holds this key account"),
                None,
            )
        )
    expired = HandoverItem.objects.filter(
        plan__status=HandoverPlan.Status.APPLIED,
        mode=HandoverItem.Mode.TEMPORARY,
        cover_until__lt=today,
        opened_assignment__valid_to__isnull=True,
    ).select_related(
        "customer", "opened_assignment__rep", "opened_assignment__manager", "plan__rep"
    )
    if scope is not None:
        expired = expired.filter(customer__in=scope)
    for item in expired:
        gaps.append(
            Gap(
                item.customer_id,
                item.customer.name,
                item.customer.annual_revenue,
                Kind.COVER_EXPIRED,
                _("%(name)s was to cover until %(day)s")
                % {"name": item.opened_assignment.holder_name, "day": item.cover_until},
                item.plan.rep.team_id,
            )
        )
    # The most urgent kind first, as the kinds are declared (and the page's cards read), then
    # the most revenue: a key account whose owner is leaving before a high-risk-only customer.
    gaps.sort(key=lambda g: (KIND_ORDER[g.kind], -g.revenue, g.customer_name))
    return gaps


ACTED_ON = (Kind.OWNER_LEAVING, Kind.LEAVING_ONLY, Kind.HIGH_RISK_ONLY, Kind.UNCOVERED)


def coverage_gaps(*, user: User, today: dt.date) -> list[Gap]:
    """The viewer's gaps, each owner-leaving, leaving-only, high-risk-only or uncovered gap with
    who should take the customer and whom the viewer may add as backup or cover."""
    return with_choices(user=user, gaps=coverage_gaps_for(user=user, today=today))


def with_choices(*, user: User, gaps: list[Gap]) -> list[Gap]:
    wanted = {g.customer_id for g in gaps if g.kind in ACTED_ON}
    holders = ownership.customer_rep_holders(customer_ids=wanted)
    ranked = ownership.recipients_ranked(
        holdings=sorted(holders.values(), key=lambda a: -a.customer.annual_revenue),
        user=user,
        run=scoring_run_latest_complete(),
        limits=capacity_limits(team_ids={a.rep.team_id for a in holders.values()}),
    )
    found = []
    for gap in gaps:
        if gap.kind not in ACTED_ON or gap.customer_id not in ranked:
            found.append(gap)
            continue
        choices = ranked[gap.customer_id]
        holder = holders[gap.customer_id]
        visible = holder.valid_to is None and team_in_scope(user=user, team_id=holder.rep.team_id)
        found.append(
            replace(
                gap,
                suggestion=choices[0] if choices else ownership.Recommendation(policy.nobody()),
                choices=tuple(c for c in choices if c.kind != policy.Kind.BACKUP),
                holder_rep_id=holder.rep_id if visible else None,
                holder_name=holder.rep.full_name if visible else "",
            )
        )
    return found


def coverage_counts(*, user: User, today: dt.date) -> dict[str, int]:
    """Gaps per kind (every kind present, zero when none), for the dashboard and the API."""
    counts = dict.fromkeys(Kind.values, 0)
    for gap in coverage_gaps_for(user=user, today=today):
        counts[gap.kind] += 1
    return counts


def coverage_alerts_open(*, user: User) -> QuerySet[CoverageGap]:
    alerts = CoverageGap.objects.filter(status=CoverageGap.Status.OPEN).select_related("customer")
    team_ids = scope_team_ids(user=user)
    if team_ids is not None:
        alerts = alerts.filter(customer__in=customers_visible(user=user))
    return alerts.order_by("-first_seen", "kind")


# --- multi-threading ----------------------------------------------------------------------


def single_threaded_queryset(*, user: User) -> QuerySet[Customer]:
    """Key customers in the user's scope whose only current relationship is one rep
    (``retention.ownership``'s rule), highest revenue first."""
    return ownership.key_accounts_single_threaded(customers_visible(user=user)).order_by(
        "-annual_revenue", "name", "id"
    )


def single_threaded_customers(*, user: User) -> list[Customer]:
    """Key customers whose only current relationship is one rep, highest revenue first.

    Each carries ``sole_holder`` (the Assignment), ``backup_choices`` (whom the ownership
    policy offers as backup: low-risk reps of the holder's team and region with room under
    their team's limits, least loaded first, in the user's scope; never a rep serving notice
    or at high risk, and no manager, since a backup is a rep) and ``suggested_backup`` (the
    first of them). The first choices spread evenly over the whole list, so the suggestions
    do not change when a page of it is filtered.
    """
    customers = list(single_threaded_queryset(user=user))
    sole = {
        a.customer_id: a
        for a in Assignment.objects.filter(
            customer__in=customers, valid_to__isnull=True
        ).select_related("rep", "rep__team")
    }
    by_id = {c.pk: c for c in customers}
    for assignment in sole.values():
        assignment.customer = by_id[assignment.customer_id]
    ranked = ownership.recipients_ranked(
        holdings=[sole[c.pk] for c in customers if c.pk in sole],
        user=user,
        run=scoring_run_latest_complete(),
        limits=capacity_limits(team_ids={a.rep.team_id for a in sole.values()}),
        with_managers=False,
    )
    for customer in customers:
        customer.sole_holder = sole.get(customer.pk)
        customer.backup_choices = ranked.get(customer.pk, [])
        customer.suggested_backup = customer.backup_choices[0] if customer.backup_choices else None
    return customers
