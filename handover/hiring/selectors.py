"""Reads for hiring, always narrowed to what the asking user may see.

Scope is ``accounts.access``: HR and admins see everything; sales managers the vacancies of
their teams (and the teams below), the candidates on those vacancies, the onboarding of reps in
those teams and the cost of departures from them; nobody else anything. Each kind of object has
its ``*_visible_to(user)`` selector and every page and API reads through it; out of scope is a
404, never a hint. Rights (who may run hiring, who sees salary bands) are the role groups'
permissions, asked through ``accounts.access.may``.
"""

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.db.models import Case, Count, FloatField, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import get_visible_or_404, may, narrow, narrow_q
from accounts.models import User
from handover.hiring import costs, matching, rampup
from handover.models import (
    Application,
    Candidate,
    HandoverPlan,
    OnboardingPlan,
    OnboardingTask,
    StageChange,
    Vacancy,
)
from retention import people
from retention.models import Assignment, Customer, Deal, RiskScore, SalesRep
from retention.models.scoring import in_band
from retention.ownership import selectors as ownership

# A rep counts as established (part of the team benchmark) this long after their hire date.
ESTABLISHED_AFTER_DAYS = settings.RELAY_ESTABLISHED_AFTER_DAYS
# Candidates with at least this many years of sales are "experienced" in the cohort view.
EXPERIENCED_YEARS = settings.RELAY_EXPERIENCED_YEARS
RAMP_TARGET_SHARE = settings.RELAY_RAMP_TARGET_SHARE
PRE_WINDOW_DAYS = settings.RELAY_DEPARTURE_PRE_WINDOW_DAYS
AT_STAKE_TRAILING_DAYS = 365


def ramp_target_share(percent: int | None) -> float:
    """The ``target`` parameter of pages and API (a percentage of the team median, already
    validated by ``handover.filters``) as a share; the setting when it is not given."""
    return percent / 100 if percent else RAMP_TARGET_SHARE


MANAGE_HIRING = "handover.manage_hiring"
SEE_SALARY_BAND = "handover.see_salary_band"


def sees_salary(user: User) -> bool:
    """Salary bands, on pages and in the API, for roles holding the right (HR and admins)."""
    return may(user, SEE_SALARY_BAND)


def can_manage_hiring(user: User) -> bool:
    """Open vacancies, keep the pool and move candidates through the pipeline (HR and admins)."""
    return may(user, MANAGE_HIRING)


# --- vacancies ---------------------------------------------------------------------------------


def vacancies_visible_to(*, user: User) -> QuerySet[Vacancy]:
    vacancies = Vacancy.objects.select_related("team", "leaving_rep", "hiring_manager", "successor")
    return narrow(vacancies, user=user, team_field="team_id")


def vacancy_get_visible(*, user: User, vacancy_id: int) -> Vacancy:
    return get_visible_or_404(vacancies_visible_to(user=user), pk=vacancy_id)


def vacancy_rows_visible_to(*, user: User) -> QuerySet[Vacancy]:
    """The vacancy list: open ones first (then on hold, filled, cancelled), newest first, with
    the number of candidates."""
    status_order = Case(
        *(
            When(status=status, then=Value(rank))
            for rank, status in enumerate(VACANCY_LIST_STATUS_ORDER)
        ),
        default=Value(len(VACANCY_LIST_STATUS_ORDER)),
    )
    return (
        vacancies_visible_to(user=user)
        .annotate(candidates=Count("applications", distinct=True))
        .order_by(status_order, "-opened_on", "-id")
    )


# Sorting by the stored names would put "filled" before "open".
VACANCY_LIST_STATUS_ORDER = (
    Vacancy.Status.OPEN,
    Vacancy.Status.ON_HOLD,
    Vacancy.Status.FILLED,
    Vacancy.Status.CANCELLED,
)


def hiring_manager_label(*, viewer: User, vacancy: Vacancy) -> str:
    """The hiring manager's name, unless the viewer may not see them named."""
    if vacancy.hiring_manager is None:
        return ""
    return people.user_labels(viewer=viewer, people=[vacancy.hiring_manager])[
        vacancy.hiring_manager_id
    ]


def vacancy_days_open(vacancy: Vacancy, *, today: dt.date) -> int:
    """Days from opening to filling (or to today while not filled): 0 on the day it opens."""
    end = vacancy.filled_on or today
    return max(0, (end - vacancy.opened_on).days)


def vacancy_time_to_fill(vacancy: Vacancy) -> int | None:
    """Days from opening to the hire, once filled."""
    if vacancy.filled_on is None:
        return None
    return (vacancy.filled_on - vacancy.opened_on).days


def vacancy_book(*, vacancy: Vacancy, today: dt.date) -> list[int]:
    """Customer ids the leaving rep owned on their last day (or owns now, if still serving)."""
    rep = vacancy.leaving_rep
    if rep is None:
        return []
    day = min(rep.departure_date or today, today)
    return list(
        Assignment.objects.filter(rep=rep, role=Assignment.Role.OWNER, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .values_list("customer_id", flat=True)
        .distinct()
    )


# Who answers for a customer of the vacancy; backups alone do not cover it.
COVER_ROLES = (
    Assignment.Role.OWNER,
    Assignment.Role.TEMPORARY_COVER,
    Assignment.Role.MANAGER_COVER,
)


@dataclass
class CoverRow:
    customer_id: int
    customer_name: str
    annual_revenue: Decimal
    covers: list[str] = field(default_factory=list)


def vacancy_temporary_covers(*, viewer: User, vacancy: Vacancy, today: dt.date) -> list[CoverRow]:
    """The customers of the vacancy and who answers for each now: its owner, temporary cover or
    manager cover, read from the one ownership home (none listed: nobody covers it).

    A holder outside the viewer's scope is shown as the ownership selectors word them."""
    book = vacancy_book(vacancy=vacancy, today=today)
    if not book:
        return []
    holders = ownership.customer_holders(user=viewer, customer_ids=book)
    leaving = vacancy.leaving_rep
    # The leaving rep's own assignment, open after their last day, covers nobody.
    gone_id = (
        leaving.pk
        if leaving.status == SalesRep.Status.LEFT
        or (leaving.departure_date is not None and leaving.departure_date < today)
        else None
    )
    rows = []
    for customer in Customer.objects.filter(pk__in=book).order_by("-annual_revenue", "name"):
        rows.append(
            CoverRow(
                customer_id=customer.pk,
                customer_name=customer.name,
                annual_revenue=customer.annual_revenue,
                covers=[
                    _("%(name)s (%(role)s)") % {"name": h.holder_name, "role": h.get_role_display()}
                    for h in holders.get(customer.pk, [])
                    if h.role in COVER_ROLES and not (gone_id and h.rep_id == gone_id)
                ],
            )
        )
    return rows


def vacancy_successor_plan(*, vacancy: Vacancy) -> HandoverPlan | None:
    """The handover plan of the leaving rep's customers to the successor, once hired."""
    if vacancy.leaving_rep_id is None or vacancy.successor_id is None:
        return None
    return (
        HandoverPlan.objects.filter(
            rep_id=vacancy.leaving_rep_id, items__chosen_rep_id=vacancy.successor_id
        )
        .distinct()
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class SalesAtStake:
    trailing_won: float
    per_day: float
    days_open: int
    at_stake: float
    # The last of the 12 months: the rep's last day, or today while they serve their notice.
    until: dt.date
    serving_notice: bool


def vacancy_sales_at_stake(*, vacancy: Vacancy, today: dt.date) -> SalesAtStake | None:
    """The leaving rep's trailing 12-month won amount per day, times the days the vacancy is open.

    The 12 months end on the rep's last day (today, while they are still serving notice). None
    for growth vacancies, which replace nobody's sales.
    """
    rep = vacancy.leaving_rep
    if rep is None:
        return None
    end = min(rep.departure_date or today, today)
    start = end - dt.timedelta(days=AT_STAKE_TRAILING_DAYS - 1)
    won = Deal.objects.live().filter(
        owner=rep, status=Deal.Status.WON, close_date__gte=start, close_date__lte=end
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    per_day = float(won) / AT_STAKE_TRAILING_DAYS
    days_open = vacancy_days_open(vacancy, today=today)
    return SalesAtStake(
        trailing_won=float(won),
        per_day=per_day,
        days_open=days_open,
        at_stake=per_day * days_open,
        until=end,
        serving_notice=rep.departure_date is not None and rep.departure_date > today,
    )


# --- candidates --------------------------------------------------------------------------------


def candidates_visible_to(*, user: User) -> QuerySet[Candidate]:
    """All for HR and admins; for a manager, the candidates on their teams' vacancies."""
    on_vacancies_in_scope = Candidate.objects.filter(
        narrow_q(user=user, team_field="applications__vacancy__team_id")
    ).values("pk")
    return Candidate.objects.select_related("referrer", "existing_rep").filter(
        pk__in=on_vacancies_in_scope
    )


def candidate_get_visible(*, user: User, candidate_id: int) -> Candidate:
    return get_visible_or_404(candidates_visible_to(user=user), pk=candidate_id)


def candidate_rows_visible_to(*, user: User) -> QuerySet[Candidate]:
    return candidates_visible_to(user=user).order_by("last_name", "first_name", "id")


def candidate_pool() -> QuerySet[Candidate]:
    """The whole pool, for those who run hiring (``can_manage_hiring``): a vacancy is staffed
    from everyone available, not only from the candidates already on the viewer's vacancies."""
    return Candidate.objects.all()


def candidate_regions(*, user: User) -> list[str]:
    return list(
        candidates_visible_to(user=user)
        .exclude(region="")
        .values_list("region", flat=True)
        .distinct()
        .order_by("region")
    )


def candidates_label_people(*, viewer: User, candidates) -> None:
    """Set ``referrer_label`` and ``existing_rep_shown`` on each candidate for the viewer: a
    referrer from another team appears as "a rep of another team", with no link or details."""
    for candidate in candidates:
        candidate.referrer_label = people.rep_label(viewer=viewer, rep=candidate.referrer)
        candidate.existing_rep_shown = people.rep_in_scope(
            viewer=viewer, rep=candidate.existing_rep
        )


@dataclass
class BenchRegion:
    region: str
    candidates: list[Candidate]

    @property
    def count(self) -> int:
        return len(self.candidates)

    @property
    def ready_now(self) -> int:
        return sum(1 for c in self.candidates if c.days_to_start == 0)


def bench_by_region(*, today: dt.date) -> list[BenchRegion]:
    """Bench-ready candidates still in the pool, per region, soonest start first.

    Each candidate gets ``days_to_start``: 0 when they can start today or their date has passed.
    """
    bench = Candidate.objects.filter(bench_ready=True, status=Candidate.Status.AVAILABLE)
    regions: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in bench:
        start = candidate.earliest_start or today
        candidate.days_to_start = max(0, (start - today).days)
        regions[candidate.region or ""].append(candidate)
    out = []
    for region in sorted(regions):
        people = sorted(regions[region], key=lambda c: (c.days_to_start, c.last_name, c.pk))
        out.append(BenchRegion(region=region, candidates=people))
    return out


@dataclass
class RankedCandidate:
    candidate: Candidate
    score: float
    reasons: list[str]


def vacancy_ranked_pool(
    *, vacancy: Vacancy, today: dt.date, limit: int = 50
) -> list[RankedCandidate]:
    """The available pool, not yet on this vacancy, ranked by fit (see ``matching``)."""
    pool = list(
        Candidate.objects.filter(status=Candidate.Status.AVAILABLE).exclude(
            applications__vacancy=vacancy
        )
    )
    facts = [
        matching.CandidateFacts(
            id=c.pk,
            region=c.region,
            sales_experience_years=float(c.sales_experience_years),
            bench_ready=c.bench_ready,
            earliest_start=c.earliest_start,
            source=c.source,
            source_label=str(c.get_source_display()),
        )
        for c in pool
    ]
    needed_by = max(vacancy.target_fill_date or today, today)
    ranked = matching.rank_candidates(
        facts, matching.VacancyFacts(region=vacancy.region, needed_by=needed_by)
    )
    by_id = {c.pk: c for c in pool}
    return [
        RankedCandidate(candidate=by_id[m.candidate_id], score=m.score, reasons=m.reasons)
        for m in ranked[:limit]
    ]


# --- pipeline ----------------------------------------------------------------------------------


def applications_visible_to(*, user: User) -> QuerySet[Application]:
    applications = Application.objects.select_related(
        "candidate", "vacancy", "vacancy__team", "vacancy__leaving_rep"
    )
    return narrow(applications, user=user, team_field="vacancy__team_id")


def application_get_visible(*, user: User, application_id: int) -> Application:
    return get_visible_or_404(applications_visible_to(user=user), pk=application_id)


def application_rows_visible_to(*, user: User) -> QuerySet[Application]:
    return applications_visible_to(user=user).order_by("-stage_entered_at", "-id")


def vacancy_board(*, vacancy: Vacancy) -> list[tuple[str, str, list[Application]]]:
    """The vacancy's applications in columns by stage, pipeline order, newest move first."""
    columns: dict[str, list[Application]] = {stage: [] for stage in Application.Stage.values}
    for application in (
        vacancy.applications.select_related("candidate")
        .annotate(ratings=Count("feedback"))
        .order_by("-stage_entered_at")
    ):
        columns[application.stage].append(application)
    return [(value, label, columns[value]) for value, label in Application.Stage.choices]


# The pipeline's forward order; hired is the step after the offer.
PIPELINE_ORDER = (
    Application.Stage.SOURCED,
    Application.Stage.SCREENING,
    Application.Stage.INTERVIEW,
    Application.Stage.OFFER,
    Application.Stage.HIRED,
)


def application_next_stage(*, application: Application) -> str | None:
    """The stage an application usually moves to next (none once it is closed)."""
    if application.stage not in PIPELINE_ORDER[:-1]:
        return None
    return PIPELINE_ORDER[PIPELINE_ORDER.index(application.stage) + 1]


def application_history(*, application: Application) -> list[StageChange]:
    return list(application.stage_changes.select_related("changed_by").order_by("changed_at", "id"))


def stage_durations(
    changes: list[tuple[str, dt.datetime]], *, now: dt.datetime
) -> list[tuple[str, float]]:
    """(stage, days spent) for each stage an application passed through, from its history.

    Terminal stages (hired, rejected, withdrew) have no duration; the current open stage runs
    to ``now``.
    """
    terminal = {Application.Stage.HIRED, Application.Stage.REJECTED, Application.Stage.WITHDREW}
    out = []
    for i, (stage, entered) in enumerate(changes):
        if stage in terminal:
            continue
        left = changes[i + 1][1] if i + 1 < len(changes) else now
        out.append((stage, (left - entered).total_seconds() / 86400))
    return out


@dataclass
class SourceStats:
    source: str
    label: str
    applications: int = 0
    hires: int = 0
    stage_days: dict[str, float] = field(default_factory=dict)
    fill_days: list[int] = field(default_factory=list)

    @property
    def median_time_to_fill(self) -> float | None:
        return statistics.median(self.fill_days) if self.fill_days else None


def source_stats(*, user: User, now: dt.datetime | None = None) -> list[SourceStats]:
    """Per source: average days in each open stage, and time-to-fill of the vacancies it filled.

    Time-to-fill of a source = days from opening to filling of the vacancies filled by a hire who
    came from that source. Fastest median first.
    """
    now = now or timezone.now()
    labels = dict(Candidate.Source.choices)
    stats = {value: SourceStats(source=value, label=str(label)) for value, label in labels.items()}
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    applications = applications_visible_to(user=user).prefetch_related(
        Prefetch("stage_changes", queryset=StageChange.objects.order_by("changed_at", "id"))
    )
    for application in applications:
        row = stats[application.source]
        row.applications += 1
        history = [(c.to_stage, c.changed_at) for c in application.stage_changes.all()]
        for stage, days in stage_durations(history, now=now):
            sums[application.source][stage].append(days)
        if application.stage == Application.Stage.HIRED:
            row.hires += 1
            ttf = vacancy_time_to_fill(application.vacancy)
            if ttf is not None:
                row.fill_days.append(ttf)
    for source, per_stage in sums.items():
        stats[source].stage_days = {
            stage: sum(values) / len(values) for stage, values in per_stage.items()
        }
    rows = [s for s in stats.values() if s.applications]
    return sorted(
        rows,
        key=lambda s: (s.median_time_to_fill is None, s.median_time_to_fill or 0, s.source),
    )


# --- onboarding and ramp-up --------------------------------------------------------------------


def onboarding_plans_visible_to(*, user: User) -> QuerySet[OnboardingPlan]:
    plans = OnboardingPlan.objects.select_related(
        "rep",
        "rep__team",
        "vacancy",
        "vacancy__team",
        "vacancy__leaving_rep",
        "application__candidate",
    ).annotate(
        tasks_total=Count("tasks", distinct=True),
        tasks_done=Count("tasks", filter=Q(tasks__done_at__isnull=False), distinct=True),
    )
    return narrow(plans, user=user, team_field="rep__team_id")


def onboarding_plan_get_visible(*, user: User, plan_id: int) -> OnboardingPlan:
    # Its tasks with their customers: an introduction's title names the customer.
    plans = onboarding_plans_visible_to(user=user).prefetch_related(
        Prefetch("tasks", queryset=OnboardingTask.objects.select_related("customer"))
    )
    return get_visible_or_404(plans, pk=plan_id)


def onboarding_tasks_visible_to(*, user: User) -> QuerySet[OnboardingTask]:
    tasks = OnboardingTask.objects.select_related("plan", "plan__rep", "customer")
    return narrow(tasks, user=user, team_field="plan__rep__team_id")


def onboarding_task_get_visible(*, user: User, task_id: int) -> OnboardingTask:
    return get_visible_or_404(onboarding_tasks_visible_to(user=user), pk=task_id)


def _won_sales(rep_ids: list[int], *, since: dt.date, until: dt.date) -> dict[int, list]:
    sales: dict[int, list] = defaultdict(list)
    rows = (
        Deal.objects.live()
        .filter(
            owner_id__in=rep_ids,
            status=Deal.Status.WON,
            close_date__gte=since,
            close_date__lte=until,
        )
        .values_list("owner_id", "close_date", "amount")
    )
    for owner_id, close_date, amount in rows:
        sales[owner_id].append((close_date, float(amount)))
    return sales


def rep_ramp_up(
    *, rep: SalesRep, as_of: dt.date, target_share: float = RAMP_TARGET_SHARE
) -> rampup.RampResult:
    """The rep's ramp-up from their hire date against the established reps of their team,
    measured until the rep's last day if they have left."""
    return reps_ramp_up(reps=[rep], as_of=as_of, target_share=target_share)[rep.pk]


def reps_ramp_up(
    *, reps: list[SalesRep], as_of: dt.date, target_share: float = RAMP_TARGET_SHARE
) -> dict[int, rampup.RampResult]:
    """``rep_ramp_up`` for several reps, their teams' sales read in one query."""
    if not reps:
        return {}
    team_rows: dict[int, list[tuple]] = defaultdict(list)
    for row in SalesRep.objects.filter(team_id__in={r.team_id for r in reps}).values_list(
        "id", "team_id", "hire_date", "departure_date"
    ):
        team_rows[row[1]].append(row)
    ids = [row[0] for rows in team_rows.values() for row in rows]
    sales = _won_sales(ids, since=min(r.hire_date for r in reps), until=as_of)
    out = {}
    for rep in reps:
        peers = [
            rampup.PeerHistory(
                rep_id=pid,
                established_from=hired + dt.timedelta(days=ESTABLISHED_AFTER_DAYS),
                left_on=left,
                sales=tuple(sales.get(pid, ())),
            )
            for pid, _team, hired, left in team_rows[rep.team_id]
            if pid != rep.pk
        ]
        out[rep.pk] = rampup.ramp_up(
            start=rep.hire_date,
            sales=sales.get(rep.pk, ()),
            peers=peers,
            as_of=as_of,
            target_share=target_share,
            left_on=rep.departure_date,
        )
    return out


@dataclass
class CohortRow:
    plan: OnboardingPlan
    bench_hire: bool
    experienced: bool
    ramp: rampup.RampResult


@dataclass
class Cohort:
    key: str
    label: str
    rows: list[CohortRow]

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def reached(self) -> int:
        return sum(1 for r in self.rows if r.ramp.reached_month is not None)

    @property
    def median_months_to_target(self) -> float | None:
        months = [r.ramp.reached_month for r in self.rows if r.ramp.reached_month is not None]
        return statistics.median(months) if months else None

    def mean_share(self, month: int) -> float | None:
        shares = [
            m.share
            for r in self.rows
            for m in r.ramp.months
            if m.month == month and m.share is not None
        ]
        return sum(shares) / len(shares) if shares else None


def ramp_cohorts(
    *, user: User, as_of: dt.date, target_share: float = RAMP_TARGET_SHARE
) -> tuple[list[CohortRow], list[Cohort]]:
    """Every onboarded rep's ramp-up, and cohorts: bench hires vs others, experienced vs new."""
    rows = []
    for plan in onboarding_plans_visible_to(user=user).order_by("start_date", "id"):
        application = plan.application
        candidate = application.candidate if application else None
        rows.append(
            CohortRow(
                plan=plan,
                bench_hire=bool(application and application.source == Candidate.Source.BENCH),
                experienced=bool(
                    candidate and candidate.sales_experience_years >= EXPERIENCED_YEARS
                ),
                ramp=rep_ramp_up(rep=plan.rep, as_of=as_of, target_share=target_share),
            )
        )
    cohorts = [
        Cohort("bench", _("Bench hires"), [r for r in rows if r.bench_hire]),
        Cohort("not_bench", _("Other hires"), [r for r in rows if not r.bench_hire]),
        Cohort("experienced", _("Experienced in sales"), [r for r in rows if r.experienced]),
        Cohort("new_to_sales", _("New to sales"), [r for r in rows if not r.experienced]),
    ]
    return rows, cohorts


# --- the cost of departures --------------------------------------------------------------------


@dataclass
class DepartureCostRow:
    rep: SalesRep
    vacancy: Vacancy | None
    successor: SalesRep | None
    risk_flag_on: dt.date | None
    cost: costs.DepartureCost

    @property
    def year(self) -> int:
        return self.rep.departure_date.year


def departures_visible_to(*, user: User, as_of: dt.date) -> QuerySet[SalesRep]:
    """Reps in scope whose last day is on or before ``as_of``, latest departure first."""
    reps = SalesRep.objects.select_related("team").filter(
        departure_date__isnull=False, departure_date__lte=as_of
    )
    return narrow(reps, user=user, team_field="team_id").order_by("-departure_date", "id")


def departure_costs(
    *,
    reps: Iterable[SalesRep],
    as_of: dt.date,
    pre_window_days: int = PRE_WINDOW_DAYS,
    target_share: float = RAMP_TARGET_SHARE,
) -> list[DepartureCostRow]:
    """The cost of each of these departures (from ``departures_visible_to``), measured by
    ``costs`` against comparable territories: the sales and books of the departures' regions
    are read once. Controls may lie outside the user's scope; only their sums are shown."""
    reps = list(reps)
    if not reps:
        return []
    vacancies = {
        v.leaving_rep_id: v
        for v in Vacancy.objects.filter(leaving_rep__in=reps).select_related("successor")
    }
    flags: dict[int, dt.date] = {}
    for rep_id, as_of_day in (
        # A risk flag is the model's warning: a score of a rep serving notice, stored in the
        # high band, only says they gave notice.
        RiskScore.objects.filter(in_band(RiskScore.Band.HIGH), rep__in=reps)
        .order_by("rep_id", "as_of")
        .values_list("rep_id", "as_of")
    ):
        flags.setdefault(rep_id, as_of_day)
    departures = []
    successors = {
        rep.pk: vacancies[rep.pk].successor if rep.pk in vacancies else None for rep in reps
    }
    ramps = reps_ramp_up(
        reps=[s for s in successors.values() if s is not None],
        as_of=as_of,
        target_share=target_share,
    )
    for rep in reps:
        successor = successors[rep.pk]
        flag = flags.get(rep.pk)
        if flag is not None and flag > rep.departure_date:
            flags.pop(rep.pk)
            flag = None
        reached_on = ramps[successor.pk].reached_on if successor is not None else None
        departures.append(
            costs.Departure(
                rep_id=rep.pk,
                team_id=rep.team_id,
                region=_cost_region(rep.team),
                last_day=rep.departure_date,
                risk_flag_on=flag,
                successor_start=successor.hire_date if successor else None,
                target_reached_on=reached_on,
            )
        )
    earliest = min(flags.get(r.pk, r.departure_date) for r in reps) - dt.timedelta(
        days=pre_window_days + costs.DEFAULT_BASELINE_DAYS
    )
    ledger = _cost_ledger(reps=reps, since=earliest, until=as_of)
    measured = costs.departure_costs(
        departures=departures, ledger=ledger, as_of=as_of, pre_window_days=pre_window_days
    )
    return [
        DepartureCostRow(
            rep=rep,
            vacancy=vacancies.get(rep.pk),
            successor=successors[rep.pk],
            risk_flag_on=flags.get(rep.pk),
            cost=cost,
        )
        for rep, cost in zip(reps, measured, strict=True)
    ]


def _cost_region(team) -> str:
    """The group whose territories stand in when a team has too few: the team's region, or its
    parent team."""
    return team.region or (f"team:{team.parent_id}" if team.parent_id else "")


def _cost_ledger(*, reps: list[SalesRep], since: dt.date, until: dt.date) -> costs.Ledger:
    """Reps, books and deals of the departures' regions (the widest controls ``costs`` uses
    before the whole organisation; a region too small for controls reads everything)."""
    teams = {r.team_id: r.team for r in reps}
    regions = {_cost_region(t) for t in teams.values()}
    rows = [
        (pk, team_id, region or (f"team:{parent}" if parent else ""), hired, left)
        for pk, team_id, region, parent, hired, left in SalesRep.objects.values_list(
            "id", "team_id", "team__region", "team__parent_id", "hire_date", "departure_date"
        )
    ]
    in_regions = [row for row in rows if row[2] in regions and row[2]]
    per_team: dict[int, int] = defaultdict(int)
    for row in in_regions:
        per_team[row[1]] += 1
    if "" in regions or sum(per_team.values()) < 2 * costs.MIN_CONTROLS:
        in_regions = rows
    rep_frame = pd.DataFrame(
        in_regions, columns=["rep_id", "team_id", "region", "hire_date", "departure_date"]
    )
    owners = pd.DataFrame(
        Assignment.objects.filter(
            role=Assignment.Role.OWNER, rep_id__in=rep_frame["rep_id"].tolist()
        ).values_list("customer_id", "rep_id", "valid_from", "valid_to"),
        columns=["customer_id", "rep_id", "valid_from", "valid_to"],
    )
    customers = owners["customer_id"].unique().tolist()
    deals = pd.DataFrame(
        Deal.objects.live()
        .filter(customer_id__in=customers)
        .filter(
            Q(close_date__gte=since, close_date__lte=until)
            | Q(created_on__gte=since, created_on__lte=until)
        )
        .annotate(won=Q(status=Deal.Status.WON), amount_float=Cast("amount", FloatField()))
        .values_list("customer_id", "created_on", "close_date", "amount_float", "won"),
        columns=["customer_id", "created_on", "close_date", "amount", "won"],
    )
    return costs.Ledger(deals=deals, owners=owners, reps=rep_frame)


@dataclass
class CostTotals:
    """One line of the per-team or per-year table (``costs.Totals``, keyed for display)."""

    key: str
    totals: costs.Totals

    @property
    def departures(self) -> int:
        return self.totals.departures

    @property
    def measured(self) -> int:
        return self.totals.measured

    @property
    def before_leaving(self) -> float:
        return self.totals.parts[costs.PHASE_BEFORE]

    @property
    def vacancy(self) -> float:
        return self.totals.parts[costs.PHASE_VACANCY]

    @property
    def ramp_up(self) -> float:
        return self.totals.parts[costs.PHASE_RAMP]

    @property
    def churn(self) -> float:
        return self.totals.parts[costs.PART_CHURN]

    @property
    def customers_lost(self) -> int:
        """Customers lost beyond the usual share, rounded (each departure's is fractional)."""
        return round(self.totals.customers_lost)

    @property
    def total(self) -> float:
        return self.totals.total

    @property
    def interval(self) -> tuple[float, float] | None:
        return self.totals.interval


def departure_cost_totals(rows: list[DepartureCostRow], *, by: str) -> list[CostTotals]:
    """Sum the parts per team (``by="team"``, by name) or per year of the last day (``by="year"``,
    latest first), with the interval of each total."""
    if by not in ("team", "year"):
        raise ValueError(f"by must be 'team' or 'year', got {by!r}")
    keyed = [(row.rep.team.name if by == "team" else str(row.year), row.cost) for row in rows]
    found = sorted(costs.totals(keyed), key=lambda t: t.key, reverse=by == "year")
    return [CostTotals(key=t.key, totals=t) for t in found]
