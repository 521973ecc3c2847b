"""Reads for the risk dashboard, the rep risk page, routing and alerts.

Every function narrows to the asking user's scope (``accounts.access.scope_team_ids``), and
only scores of succeeded scoring runs are read. The number of queries each function makes is
fixed: rows shown are enriched with one grouped query per column, never one per row.

Scores, alerts and interventions in scope are ``retention.selectors``' (``risk_scores_visible_to``
and ``alerts_visible_to``, audited, and ``interventions_visible_to``); what a rep owns, their
owned key-account revenue and who holds a customer alone are ``retention.ownership``'s: what is
here counts, lists and arranges what those homes hand out.
"""

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Min,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext_lazy

from accounts.access import narrow, scope_cache_key
from accounts.models import Team, User
from accounts.org import org_tree
from config.money import organisation_currency
from retention.models import (
    Assignment,
    Deal,
    Intervention,
    RiskRollup,
    RiskScore,
    SalesRep,
    ScoringRun,
)
from retention.models.scoring import in_band, leaving_first
from retention.ownership import policy
from retention.ownership import selectors as ownership
from retention.risk import drivers
from retention.selectors import (
    alerts_visible_to,
    interventions_visible_to,
    reps_visible_to,
    risk_reads_record,
    risk_scores_visible_to,
    scoring_runs_by_date,
)

HISTORY_RUNS = 12
HISTORY_CACHE_SECONDS = 600


# --- drivers ----------------------------------------------------------------------------------


def driver_text(driver: dict) -> str:
    """A driver's sentence in the reader's language (``retention.risk.drivers`` words it)."""
    return drivers.driver_text(driver)


def driver_signal(driver: dict) -> str:
    """The warning sign a driver belongs to (output, leave, service, visits, context)."""
    return str(driver.get("sign") or driver.get("feature") or "")


# --- team dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardQuery:
    search: str = ""
    team_id: int | None = None
    band: str = ""
    sort: str = "-risk"


DASHBOARD_SORTS: dict[str, tuple] = {
    "-risk": (F("probability").desc(nulls_last=True), "last_name", "id"),
    "risk": (F("probability").asc(nulls_last=True), "last_name", "id"),
    "-change": (F("risk_change").desc(nulls_last=True), "last_name", "id"),
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "team": ("team__name", F("probability").desc(nulls_last=True), "id"),
    "tenure": ("hire_date", "id"),
    "-tenure": ("-hire_date", "-id"),
    "-revenue": (F("key_revenue_sort").desc(nulls_last=True), "id"),
    "-pipeline": (F("pipeline_sort").desc(nulls_last=True), "id"),
}


def dashboard_reps(
    *, user: User, run: ScoringRun | None, query: DashboardQuery
) -> QuerySet[SalesRep]:
    """Reps in scope who have not left, each with its score from ``run`` (or none), one query.

    Sorting by revenue or pipeline at stake adds a correlated subquery per rep; the default
    (risk, highest first) is a join and a top-N sort.
    """
    reps = reps_visible_to(user).exclude(status=SalesRep.Status.LEFT)
    run_id = run.pk if run else 0
    reps = reps.annotate(
        current=FilteredRelation("risk_scores", condition=Q(risk_scores__run_id=run_id)),
    ).annotate(
        probability=F("current__probability"),
        band=F("current__band"),
        risk_change=F("current__change"),
        drivers=F("current__drivers"),
        score_status=F("current__status"),
        last_day=F("current__last_day"),
        # Reps serving notice come first (soonest last day first) in the default order.
        leaving_first=leaving_first("current__status"),
    )
    for word in query.search.split():
        reps = reps.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(team__name__icontains=word)
        )
    if query.team_id:
        # A region's id filters to every team below it.
        reps = reps.filter(team_id__in=org_tree().descendants([query.team_id]))
    # A band lists the reps its card counts (``_summary_of_scores``): reps serving notice are
    # in no band but under "leaving", as the page shows them.
    if query.band in (*RiskScore.Band.values, RiskScore.Status.LEAVING):
        reps = reps.filter(in_band(query.band, "current__"))
    elif query.band == "none":
        reps = reps.filter(current__id__isnull=True)
    if query.sort == "-revenue":
        reps = reps.annotate(key_revenue_sort=ownership.key_revenue_owned_subquery())
    if query.sort == "-pipeline":
        reps = reps.annotate(pipeline_sort=_pipeline_subquery())
    order = DASHBOARD_SORTS.get(query.sort, DASHBOARD_SORTS["-risk"])
    if sorts_scored_first(query.sort):
        order = ("leaving_first", F("last_day").asc(nulls_last=True), *order)
    return reps.order_by(*order)


def sorts_scored_first(sort: str) -> bool:
    """Whether ``sort`` is the default order (leaving reps first, then risk, highest first),
    which puts every rep scored in the run before every rep who is not (a score always has a
    probability): the order the index ``retention_score_page_order`` walks."""
    return sort not in DASHBOARD_SORTS or sort == "-risk"


class _CountedPaginator(Paginator):
    """A paginator told its count (read beside the page's ids) instead of asking for it."""

    def __init__(self, count: int, per_page: int) -> None:
        super().__init__((), per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def dashboard_page_ids(
    *, reps: QuerySet[SalesRep], number: object, size: int, sort: str | None = None
) -> Page:
    """One page of ``dashboard_reps``' ids, sorted, with the total beside each id as a window
    count: one query where a paginator makes two (its COUNT is the same join again). Pages
    are numbered as ``Paginator.get_page`` numbers them: not a number is the first, past the
    end is the last.

    ``sort``: the sort ``reps`` was made with (None: not said, read as any order). In the
    default order (``sorts_scored_first``)
    the page is read from the run's scores in that order, from an index, instead of sorting
    every rep in scope (see ``_page_ids_scored_first``)."""
    try:
        wanted = int(str(number))
    except ValueError:
        wanted = 1
    if wanted >= 1 and sort is not None and sorts_scored_first(sort):
        page = _page_ids_scored_first(reps=reps, wanted=wanted, size=size)
        if page is not None:
            return page
        return Paginator(reps.values_list("id", flat=True), size).get_page(wanted)
    rows = []
    if wanted >= 1:
        start = (wanted - 1) * size
        rows = list(
            reps.annotate(in_all=Window(Count("pk"))).values_list("id", "in_all")[
                start : start + size
            ]
        )
    if not rows and wanted != 1:  # before the first or past the end: the paginator's answer
        return Paginator(reps.values_list("id", flat=True), size).get_page(wanted)
    page = _CountedPaginator(rows[0][1] if rows else 0, size).page(wanted)
    page.object_list = [rep_id for rep_id, _total in rows]
    return page


def _page_ids_scored_first(*, reps: QuerySet[SalesRep], wanted: int, size: int) -> Page | None:
    """Page ``wanted`` of ``reps`` sorted in the default order, or None past the end.

    In that order every rep with a score in the run (an inner join to the run's scores)
    comes before every rep without one, and those come by name: so the page is the scored
    reps' rows from ``start`` (PostgreSQL walks the index on the run's scores in the page's
    order, then sorts only ties by name), followed, where they run out, by the unscored
    reps'. The total is a COUNT of the reps, which needs the scores only when filtered by
    band. Two queries on the first pages, three or four where the unscored reps begin."""
    start = (wanted - 1) * size
    total = reps.order_by().count()
    if start >= total:
        return None
    scored = reps.filter(probability__isnull=False)
    ids = list(scored.values_list("id", flat=True)[start : start + size])
    if len(ids) < size and start + len(ids) < total:
        scored_count = start + len(ids) if ids else scored.order_by().count()
        offset = max(start - scored_count, 0)
        unscored = reps.filter(current__id__isnull=True).values_list("id", flat=True)
        ids += unscored[offset : offset + size - len(ids)]
    page = _CountedPaginator(total, size).page(wanted)
    page.object_list = ids
    return page


def dashboard_page(
    *, reps: QuerySet[SalesRep], number: object, size: int, sort: str | None = None
) -> Page:
    """One page of ``dashboard_reps``: sort and slice on ids only, then load the 50 full rows.

    Sorting 10,000 narrow rows and fetching 50 wide ones (drivers and all) is three times
    faster than sorting the wide rows themselves.
    """
    page = dashboard_page_ids(reps=reps, number=number, size=size, sort=sort)
    ids = list(page.object_list)
    rows = {rep.pk: rep for rep in reps.order_by().filter(pk__in=ids)}
    page.object_list = [rows[rep_id] for rep_id in ids if rep_id in rows]
    return page


def _pipeline_subquery():
    from django.db.models import OuterRef, Subquery

    return Subquery(
        Deal.objects.open()
        .filter(owner=OuterRef("pk"))
        .values("owner")
        .annotate(total=Sum("amount"))
        .values("total")
    )


def open_pipeline_by_rep(rep_ids: Iterable[int]) -> dict[int, Decimal]:
    rows = (
        Deal.objects.open()
        .filter(owner_id__in=list(rep_ids))
        .values("owner_id")
        .annotate(total=Sum("amount"))
    )
    return {row["owner_id"]: row["total"] or Decimal(0) for row in rows}


def last_intervention_by_rep(rep_ids: Iterable[int]) -> dict[int, Intervention]:
    interventions = Intervention.objects.filter(rep_id__in=list(rep_ids)).order_by(
        "rep_id", "-created_at", "-id"
    )
    if connection.features.can_distinct_on_fields:
        interventions = interventions.distinct("rep_id")
    latest: dict[int, Intervention] = {}
    for intervention in interventions:
        latest.setdefault(intervention.rep_id, intervention)
    return latest


def dashboard_rows_attach(*, reps: Iterable[SalesRep], today: dt.date) -> list[SalesRep]:
    """Attach what is at stake, the top driver, tenure and the last intervention to the reps
    shown, and whether any of their key accounts depends on them alone (four queries however
    many rows)."""
    reps = list(reps)
    ids = [rep.pk for rep in reps]
    revenue = ownership.key_revenue_owned_by_rep(ids)
    single_threaded = ownership.reps_holding_single_threaded(ids)
    pipeline = open_pipeline_by_rep(ids)
    last = last_intervention_by_rep(ids)
    for rep in reps:
        rep.key_revenue = revenue.get(rep.pk, Decimal(0))
        rep.holds_single_threaded = rep.pk in single_threaded
        rep.open_pipeline = pipeline.get(rep.pk, Decimal(0))
        rep.last_intervention = last.get(rep.pk)
        rep.is_leaving = rep.score_status == RiskScore.Status.LEAVING
        if rep.is_leaving:
            # Leaving is a fact, not a chance: no band, no percentage, no change.
            rep.band_label = _leaving_label(rep.last_day)
        else:
            rep.band_label = RiskScore.Band(rep.band).label if rep.band else ""
        rep.top_driver = driver_text(rep.drivers[0]) if rep.drivers else ""
        rep.tenure_years = round((today - rep.hire_date).days / 365.25, 1)
    return reps


def _leaving_label(last_day: dt.date) -> str:
    return str(gettext_lazy("Leaving — last day %(day)s") % {"day": last_day.isoformat()})


# --- reps serving notice ----------------------------------------------------------------------


@dataclass
class LeavingRep:
    """A rep serving notice, first on the dashboard: what they hold and how covered it is."""

    rep: SalesRep
    last_day: dt.date
    days_left: int
    key_accounts: int
    key_revenue: Decimal
    key_with_backup: int
    customers: int
    owned_customers: int
    handover_url: str = ""

    @property
    def label(self) -> str:
        return _leaving_label(self.last_day)

    @property
    def key_without_backup(self) -> int:
        return self.key_accounts - self.key_with_backup


def leaving_reps(*, user: User, run: ScoringRun | None, today: dt.date) -> list[LeavingRep]:
    """Reps in scope whom ``run`` found serving notice, soonest last day first, each with the
    key accounts they still own (count and annual revenue), how many of those have a backup or
    cover, and how many customers they still hold (any role: what a handover plan moves) and
    of those how many they own (the customers their vacancy lists).
    Three queries however many reps, and one audit row per rep shown: the scores are read
    through the one audited scope (``risk_scores_visible_to``), and every one read is shown."""
    if run is None:
        return []
    scores = list(
        risk_scores_visible_to(user, run=run)
        .filter(status=RiskScore.Status.LEAVING)
        # The same condition as the first key of the index retention_score_page_order:
        # PostgreSQL reads the run's few leaving scores from it instead of filtering all
        # 10,000 of the run's scores.
        .alias(leaving_first=leaving_first())
        .filter(leaving_first=0)
        .exclude(rep__status=SalesRep.Status.LEFT)
        .select_related("rep", "rep__team")
        .order_by("last_day", "rep__last_name", "rep_id")
    )
    if not scores:
        return []
    # Every current relationship, as a handover plan moves each (an owner's, a backup's, a
    # cover's), each marked by ownership's rules: whether the rep owns it, and whether it is
    # one of their owned key accounts (the figures of the dashboard's rows).
    held = list(
        Assignment.objects.filter(
            rep_id__in=[score.rep_id for score in scores], valid_to__isnull=True
        )
        .annotate(
            owned=ownership.owning_now_q(),
            owned_key=ownership.owning_key_account_q(),
            revenue=F("customer__annual_revenue"),
        )
        .values_list("rep_id", "customer_id", "owned", "owned_key", "revenue", named=True)
    )
    key_ids = {row.customer_id for row in held if row.owned_key}
    backed = set(
        Assignment.objects.filter(
            customer_id__in=key_ids, valid_to__isnull=True, role__in=ownership.BACKUP_ROLES
        ).values_list("customer_id", flat=True)
    )
    rows = []
    for score in scores:
        mine = [row for row in held if row.rep_id == score.rep_id]
        key = [row for row in mine if row.owned_key]
        rows.append(
            LeavingRep(
                rep=score.rep,
                last_day=score.last_day,
                days_left=(score.last_day - today).days,
                key_accounts=len(key),
                key_revenue=sum((row.revenue for row in key), Decimal(0)),
                key_with_backup=sum(1 for row in key if row.customer_id in backed),
                customers=len({row.customer_id for row in mine}),
                owned_customers=len({row.customer_id for row in mine if row.owned}),
            )
        )
    return rows


# --- summary ----------------------------------------------------------------------------------


@dataclass
class DashboardSummary:
    band_counts: dict[str, int] = field(default_factory=dict)
    leaving: int = 0
    unscored: int = 0
    high_risk_revenue: Decimal = Decimal(0)
    high_risk_key_revenue: Decimal = Decimal(0)
    high_risk_pipeline: Decimal = Decimal(0)
    open_alerts: int = 0
    overdue_follow_ups: int = 0

    @property
    def total(self) -> int:
        return sum(self.band_counts.values()) + self.leaving + self.unscored


SUMMARY_CACHE_SECONDS = 300


def dashboard_summary(*, user: User, run: ScoringRun | None, today: dt.date) -> DashboardSummary:
    """The scope's counts by band and what its high-risk reps hold, plus open alerts and
    overdue follow-ups.

    Band counts and holdings aggregate the whole scope (10,000 reps for an admin), so they are
    cached for five minutes under the run id; alerts and follow-ups are always live.
    """
    summary = _summary_of_scores_cached(user=user, run=run)
    summary.open_alerts = alerts_open_count(user=user)
    summary.overdue_follow_ups = interventions_overdue(user=user, today=today).count()
    return summary


def _summary_of_scores_cached(*, user: User, run: ScoringRun | None) -> DashboardSummary:
    key = f"relay:dashboard:summary:{run.pk if run else 0}:{scope_cache_key(user)}"
    summary = cache.get(key)
    if summary is None:
        summary = _summary_of_scores(user=user, run=run)
        cache.set(key, summary, SUMMARY_CACHE_SECONDS)
    return summary


def _summary_of_scores(*, user: User, run: ScoringRun | None) -> DashboardSummary:
    """Live counts of the scope's current reps (by their team now, without those who have
    left) in ``run``: the same reps as the dashboard's rows."""
    summary = DashboardSummary(band_counts={band: 0 for band in RiskScore.Band.values})
    reps = reps_visible_to(user).exclude(status=SalesRep.Status.LEFT)
    if run is None:
        summary.unscored = reps.count()
        return summary
    # One pass over the reps with their score in the run, if any: counted by status and band,
    # those without a score (no status) are the unscored. Reps serving notice are counted
    # apart, not as high risk; what they hold is at stake.
    counts = (
        reps.annotate(
            current=FilteredRelation("risk_scores", condition=Q(risk_scores__run_id=run.pk))
        )
        .values("current__status", "current__band")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in counts:
        if row["current__status"] is None:
            summary.unscored += row["n"]
        elif row["current__status"] == RiskScore.Status.LEAVING:
            summary.leaving += row["n"]
        else:
            summary.band_counts[row["current__band"]] += row["n"]
    # What the scope's high-risk reps hold: their score in the run joined in (one a rep
    # and run, so no row counts twice), not an IN over a subquery of them, for which
    # PostgreSQL read every current assignment and every open deal (13.7 and 7.7 ms at
    # 10,000 reps; joined, it looks up the 555 reps' own: 8.2 and 3.8 ms).
    # What they own, as the rows count it (``retention.ownership``'s rules): all of it, and
    # their owned key accounts.
    held = narrow(
        Assignment.objects.filter(
            ownership.owning_now_q(),
            rep__risk_scores__run=run,
            rep__risk_scores__band=RiskScore.Band.HIGH,
        ).exclude(rep__status=SalesRep.Status.LEFT),
        user=user,
        team_field="rep__team_id",
    ).aggregate(
        revenue=Sum("customer__annual_revenue"),
        key_revenue=Sum("customer__annual_revenue", filter=ownership.owning_key_account_q()),
    )
    summary.high_risk_revenue = held["revenue"] or Decimal(0)
    summary.high_risk_key_revenue = held["key_revenue"] or Decimal(0)
    summary.high_risk_pipeline = narrow(
        Deal.objects.open()
        .filter(
            owner__risk_scores__run=run,
            owner__risk_scores__band=RiskScore.Band.HIGH,
        )
        .exclude(owner__status=SalesRep.Status.LEFT),
        user=user,
        team_field="owner__team_id",
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return summary


def band_history(*, user: User, latest: ScoringRun | None, limit: int = HISTORY_RUNS) -> list[dict]:
    """Counts by band for each of the last ``limit`` succeeded runs, oldest first, in the
    viewer's scope. Reps serving notice are leaving, not high risk: left out of the bands.

    Past runs are read from their rollups (``RiskRollup``): each rep in the team they were in
    when the run was published, reps who left since included, as the history was. The latest
    run's point is the summary's live band counts (reps in their team now, without those who
    have left), so the chart ends on the numbers printed above it and on the rows below. The
    rollups' points are cached under the latest run's id: a published run's never change.
    """
    if latest is None:
        return []
    # The points as the rollups give them, before the latest is made live: a key of its own,
    # since the history cached under the former key had another shape.
    key = f"relay:dashboard:band-history-rollups:{latest.pk}:{limit}:{scope_cache_key(user)}"
    history = cache.get(key)
    if history is None:
        history = _band_history_of_rollups(user=user, limit=limit)
        cache.set(key, history, HISTORY_CACHE_SECONDS)
    live = _summary_of_scores_cached(user=user, run=latest).band_counts
    return [
        {"as_of": point["as_of"], **(live if point["run_id"] == latest.pk else point["bands"])}
        for point in history
    ]


def _band_history_of_rollups(*, user: User, limit: int) -> list[dict]:
    runs = scoring_runs_by_date(limit=limit)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    cells = narrow(
        RiskRollup.objects.filter(
            run_id__in=[run.pk for run in runs], status=RiskScore.Status.SCORED
        ),
        user=user,
        team_field="team_id",
    )
    for row in cells.values("run_id", "band").annotate(n=Sum("reps")).order_by():
        counts[row["run_id"]][row["band"]] = row["n"]
    return [
        {
            "run_id": run.pk,
            "as_of": run.as_of,
            "bands": {band: counts[run.pk].get(band, 0) for band in RiskScore.Band.values},
        }
        for run in runs
    ]


def team_risk_heatmap(*, latest: ScoringRun | None, limit: int = HISTORY_RUNS) -> list[dict]:
    """Mean probability and share of high-risk reps per team and run, for the whole org, read
    from the runs' rollups: each rep in the team they were in when the run was published (a
    team's row is its history as it was). Reps serving notice are left out. Sorted by team
    name and date.

    Not cached itself: a page reads it only to build the figure's JSON, which is cached
    (``team_heatmap_json``); pickling these 10,000 cells into the cache as well cost 4.6 ms
    of CPU on every cold page."""
    if latest is None:
        return []
    as_of = {run.pk: run.as_of for run in scoring_runs_by_date(limit=limit)}
    rows = list(
        RiskRollup.objects.filter(run_id__in=list(as_of), status=RiskScore.Status.SCORED)
        .values("run_id", "team_id")
        .annotate(
            n=Sum("reps"),
            high=Sum("reps", filter=Q(band=RiskScore.Band.HIGH)),
            total=Sum("probability_sum"),
        )
        .order_by()
        .values_list("run_id", "team_id", "n", "high", "total")
    )
    # The teams' names apart, read after the rollups (a team with a rollup cannot be
    # deleted): joined into the aggregate, they made PostgreSQL group 25,000 rollup rows by
    # name as well (13.6 ms against 8.0 ms at 866 teams, 12 runs).
    names = dict(Team.objects.values_list("id", "name"))
    # Tuples, not dicts, from the database: 866 teams by 12 runs are 10,000 rows. Sorted
    # team by team (866 names, then each team's dozen dates), as one sort by (team, date)
    # would order them, in a third of its time.
    by_team: dict[str, list[dict]] = defaultdict(list)
    for run_id, team_id, n, high, total in rows:
        team = names[team_id]
        by_team[team].append(
            {
                "as_of": as_of[run_id],
                "team_id": team_id,
                "team": team,
                "reps": n,
                "high": high or 0,
                "mean_probability": (total or 0) / n,
            }
        )
    by_date = itemgetter("as_of")
    return [cell for team in sorted(by_team) for cell in sorted(by_team[team], key=by_date)]


def team_heatmap_json(run: ScoringRun) -> str:
    """The org-wide heat map's figure as JSON in the active language. It only changes with a
    new run: cached under the run id (and warmed by ``dashboard_cache_warm``)."""
    from retention import charts

    return cache.get_or_set(
        f"relay:dashboard:team-heatmap-json:{run.pk}:{get_language()}",
        lambda: charts.figure_json(charts.team_heatmap_spec(team_risk_heatmap(latest=run))),
        HISTORY_CACHE_SECONDS,
    )


# --- interventions ----------------------------------------------------------------------------


def overdue_follow_ups(
    interventions: QuerySet[Intervention], *, today: dt.date
) -> QuerySet[Intervention]:
    """Of ``interventions``, the overdue follow-ups: open (no outcome, or "too early to tell"),
    their follow-up date passed, of a rep who has not left (once a rep has gone there is
    nobody left to follow up with; their rows are off the dashboard too). Soonest due first."""
    return (
        interventions.filter(
            follow_up_on__lt=today,
            follow_up_on__isnull=False,
            outcome__in=["", Intervention.Outcome.TOO_EARLY],
        )
        .exclude(rep__status=SalesRep.Status.LEFT)
        .order_by("follow_up_on", "id")
    )


def interventions_overdue(*, user: User, today: dt.date) -> QuerySet[Intervention]:
    """The overdue follow-ups (``overdue_follow_ups``) in the user's scope (the one scope rule,
    ``retention.selectors.interventions_visible_to``)."""
    return overdue_follow_ups(interventions_visible_to(user), today=today)


def rep_interventions(*, rep: SalesRep) -> QuerySet[Intervention]:
    """The rep's intervention log, newest first, with who owns and who logged each: the rep
    page's and the API's (``/api/reps/{id}/interventions/``, filtered further there). The
    caller has fetched the rep in scope, and every intervention about a rep in scope is."""
    return (
        Intervention.objects.filter(rep=rep)
        .select_related("owner", "created_by")
        .order_by("-created_at", "-id")
    )


# --- alerts -----------------------------------------------------------------------------------


def alerts_open_count(*, user: User) -> int:
    """How many alerts in the user's scope nobody has acknowledged: the navigation's badge and
    the dashboard's card. A COUNT of the one audited scope (``alerts_visible_to``), which hands
    out no score and so writes no audit row."""
    return alerts_visible_to(user).open().count()


# --- rep risk page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """The rep's own normal range for a signal: mean ± one standard deviation of earlier values."""

    low: float
    high: float
    mean: float
    points: int


def signal_baseline(values: list[float], *, recent: int = 4) -> Baseline | None:
    """Baseline from all but the ``recent`` latest values (all values when history is short)."""
    earlier = values[:-recent] if len(values) > recent + 2 else values
    if not earlier:
        return None
    mean = statistics.fmean(earlier)
    spread = statistics.pstdev(earlier) if len(earlier) > 1 else 0.0
    return Baseline(low=mean - spread, high=mean + spread, mean=mean, points=len(earlier))


@dataclass(frozen=True)
class SignalDisplay:
    """How a person reads one scoring signal on a chart: its name, the unit of the numbers
    shown (after ``scale``), and the suffix after each number ("%" or nothing)."""

    label: str
    unit: str
    scale: float = 1.0
    suffix: str = ""


def _change_pct(label: str) -> SignalDisplay:
    return SignalDisplay(label, gettext_lazy("% against own usual"), 100.0, "%")


def _signal_displays() -> dict[str, SignalDisplay]:
    days = gettext_lazy("working days")
    points = gettext_lazy("points of 100")
    return {
        "activity_change": _change_pct(gettext_lazy("Activities a week (13 weeks)")),
        "activity_change_6w": _change_pct(gettext_lazy("Activities a week (6 weeks)")),
        "activity_variation": SignalDisplay(
            gettext_lazy("Swings in weekly activity"),
            # xgettext:no-python-format
            gettext_lazy("% of the weekly average"),
            100.0,
            "%",
        ),
        "activity_volatility": SignalDisplay(
            gettext_lazy("Swings in weekly activity, change"),
            gettext_lazy("percentage points against own usual"),
            100.0,
        ),
        "activity_vs_peers": SignalDisplay(
            gettext_lazy("Activities against team peers"),
            gettext_lazy("% against the team median"),
            100.0,
            "%",
        ),
        "pipeline_change": _change_pct(gettext_lazy("New pipeline a week")),
        "quota_attainment": SignalDisplay(
            gettext_lazy("Quota attained (26 weeks)"),
            # xgettext:no-python-format
            gettext_lazy("% of quota"),
            100.0,
            "%",
        ),
        "overdue_todos": SignalDisplay(gettext_lazy("Overdue to-dos"), gettext_lazy("to-dos")),
        "leave_days_recent": SignalDisplay(gettext_lazy("Days off (91 days)"), days),
        "leave_days_change": SignalDisplay(gettext_lazy("Days off against usual (91 days)"), days),
        "adhoc_leave_days": SignalDisplay(gettext_lazy("Ad hoc days off (91 days)"), days),
        "adhoc_leave_episodes": SignalDisplay(
            gettext_lazy("Ad hoc absences (91 days)"), gettext_lazy("absences")
        ),
        "sick_days": SignalDisplay(gettext_lazy("Sick days (91 days)"), days),
        "planned_leave_days": SignalDisplay(gettext_lazy("Planned leave (91 days)"), days),
        "leave_episode_change": SignalDisplay(
            gettext_lazy("Length of leave episodes, change"), gettext_lazy("days against usual")
        ),
        "bridge_days": SignalDisplay(
            gettext_lazy("Single days off next to a weekend, against usual (91 days)"),
            gettext_lazy("days"),
        ),
        "bridge_days_6w": SignalDisplay(
            gettext_lazy("Single days off next to a weekend (6 weeks)"), gettext_lazy("days")
        ),
        "service_level": SignalDisplay(gettext_lazy("Service score (13 weeks)"), points, 100.0),
        "service_change": SignalDisplay(
            gettext_lazy("Service score against usual (13 weeks)"), points, 100.0
        ),
        "service_change_6w": SignalDisplay(
            gettext_lazy("Service score against usual (6 weeks)"), points, 100.0
        ),
        "escalations_recent": SignalDisplay(
            gettext_lazy("Complaints and escalations (13 weeks)"), gettext_lazy("cases")
        ),
        "complaints_change": SignalDisplay(
            gettext_lazy("Complaints and escalations against usual"), gettext_lazy("cases")
        ),
        "escalation_rate": SignalDisplay(
            gettext_lazy("Cases escalated (13 weeks)"),
            # xgettext:no-python-format
            gettext_lazy("% of cases"),
            100.0,
            "%",
        ),
        "resolution_days": SignalDisplay(
            gettext_lazy("Time to resolve a case (13 weeks)"), gettext_lazy("days")
        ),
        "resolution_days_change": SignalDisplay(
            gettext_lazy("Time to resolve a case, change"), gettext_lazy("days against usual")
        ),
        "visit_hours_recent": SignalDisplay(
            gettext_lazy("Visit and meeting hours a week (13 weeks)"), gettext_lazy("hours")
        ),
        "visit_hours_change": SignalDisplay(
            gettext_lazy("Visit and meeting hours, change"),
            gettext_lazy("% against the 13 weeks before"),
            100.0,
            "%",
        ),
        "visit_hours_change_6w": _change_pct(gettext_lazy("Visit and meeting hours (6 weeks)")),
        "minutes_per_visit": SignalDisplay(
            gettext_lazy("Minutes per visit (13 weeks)"), gettext_lazy("minutes")
        ),
        "minutes_per_visit_change": SignalDisplay(
            gettext_lazy("Minutes per visit, change"),
            gettext_lazy("% against the 13 weeks before"),
            100.0,
            "%",
        ),
        "team_departures_90d": SignalDisplay(
            gettext_lazy("Resignations in the team (90 days)"), gettext_lazy("people")
        ),
    }


SIGNAL_DISPLAYS = _signal_displays()


def signals_to_chart(
    series: dict[str, list[tuple[dt.date, float]]],
    baselines: dict[str, Baseline | None],
    *,
    drivers: Iterable[dict] = (),
    limit: int = 8,
) -> dict[str, list[tuple[dt.date, float]]]:
    """The signals worth a panel on the rep page, at most ``limit``: the drivers' own signals
    first, then those whose latest value sits furthest outside the rep's usual range (in
    spreads from the usual average); a signal that never moved from its usual value is left out.
    Thirty small panels of flat lines would hide the two that matter."""
    driver_order = [d.get("feature") for d in drivers if d.get("feature") in series]

    def distance(name: str) -> float:
        baseline = baselines.get(name)
        if baseline is None or not series[name]:
            return 0.0
        latest = series[name][-1][1]
        spread = (baseline.high - baseline.low) / 2
        if spread <= 1e-9:
            return float("inf") if abs(latest - baseline.mean) > 1e-9 else 0.0
        return abs(latest - baseline.mean) / spread

    ranked = sorted(
        (name for name in series if name not in driver_order and distance(name) > 0),
        key=lambda name: -distance(name),
    )
    chosen = list(dict.fromkeys(driver_order)) + ranked
    return {name: series[name] for name in chosen[:limit]}


# The rep page charts the signals in SIGNAL_DISPLAYS, those with a usual range to compare with:
# tenure only grows, and team or manager changes are yes/no facts the drivers tell in words.
SIGNAL_LABELS = {name: display.label for name, display in SIGNAL_DISPLAYS.items()} | {
    "tenure_years": gettext_lazy("Tenure (years)"),
    "team_change_recent": gettext_lazy("Recent change of team"),
    "manager_change_recent": gettext_lazy("Recent change of manager"),
}


def rep_signal_series(
    history: list[RiskScore], *, names: Iterable[str] | None = None
) -> dict[str, list[tuple[dt.date, float]]]:
    """Each numeric signal's values over the rep's score history.

    ``names`` picks the signals and their order (the scoring features); without it every
    numeric value stored is a series, in first-seen order.
    """
    wanted = list(names) if names is not None else None
    series: dict[str, list[tuple[dt.date, float]]] = {name: [] for name in wanted or []}
    for score in history:
        for name, value in (score.signals or {}).items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if wanted is not None and name not in series:
                continue
            series.setdefault(name, []).append((score.as_of, float(value)))
    return {name: points for name, points in series.items() if points}


@dataclass
class CustomerAtStake:
    assignment: Assignment
    open_pipeline: Decimal
    open_deals: list[Deal]
    relationship_since: dt.date
    relationship_days: int
    only_relationship: bool

    @property
    def customer(self):
        return self.assignment.customer

    @property
    def at_stake(self) -> Decimal:
        return self.customer.annual_revenue + self.open_pipeline


def rep_customers_at_stake(*, rep: SalesRep, today: dt.date) -> list[CustomerAtStake]:
    """The rep's current customers, most at stake (revenue + open pipeline) first, each with its
    open deals and stages, how long the rep has held it and whether the rep is its only current
    relationship (``retention.ownership``'s rule). Four queries."""
    assignments = ownership.rep_current_assignments(rep=rep)
    customer_ids = [a.customer_id for a in assignments]
    deals: dict[int, list[Deal]] = defaultdict(list)
    for deal in Deal.objects.open().filter(customer_id__in=customer_ids).order_by("-amount", "id"):
        deals[deal.customer_id].append(deal)
    alone = ownership.customers_held_alone_by(rep_id=rep.pk, customer_ids=customer_ids)
    since = dict(
        Assignment.objects.filter(rep=rep, customer_id__in=customer_ids)
        .values("customer_id")
        .annotate(first=Min("valid_from"))
        .values_list("customer_id", "first")
    )
    rows = []
    for assignment in assignments:
        first = since.get(assignment.customer_id, assignment.valid_from)
        customer_deals = deals.get(assignment.customer_id, [])
        rows.append(
            CustomerAtStake(
                assignment=assignment,
                open_pipeline=sum((d.amount for d in customer_deals), Decimal(0)),
                open_deals=customer_deals,
                relationship_since=first,
                relationship_days=max((today - first).days, 0),
                only_relationship=assignment.customer_id in alone,
            )
        )
    rows.sort(key=lambda row: (-row.at_stake, row.customer.name))
    return rows


# --- routing ----------------------------------------------------------------------------------


@dataclass
class RoutingRow:
    customer_id: int
    customer_name: str
    customer_source: str
    customer_external_id: str
    annual_revenue: Decimal
    currency: str  # ISO 4217 of annual_revenue
    owner_id: int
    owner_name: str
    owner_email: str
    owner_crm_user_id: str
    owner_team: str
    owner_probability: float | None
    owner_last_day: dt.date | None  # set when the owner is serving notice (not a probability)
    alternate_kind: str  # backup | team_rep | manager | none
    alternate_rep_id: int | None
    alternate_user_id: int | None
    alternate_name: str
    alternate_email: str
    alternate_crm_user_id: str
    reason: str


AlternateKind = policy.Kind


def routing_rows(*, user: User, run: ScoringRun | None) -> list[RoutingRow]:
    """For each key customer owned by a high-risk rep in scope, who should take its calls.

    The choice is ``retention.ownership.policy``'s, the same rule as handover suggestions: an
    existing backup, then a low-risk rep of the owner's team and region (least loaded first,
    counting the customers routed to them here), then the team's manager; never a rep serving
    notice or at high risk, and never anyone outside the viewer's scope (so no name, e-mail or
    CRM id of another team's rep appears here). A fixed number of queries however many rows;
    every read writes its audit rows (page, export and API alike).
    """
    if run is None:
        return []
    high = {
        score.rep_id: score
        for score in narrow(
            RiskScore.objects.filter(run=run, band=RiskScore.Band.HIGH).exclude(
                rep__status=SalesRep.Status.LEFT
            ),
            user=user,
            team_field="rep__team_id",
        )
    }
    owned = list(
        Assignment.objects.filter(ownership.owning_key_account_q(), rep_id__in=list(high))
        .select_related("customer", "rep", "rep__team")
        .order_by("-customer__annual_revenue", "customer__name", "customer_id")
    )
    if not owned:
        return []
    recommended = ownership.recipients_recommend(holdings=owned, user=user, run=run)
    rows = []
    for assignment in owned:
        customer, owner = assignment.customer, assignment.rep
        choice = recommended[customer.pk]
        row = RoutingRow(
            customer_id=customer.pk,
            customer_name=customer.name,
            customer_source=customer.source,
            customer_external_id=customer.external_id,
            annual_revenue=customer.annual_revenue,
            currency=customer.currency or organisation_currency(),
            owner_id=owner.pk,
            owner_name=owner.full_name,
            owner_email=owner.email,
            owner_crm_user_id=owner.crm_user_id,
            owner_team=owner.team.name,
            # A rep serving notice has a last day, not a probability.
            owner_probability=None if high[owner.pk].is_leaving else high[owner.pk].probability,
            owner_last_day=high[owner.pk].last_day if high[owner.pk].is_leaving else None,
            alternate_kind=choice.kind,
            alternate_rep_id=choice.rep_id,
            alternate_user_id=choice.manager_id,
            alternate_name=choice.name,
            alternate_email=choice.email,
            alternate_crm_user_id=choice.crm_user_id,
            reason=choice.reason,
        )
        rows.append(row)
    # Audited here, inside the read: each row shows its owner's score, and a backup's or
    # team-mate's reason names theirs.
    rep_ids = [row.owner_id for row in rows]
    rep_ids += [row.alternate_rep_id for row in rows if row.alternate_rep_id]
    risk_reads_record(viewer=user, rep_ids=rep_ids)
    return rows
