"""Reads for reps, customers, assignments, risk scores, alerts and interventions, each narrowed
to what the asking user may see through the one access layer (``accounts.access``).

Every ``*_visible_to(user)`` is the whole scope rule for its kind of object; lists filter it
further (``retention.filters``), detail views fetch from it and 404 on a miss.

Risk scores and alerts carry a person's departure risk, so their querysets are *audited*: the
rows they hand out are written to the risk-read audit log (``RiskPageView``, one row per rep
shown) when they are fetched. A view cannot read them and forget the audit, and counting or
aggregating (which hands out no person's score) writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from accounts.access import get_visible_or_404, narrow, narrow_q
from accounts.models import User
from retention.models import (
    Activity,
    Assignment,
    Customer,
    Intervention,
    RiskAlert,
    RiskModel,
    RiskPageView,
    RiskScore,
    SalesRep,
    ScoringRun,
)
from retention.models.scoring import RiskAlertQuerySet
from retention.scoring.rules import RULES_HIGH, RULES_MEDIUM

# --- the audit of risk reads --------------------------------------------------------------


def risk_reads_record(*, viewer: User, rep_ids: Iterable[int]) -> int:
    """Write down that ``viewer`` was shown the risk of these reps: one row per rep, in one
    INSERT however many. Returns the number of rows written."""
    rows = [RiskPageView(viewer=viewer, rep_id=rep_id) for rep_id in sorted(set(rep_ids))]
    if not rows or viewer is None or viewer.pk is None:
        return 0
    RiskPageView.objects.bulk_create(rows)
    return len(rows)


class AuditedQuerySet(QuerySet):
    """A queryset of rows that carry a rep's risk (``rep_id``), which writes the audit log of
    the rows it fetches for ``viewer``: a page of 50 writes 50 rows, a ``count()`` none."""

    _audit_viewer: User | None = None

    def audited_for(self, viewer: User) -> AuditedQuerySet:
        clone = self._chain()
        clone._audit_viewer = viewer
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._audit_viewer = self._audit_viewer
        return clone

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._audit_viewer is not None:
            rep_ids = [
                row["rep_id"] if isinstance(row, dict) else getattr(row, "rep_id", None)
                for row in self._result_cache
            ]
            risk_reads_record(
                viewer=self._audit_viewer, rep_ids=[r for r in rep_ids if r is not None]
            )


class AuditedRiskAlertQuerySet(AuditedQuerySet, RiskAlertQuerySet):
    """Alerts, audited, that answer the alerts' own rules (``open``, ``acknowledged``)."""


def _audited[M](
    model: type[M], viewer: User, queryset: type[AuditedQuerySet] = AuditedQuerySet
) -> AuditedQuerySet:
    return queryset(model=model).audited_for(viewer)


# --- reps and customers -------------------------------------------------------------------


def sees_whole_organisation(user: User) -> bool:
    """Whether the access layer narrows nothing for ``user`` (admins and HR): its ``narrow_q``
    is then the empty condition."""
    return not narrow_q(user=user, team_field="team_id")


def reps_visible_to(user: User) -> QuerySet[SalesRep]:
    """Reps the user may see: all for admins and HR, the reps of their teams for managers."""
    return narrow(SalesRep.objects.select_related("team"), user=user, team_field="team_id")


def rep_get_visible(*, user: User, rep_id: int) -> SalesRep:
    """The rep, or 404 when it does not exist or is outside the user's scope (no hint which)."""
    return get_visible_or_404(reps_visible_to(user), pk=rep_id)


def customers_visible_to(user: User) -> QuerySet[Customer]:
    """Customers currently held (in any role) by a rep the user may see, or covered by the user
    as manager; a customer nobody holds now is in the scope of its last rep holder, so the
    manager who must find it a cover can open it; all for admins and HR."""
    customers = Customer.objects.all()
    if sees_whole_organisation(user):
        return customers
    current = Assignment.objects.filter(customer=OuterRef("pk"), valid_to__isnull=True)
    held = current.filter(narrow_q(user=user, team_field="rep__team_id") | Q(manager=user))
    last_rep_team = Subquery(
        Assignment.objects.filter(customer=OuterRef("pk"), rep__isnull=False)
        .order_by(F("valid_to").desc(nulls_first=True), "-valid_from", "-id")
        .values("rep__team_id")[:1]
    )
    return customers.alias(last_rep_team_id=last_rep_team).filter(
        Q(Exists(held)) | (~Exists(current) & narrow_q(user=user, team_field="last_rep_team_id"))
    )


def rep_ids_visible(user: User, rep_ids: Iterable[int | None]) -> set[int]:
    """Which of these reps the user may see named beside an object (one query)."""
    wanted = {rep_id for rep_id in rep_ids if rep_id is not None}
    if not wanted:
        return set()
    return set(reps_visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))


def customer_get_visible(*, user: User, customer_id: int) -> Customer:
    return get_visible_or_404(customers_visible_to(user), pk=customer_id)


def assignments_visible_to(user: User) -> QuerySet[Assignment]:
    """Assignments held by a rep the user may see, or by the user as covering manager."""
    assignments = Assignment.objects.select_related("rep", "manager", "customer")
    if sees_whole_organisation(user):
        return assignments
    return assignments.filter(narrow_q(user=user, team_field="rep__team_id") | Q(manager=user))


# Kept for callers outside retention that still use the older names.
reps_visible = reps_visible_to
customers_visible = customers_visible_to


def customer_list_with_owner(customers: Iterable[Customer]) -> list[Customer]:
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


def rep_recent_activity(*, rep: SalesRep, limit: int = 20) -> list[Activity]:
    return list(
        Activity.objects.live()
        .filter(rep=rep)
        .select_related("customer")
        .order_by("-occurred_at")[:limit]
    )


def rep_activity_summary(*, rep: SalesRep, today: dt.date, days: int = 90) -> dict[str, int]:
    """The rep's activities by kind over the last ``days`` days, today included, without those
    the CRM deleted."""
    since = today - dt.timedelta(days=days - 1)
    rows = (
        Activity.objects.live()
        .filter(rep=rep, occurred_at__date__gte=since)
        .values("kind")
        .annotate(n=Count("id"))
    )
    return {row["kind"]: row["n"] for row in rows}


def scoring_run_latest_complete() -> ScoringRun | None:
    """The current scores: the succeeded run with the latest as-of date (of two for the same
    date, the later to finish). A run in flight or crashed never mixes into the dashboards, and
    a back-dated run finishing late never displaces newer scores."""
    return (
        ScoringRun.objects.filter(status=ScoringRun.Status.SUCCEEDED)
        .select_related("model")
        # The model's stored pipeline (a megabyte) is for scoring, not for showing a run.
        .defer("model__artifact")
        .order_by("-as_of", "-finished_at", "-id")
        .first()
    )


def scoring_runs_by_date(*, limit: int | None = None) -> list[ScoringRun]:
    """The succeeded runs, one per as-of date, oldest first (of the last ``limit`` dates, or of
    every date): of two runs for one date (an import re-scores the day) the later to finish, as
    ``scoring_run_latest_complete`` chooses. Two points at one date would count the day twice."""
    runs: dict[dt.date, ScoringRun] = {}
    succeeded = ScoringRun.objects.filter(status=ScoringRun.Status.SUCCEEDED).order_by(
        "-as_of", "-finished_at", "-id"
    )
    for run in succeeded.iterator():
        runs.setdefault(run.as_of, run)
        if len(runs) == limit:
            break
    return sorted(runs.values(), key=lambda run: run.as_of)


def risk_thresholds(model: RiskModel | None = None) -> dict:
    """The probabilities from which a score of ``model`` is medium and high: the one home of
    the bands, read by scoring (which stores each score's band with it, so a stored score keeps
    the band it was given), the dashboards and alerts, the rep page's chart, the model page
    and the API. ``model`` defaults to that of the current scores (else the active one).

    A trained model carries its own (``metrics["thresholds"]``, worked out from its
    probabilities when it was trained: the high band holds as many reps as departures are
    expected, medium starts at twice the average rep's chance); the rule-based score and
    models trained before that use RULES_MEDIUM and RULES_HIGH. RELAY_RISK_MEDIUM and
    RELAY_RISK_HIGH, when set, override either for every model. Returns medium, high and
    ``source``: ``model``, ``rules`` or ``settings``."""
    if model is None:
        run = scoring_run_latest_complete()
        model = run.model if run is not None else RiskModel.objects.filter(is_active=True).first()
    own = (model.metrics or {}).get("thresholds") if model is not None else None
    if model is not None and model.kind == RiskModel.Kind.TRAINED and own and own.get("high"):
        medium, high, source = float(own["medium"]), float(own["high"]), "model"
    else:
        medium, high, source = RULES_MEDIUM, RULES_HIGH, "rules"
    if settings.RELAY_RISK_HIGH is not None:
        high, source = settings.RELAY_RISK_HIGH, "settings"
    if settings.RELAY_RISK_MEDIUM is not None:
        medium, source = settings.RELAY_RISK_MEDIUM, "settings"
    return {"medium": min(medium, high), "high": high, "source": source}


def risk_scores_current(*, rep_ids: list[int] | None = None) -> dict[int, RiskScore]:
    """Each rep's score from the latest complete run, keyed by rep id (one query). Not scoped
    and not audited: for services and for features that show no score to a person."""
    run = scoring_run_latest_complete()
    if run is None:
        return {}
    scores = RiskScore.objects.filter(run=run)
    if rep_ids is not None:
        scores = scores.filter(rep_id__in=rep_ids)
    return {score.rep_id: score for score in scores}


def risk_scores_visible_to(user: User, *, run: ScoringRun | None = None) -> AuditedQuerySet:
    """Scores of the reps the user may see (every succeeded run, or only ``run``), audited."""
    scores = narrow(
        _audited(RiskScore, user).filter(run__status=ScoringRun.Status.SUCCEEDED),
        user=user,
        team_field="rep__team_id",
    )
    return scores if run is None else scores.filter(run=run)


def alerts_visible_to(user: User) -> AuditedRiskAlertQuerySet:
    """Alerts about reps the user may see, audited (an alert shows the rep's score)."""
    return narrow(
        _audited(RiskAlert, user, AuditedRiskAlertQuerySet).select_related(
            "rep", "rep__team", "score__rep", "acknowledged_by"
        ),
        user=user,
        team_field="rep__team_id",
    )


def alert_get_visible(*, user: User, alert_id: int) -> RiskAlert:
    return get_visible_or_404(alerts_visible_to(user), pk=alert_id)


def interventions_visible_to(user: User) -> QuerySet[Intervention]:
    return narrow(
        Intervention.objects.select_related("rep", "owner", "created_by"),
        user=user,
        team_field="rep__team_id",
    )


def intervention_get_visible(*, user: User, intervention_id: int) -> Intervention:
    return get_visible_or_404(interventions_visible_to(user), pk=intervention_id)
