"""Reads for departure risk: the history frames scoring needs, runs and models, and the reads
that show a person's risk to a user.

The history is aggregated by the database (weekly totals per rep), never pulled row by row:
10,000 reps × 18 months of activities become about 800,000 weekly rows.

Reads of a person's risk for a user are scoped and audited here or in the audited querysets of
``retention.selectors`` (``risk_scores_visible_to``, ``alerts_visible_to``): the rep's risk
(``rep_risk``: page and API), the dashboard rows (``dashboard_rows_read``: page and API) and
routing (``retention.dashboard.selectors.routing_rows``: page, export and API). Each writes
one audit row per rep shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Count,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, TruncDate, TruncWeek
from django.utils import timezone

from accounts.access import scope_cache_key
from accounts.models import User
from accounts.org import org_tree
from retention.dashboard import selectors as dashboard_selectors
from retention.models import (
    Activity,
    Deal,
    LeaveRecord,
    ModelJob,
    RiskModel,
    RiskScore,
    SalesRep,
    ScoringRun,
    ServiceRecord,
    TeamMembership,
)
from retention.risk.binary_copy import copy_fixed_width
from retention.scoring.history import (
    WEEKLY_COLUMNS,
    RepHistory,
    empty_leave,
    empty_reps,
    empty_team_changes,
    empty_team_history,
    empty_weekly,
)
from retention.selectors import (
    rep_get_visible,
    risk_reads_record,
    risk_scores_visible_to,
    scoring_run_latest_complete,
)

# Leave compares the last 91 days with the 364 before; weekly signals look back 65 weeks.
LOOKBACK_DAYS = 460

# Fields some sources bring and some do not: (model, field) by what scoring reads from them.
# Each is used when the model has the field and skipped (the signal is unknown) otherwise;
# this is the one list to change when the fields are named differently.
OPTIONAL_FIELDS: dict[str, tuple[type, str]] = {
    "activity_internal": (Activity, "is_internal"),
    "todo_due": (Activity, "due_date"),
    "todo_completed": (Activity, "completed_at"),
    "todo_status": (Activity, "todo_status"),
    "case_escalated": (ServiceRecord, "is_escalated"),
    "case_status": (ServiceRecord, "status"),
    "case_opened": (ServiceRecord, "opened_at"),
    "case_resolved": (ServiceRecord, "closed_at"),
    "notice_date": (SalesRep, "notice_date"),
}
ESCALATED_STATUS = "escalated"


def optional_field(name: str) -> str | None:
    """The column behind ``OPTIONAL_FIELDS[name]`` if the model has it, else None."""
    model, field = OPTIONAL_FIELDS[name]
    try:
        return model._meta.get_field(field).column
    except Exception:  # FieldDoesNotExist: the source (and so the model) has no such field
        return None


def _aware_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _rep_filter(queryset: QuerySet, field: str, rep_ids: list[int] | None) -> QuerySet:
    return queryset if rep_ids is None else queryset.filter(**{f"{field}__in": rep_ids})


def _frame(rows: Iterable[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(rows), columns=columns)


@contextmanager
def _history_read() -> Iterator[None]:
    """One transaction for a history read (its queries see one snapshot) and, on PostgreSQL,
    no JIT compilation: the planner's cost estimates for the weekly aggregation trigger JIT
    with inlining and optimisation, whose compilation took 2.6 s of a 8.8 s chunk read
    (``EXPLAIN ANALYZE`` at 10,000 reps) for no gain on aggregates this simple."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def risk_history(
    *, end: dt.date, start: dt.date | None = None, rep_ids: list[int] | None = None
) -> RepHistory:
    """What scoring needs about the reps (all when ``rep_ids`` is None) between ``start`` and
    ``end``: rep facts, weekly totals of activities, deals and service, and leave episodes.

    ``start`` defaults to enough history for a score on ``end``; training passes the very
    beginning. Rows dated after ``end`` are left in the database (point in time).
    """
    with _history_read():
        return _risk_history(end=end, start=start, rep_ids=rep_ids)


def _risk_history(*, end: dt.date, start: dt.date | None, rep_ids: list[int] | None) -> RepHistory:
    start = start or end - dt.timedelta(days=LOOKBACK_DAYS)

    rep_fields = [
        "id",
        "team_id",
        "hire_date",
        "annual_quota",
        "departure_date",
        "departure_reason",
    ]
    if optional_field("notice_date"):
        rep_fields.append(OPTIONAL_FIELDS["notice_date"][1])
    reps_read = SalesRep.objects.filter(hire_date__lte=end)
    if rep_ids is not None:
        # The chunk's reps, and their teams' reps who left in the window: the poaching-wave
        # signal counts a team's recent departures, and a chunk holds only reps still there.
        teams = SalesRep.objects.filter(pk__in=rep_ids).values("team_id")
        reps_read = reps_read.filter(
            Q(pk__in=rep_ids)
            | Q(team_id__in=teams, departure_date__gte=start, departure_date__lte=end)
        )
    reps = _frame(
        reps_read.annotate(**_first_records(end=end)).values_list(*rep_fields, *FIRST_RECORDS),
        [
            "rep_id",
            *rep_fields[1:6],
            *(["notice_date"] if len(rep_fields) > 6 else []),
            *FIRST_RECORDS,
        ],
    )
    if reps.empty:
        return RepHistory(reps=empty_reps())
    reps["annual_quota"] = reps["annual_quota"].astype(float)
    reps["first_record"] = _first_record_day(reps)

    if connection.vendor == "postgresql":
        weekly = _weekly_postgresql(start=start, end=end, rep_ids=rep_ids)
    else:
        weekly = _weekly_orm(start=start, end=end, rep_ids=rep_ids)

    leave = _frame(
        _rep_filter(LeaveRecord.objects, "rep_id", rep_ids)
        .filter(last_day__gte=start, first_day__lte=end)
        .values_list("rep_id", "first_day", "last_day", "kind"),
        ["rep_id", "first_day", "last_day", "kind"],
    )
    memberships = _frame(
        _rep_filter(TeamMembership.objects, "rep_id", rep_ids)
        .filter(valid_from__lte=end)
        .order_by("rep_id", "valid_from")
        .values_list("rep_id", "team_id", "manager_id", "valid_from", "valid_to"),
        ["rep_id", "team_id", "manager_id", "valid_from", "valid_to"],
    )
    # A team change is every membership after a rep's first.
    changes = memberships[memberships.duplicated("rep_id", keep="first")]
    return RepHistory(
        reps=reps,
        weekly=weekly,
        leave=leave if not leave.empty else empty_leave(),
        team_history=memberships if not memberships.empty else empty_team_history(),
        team_changes=(
            pd.DataFrame({"rep_id": changes["rep_id"], "changed_on": changes["valid_from"]})
            if not changes.empty
            else empty_team_changes()
        ),
        todos=_overdue_todos(start=start, end=end, rep_ids=rep_ids),
        open_deals=_open_deals(end=end, rep_ids=rep_ids),
        data_start=risk_history_start(),
        leave_start=LeaveRecord.objects.order_by("first_day")
        .values_list("first_day", flat=True)
        .first(),
    )


# Each rep's first record in every weekly source, dated on or before the read's end, however
# long ago: a rep is observed from their first record, and a read that starts later than it
# must not take the weeks before its own start for unobserved ones.
FIRST_RECORDS = ["first_activity", "first_deal", "first_won", "first_service"]


def _first_records(*, end: dt.date) -> dict[str, Subquery]:
    """The annotations behind ``FIRST_RECORDS`` (each an index probe per rep on PostgreSQL:
    ``(rep, occurred_at)``, ``(owner, created_on)``, ``(rep, date)``)."""
    until = _aware_start(end + dt.timedelta(days=1))
    activities = Activity.objects.live().filter(
        rep=OuterRef("pk"), occurred_at__lt=until, is_internal=False
    ).exclude(todo_status=Activity.TodoStatus.OPEN)
    deals = Deal.objects.live().filter(owner=OuterRef("pk"))
    return {
        "first_activity": Subquery(activities.order_by("occurred_at").values("occurred_at")[:1]),
        "first_deal": Subquery(
            deals.filter(created_on__lte=end).order_by("created_on").values("created_on")[:1]
        ),
        "first_won": Subquery(
            deals.filter(status=Deal.Status.WON, close_date__lte=end)
            .order_by("close_date")
            .values("close_date")[:1]
        ),
        "first_service": Subquery(
            ServiceRecord.objects.filter(rep=OuterRef("pk"), date__lte=end, is_deleted=False)
            .order_by("date")
            .values("date")[:1]
        ),
    }


def _first_record_day(reps: pd.DataFrame) -> pd.Series:
    """The day of each rep's earliest first record over the sources (NaT when none); removes
    the ``FIRST_RECORDS`` columns from ``reps``. Activities count by their day in UTC, as in
    the weekly totals."""
    activity = pd.to_datetime(reps.pop("first_activity"), utc=True).dt.tz_localize(None)
    days = [activity.dt.normalize()] + [
        pd.to_datetime(reps.pop(name)) for name in FIRST_RECORDS[1:]
    ]
    return pd.concat(days, axis=1).min(axis=1).astype("datetime64[ns]")


def _overdue_todos(
    *, start: dt.date, end: dt.date, rep_ids: list[int] | None
) -> pd.DataFrame | None:
    """To-dos that were past due on some day from ``start`` to ``end`` (done late or not at all),
    when the source has due dates: due on or before ``end``, however long ago, and not done
    by ``start``. So a read that starts earlier holds the same overdue to-dos for every later
    date (a to-do due long ago and never done is overdue on every date)."""
    due, completed = optional_field("todo_due"), optional_field("todo_completed")
    if not due:
        return None
    due_name, done_name = OPTIONAL_FIELDS["todo_due"][1], OPTIONAL_FIELDS["todo_completed"][1]
    todos = _rep_filter(Activity.objects.live(), "rep_id", rep_ids)
    todos = todos.filter(**{f"{due_name}__lte": end})
    if completed:
        todos = todos.filter(
            Q(**{f"{done_name}__isnull": True})
            | (
                Q(**{f"{done_name}__date__gt": F(due_name)})
                & Q(**{f"{done_name}__gt": _aware_start(start)})
            )
        )
        rows = todos.values_list("rep_id", due_name, done_name)
    else:
        # No completion date: a to-do still open is overdue once its due date passes; one
        # marked done is taken to have been done in time.
        if optional_field("todo_status"):
            todos = todos.filter(**{OPTIONAL_FIELDS["todo_status"][1]: "open"})
        rows = ((rep, day, None) for rep, day in todos.values_list("rep_id", due_name))
    frame = _frame(rows, ["rep_id", "due_date", "completed_on"])
    if not frame.empty:
        frame["completed_on"] = pd.to_datetime(frame["completed_on"], utc=True).dt.tz_localize(None)
    return frame


def _open_deals(*, end: dt.date, rep_ids: list[int] | None) -> pd.DataFrame:
    """Deals still open with a close date on or before ``end`` (the candidates for "past their
    close date" on a scoring date)."""
    return _frame(
        _rep_filter(Deal.objects.open(), "owner_id", rep_ids)
        .filter(close_date__lte=end, owner__isnull=False)
        .values_list("owner_id", "created_on", "close_date", "status"),
        ["rep_id", "created_on", "close_date", "status"],
    )


# Week numbers count Mondays from 5 January 1970 (a Monday): a day's week is its days since
# then divided by 7, so PostgreSQL hands back small integers that pandas turns into dates in one
# vectorised step.
_EPOCH_MONDAY = pd.Timestamp("1970-01-05")
# Each source's weekly totals are summed by PostgreSQL in a query of its own, one row per rep
# and week, and the (at most four) rows of a rep's week are laid side by side in numpy: at
# 10,000 reps one query adding up the sources' 2.4 million rows again took a fifth of the read
# and spilled to disk, and its hash tables stayed allocated until the end. Every value is NOT
# NULL (COALESCE), which the fixed-width binary read relies on. Columns: WEEKLY_COLUMNS.
_WEEKLY_SOURCES: list[tuple[str, list[str]]] = [
    (
        """
        SELECT rep_id::int8,
               (((occurred_at AT TIME ZONE 'UTC')::date - DATE '1970-01-05') / 7)::int4,
               COUNT(*)::float8,
               COUNT(*) FILTER (WHERE {customer_visit})::float8,
               COALESCE(SUM(duration_minutes) FILTER (WHERE {customer_visit}), 0)::float8
        FROM retention_activity
        WHERE occurred_at >= %(since)s AND occurred_at < %(until)s {activity_reps}
              AND NOT is_internal AND NOT is_deleted AND todo_status <> 'open'
        GROUP BY 1, 2
        """,
        ["activities", "visits", "visit_minutes"],
    ),
    (
        """
        SELECT owner_id::int8, ((created_on - DATE '1970-01-05') / 7)::int4,
               COALESCE(SUM(amount), 0)::float8
        FROM retention_deal
        WHERE owner_id IS NOT NULL AND created_on BETWEEN %(start)s AND %(end)s {deal_reps}
              AND NOT is_deleted
        GROUP BY 1, 2
        """,
        ["pipeline_created"],
    ),
    (
        """
        SELECT owner_id::int8, ((close_date - DATE '1970-01-05') / 7)::int4,
               COALESCE(SUM(amount), 0)::float8
        FROM retention_deal
        WHERE owner_id IS NOT NULL AND status = 'won'
              AND close_date BETWEEN %(start)s AND %(end)s {deal_reps} AND NOT is_deleted
        GROUP BY 1, 2
        """,
        ["won_amount"],
    ),
    (
        """
        SELECT rep_id::int8, ((date - DATE '1970-01-05') / 7)::int4,
               COUNT(score)::float8,
               COALESCE(SUM(score / scale_max), 0)::float8,
               COALESCE(SUM(scale_max) FILTER (WHERE score IS NOT NULL), 0)::float8,
               COUNT(*) FILTER (WHERE {escalated})::float8,
               COUNT(*) FILTER (WHERE source = 'case')::float8,
               ({resolved_n})::float8,
               ({resolution_days})::float8
        FROM retention_servicerecord
        WHERE date BETWEEN %(start)s AND %(end)s {service_reps} AND NOT is_deleted
        GROUP BY 1, 2
        """,
        [
            "service_n",
            "service_score_sum",
            "service_scale_sum",
            "complaints",
            "cases",
            "resolved_n",
            "resolution_days_sum",
        ],
    ),
]
# Each aggregation hashes up to a few million rows: with PostgreSQL's default 4 MB per
# operation it spills to disk, which made it several times slower at 10,000 reps (64 MB still
# spilled the deals' 730,000 weeks). One query at a time holds its hash table.
_WEEKLY_WORK_MEM = "128MB"


def _optional_sql() -> dict[str, str]:
    """The SQL pieces that read the optional fields, or neutral ones where they are absent.

    Customer time is visits and meetings with customers: without an internal-event flag, a
    meeting with no customer is taken to be internal."""
    internal = optional_field("activity_internal")
    escalated_flag, status = optional_field("case_escalated"), optional_field("case_status")
    opened, resolved = optional_field("case_opened"), optional_field("case_resolved")
    escalated = ["is_complaint"]
    if escalated_flag:
        escalated.append(escalated_flag)
    if status:
        escalated.append(f"lower({status}) = '{ESCALATED_STATUS}'")
    pieces = {
        "customer_visit": (
            f"kind IN ('visit', 'meeting') AND NOT COALESCE({internal}, false)"
            if internal
            else "(kind = 'visit' OR (kind = 'meeting' AND customer_id IS NOT NULL))"
        ),
        "escalated": " OR ".join(escalated),
        "resolved_n": "0",
        "resolution_days": "0",
    }
    if opened and resolved:
        done = f"{resolved} IS NOT NULL AND {opened} IS NOT NULL"
        pieces["resolved_n"] = f"COUNT(*) FILTER (WHERE {done})"
        pieces["resolution_days"] = (
            f"COALESCE(SUM(({resolved}::date - {opened}::date)) FILTER (WHERE {done}), 0)"
        )
    return pieces


def _weekly_postgresql(*, start: dt.date, end: dt.date, rep_ids: list[int] | None) -> pd.DataFrame:
    """Weekly totals per rep from all four sources, summed by PostgreSQL (one query per
    source), read by binary COPY straight into numpy arrays (no Python object per value: at
    10,000 reps the rows as tuples alone took 1.7 GB), then one row per rep and week."""
    filters = {"activity_reps": "", "deal_reps": "", "service_reps": ""}
    if rep_ids is not None:
        filters = {
            "activity_reps": "AND rep_id = ANY(%(reps)s)",
            "deal_reps": "AND owner_id = ANY(%(reps)s)",
            "service_reps": "AND rep_id = ANY(%(reps)s)",
        }
    params = {
        "since": _aware_start(start),
        "until": _aware_start(end + dt.timedelta(days=1)),
        "start": start,
        "end": end,
        "reps": list(rep_ids or []),
    }
    pieces = {**filters, **_optional_sql()}
    parts = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{_WEEKLY_WORK_MEM}'")
        for sql, names in _WEEKLY_SOURCES:
            parts.append(
                (
                    names,
                    copy_fixed_width(
                        cursor,
                        connection.ops.compose_sql(sql.format(**pieces), params),
                        [("rep_id", ">i8"), ("w", ">i4"), *((name, ">f8") for name in names)],
                    ),
                )
            )
    return _weekly_side_by_side(parts)


def _weekly_side_by_side(parts: list[tuple[list[str], dict[str, np.ndarray]]]) -> pd.DataFrame:
    """One row per rep and week from each source's rows (one per rep and week): a week a
    source has no row for is 0 in its columns, and each total is 0 + the source's, as when
    PostgreSQL summed the sources' rows with zeros in the others' columns."""
    # (rep, week) as one int64: the rep in the high 32 bits, the week number offset to be
    # non-negative in the low ones.
    keys = [(part["rep_id"] << 32) + (part["w"].astype("int64") + 2**31) for _n, part in parts]
    if not sum(len(k) for k in keys):
        return empty_weekly()
    unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    columns = {"rep_id": unique >> 32}
    weeks = (unique & 0xFFFFFFFF) - 2**31
    at = 0
    for (names, part), key in zip(parts, keys, strict=True):
        rows = inverse[at : at + len(key)]
        at += len(key)
        for name in names:
            total = np.zeros(len(unique))
            total[rows] += part[name]  # unique per source: one value per cell
            columns[name] = total
    frame = pd.DataFrame(columns)
    frame["week"] = _EPOCH_MONDAY + pd.to_timedelta(weeks * 7, unit="D")
    return frame


def _weekly_orm(*, start: dt.date, end: dt.date, rep_ids: list[int] | None) -> pd.DataFrame:
    """The same weekly totals through the ORM, for databases other than PostgreSQL."""
    since, until = _aware_start(start), _aware_start(end + dt.timedelta(days=1))
    if optional_field("activity_internal"):
        customer_visit = Q(kind__in=[Activity.Kind.VISIT, Activity.Kind.MEETING]) & ~Q(
            **{OPTIONAL_FIELDS["activity_internal"][1]: True}
        )
    else:
        customer_visit = Q(kind=Activity.Kind.VISIT) | Q(
            kind=Activity.Kind.MEETING, customer__isnull=False
        )
    activities = _frame(
        _rep_filter(Activity.objects.live(), "rep_id", rep_ids)
        .filter(occurred_at__gte=since, occurred_at__lt=until, is_internal=False)
        .exclude(todo_status=Activity.TodoStatus.OPEN)
        .annotate(week=TruncWeek("occurred_at", tzinfo=dt.UTC))
        .values("rep_id", "week")
        .annotate(
            activities=Count("id"),
            visits=Count("id", filter=customer_visit),
            visit_minutes=Sum("duration_minutes", filter=customer_visit, default=0),
        )
        .values_list("rep_id", "week", "activities", "visits", "visit_minutes"),
        ["rep_id", "week", "activities", "visits", "visit_minutes"],
    )
    if not activities.empty:
        activities["week"] = pd.to_datetime(activities["week"], utc=True).dt.tz_localize(None)

    deals = _rep_filter(Deal.objects.live(), "owner_id", rep_ids)
    created = _frame(
        deals.filter(created_on__gte=start, created_on__lte=end)
        .annotate(week=TruncWeek("created_on"))
        .values("owner_id", "week")
        .annotate(pipeline_created=Sum("amount"))
        .values_list("owner_id", "week", "pipeline_created"),
        ["rep_id", "week", "pipeline_created"],
    )
    won = _frame(
        deals.filter(status=Deal.Status.WON, close_date__gte=start, close_date__lte=end)
        .annotate(week=TruncWeek("close_date"))
        .values("owner_id", "week")
        .annotate(won_amount=Sum("amount"))
        .values_list("owner_id", "week", "won_amount"),
        ["rep_id", "week", "won_amount"],
    )
    escalated = Q(is_complaint=True)
    if optional_field("case_escalated"):
        escalated |= Q(**{OPTIONAL_FIELDS["case_escalated"][1]: True})
    if optional_field("case_status"):
        escalated |= Q(**{f"{OPTIONAL_FIELDS['case_status'][1]}__iexact": ESCALATED_STATUS})
    scored = Q(score__isnull=False)
    service = _frame(
        _rep_filter(ServiceRecord.objects, "rep_id", rep_ids)
        .filter(date__gte=start, date__lte=end, is_deleted=False)
        .annotate(week=TruncWeek("date"))
        .values("rep_id", "week")
        .annotate(
            service_n=Count("score"),
            # As floats: SQLite stores a whole score as an integer and divides integers
            # without a remainder (4 / 5 is 0), so every score but a perfect one read as 0.
            service_score_sum=Sum(
                Cast("score", FloatField()) / Cast("scale_max", FloatField()),
                output_field=FloatField(),
            ),
            service_scale_sum=Sum("scale_max", filter=scored),
            complaints=Count("id", filter=escalated),
            cases=Count("id", filter=Q(source=ServiceRecord.Source.CASE)),
        )
        .values_list(
            "rep_id",
            "week",
            "service_n",
            "service_score_sum",
            "service_scale_sum",
            "complaints",
            "cases",
        ),
        [
            "rep_id",
            "week",
            "service_n",
            "service_score_sum",
            "service_scale_sum",
            "complaints",
            "cases",
        ],
    )
    resolved = _resolution_orm(start=start, end=end, rep_ids=rep_ids)
    parts = [part for part in (activities, created, won, service, resolved) if not part.empty]
    if parts:
        for part in parts:
            part["week"] = pd.to_datetime(part["week"])
            for column in part.columns.difference(["rep_id", "week"]):
                part[column] = part[column].astype(float)
        weekly = pd.concat(parts, ignore_index=True)
        for column in WEEKLY_COLUMNS:
            weekly[column] = weekly[column].fillna(0.0) if column in weekly else 0.0
        return weekly
    return empty_weekly()


def _resolution_orm(*, start: dt.date, end: dt.date, rep_ids: list[int] | None) -> pd.DataFrame:
    """Cases resolved per rep and week with the days they took (empty without the fields)."""
    opened, resolved = optional_field("case_opened"), optional_field("case_resolved")
    if not (opened and resolved):
        return pd.DataFrame()
    opened_name = OPTIONAL_FIELDS["case_opened"][1]
    resolved_name = OPTIONAL_FIELDS["case_resolved"][1]
    rows = _frame(
        _rep_filter(ServiceRecord.objects, "rep_id", rep_ids)
        .filter(**{f"{resolved_name}__isnull": False, f"{opened_name}__isnull": False})
        .filter(date__gte=start, date__lte=end)
        .values_list("rep_id", opened_name, resolved_name),
        ["rep_id", "opened", "resolved"],
    )
    if rows.empty:
        return rows
    opened_at = pd.to_datetime(rows["opened"], utc=True).dt.tz_localize(None).dt.normalize()
    resolved_at = pd.to_datetime(rows["resolved"], utc=True).dt.tz_localize(None).dt.normalize()
    rows["week"] = resolved_at - pd.to_timedelta(resolved_at.dt.day_of_week, unit="D")
    rows["resolution_days_sum"] = (resolved_at - opened_at).dt.days.clip(lower=0)
    rows["resolved_n"] = 1.0
    return rows.groupby(["rep_id", "week"], as_index=False)[
        ["resolved_n", "resolution_days_sum"]
    ].sum()


def risk_history_start() -> dt.date | None:
    """The day of the first activity: where training can begin.

    The earliest of each rep's first activity (every activity has a rep): one probe of the
    ``(rep, occurred_at)`` index per rep, where ``ORDER BY occurred_at LIMIT 1`` scans the
    whole table (1.2 s at 10,000 reps, for every scoring chunk)."""
    firsts = SalesRep.objects.annotate(
        first_activity=Subquery(
            Activity.objects.filter(rep=OuterRef("pk"))
            .order_by("occurred_at")
            .values("occurred_at")[:1]
        )
    )
    first = firsts.aggregate(first=Min("first_activity"))["first"]
    return first.date() if first else None


# Where the activities end: the last day, of the last 13 weeks, whose count is at least half a
# busy day's (the 75th percentile of the days with any: a working day's, whatever the weekends
# and a tail). A CRM export holds meetings booked ahead; between the export and today they are
# a thin tail (a tenth of a working day's activity, Mondays a third: the independent org's
# export of 2026-11-13 read on 2026-12-04), not data: read as history, they make every rep look
# idle for weeks. A holiday week at the very end can end the data before it.
ACTIVITY_END_SHARE = 0.5
ACTIVITY_END_QUANTILE = 0.75
ACTIVITY_END_WINDOW_DAYS = 91
# The model page asks for the history's end on every view; ``activity_end``'s grouped read of
# 13 weeks of activities (0.12 s at 1.5 million rows) is kept this long under the newest
# activity's moment, which any import that adds to the end changes.
ACTIVITY_END_CACHE_SECONDS = 600


def risk_history_end() -> dt.date | None:
    """The last day the data cover: the newest activity, deal, service record or leave day
    dated no later than today (a booked future leave is not data), the activities ending
    where their daily count falls off a cliff (``activity_end``)."""
    today = timezone.localdate()
    newest = _activity_latest(before=_aware_start(today + dt.timedelta(days=1)))
    candidates = [
        _activity_end_cached(newest) if newest is not None else None,
        ServiceRecord.objects.filter(date__lte=today)
        .order_by("-date")
        .values_list("date", flat=True)
        .first(),
        Deal.objects.filter(created_on__lte=today)
        .order_by("-created_on")
        .values_list("created_on", flat=True)
        .first(),
    ]
    days = [c.date() if isinstance(c, dt.datetime) else c for c in candidates if c is not None]
    return max(days) if days else None


def _activity_end_cached(newest: dt.datetime) -> dt.date:
    key = f"relay:activity-end:{newest.isoformat()}"
    end = cache.get(key)
    if end is None:
        end = activity_end(newest=timezone.localdate(newest))
        cache.set(key, end, ACTIVITY_END_CACHE_SECONDS)
    return end


def activity_end(*, newest: dt.date) -> dt.date:
    """The last day the activities cover, given the newest one dated by today: the last day, of
    the ``ACTIVITY_END_WINDOW_DAYS`` up to ``newest``, whose activities number at least
    ``ACTIVITY_END_SHARE`` of a busy day's (the ``ACTIVITY_END_QUANTILE`` of the window's days
    that have any).
    A history that runs on to ``newest`` ends there; one whose last weeks hold only a thin tail
    (meetings booked ahead of the export) ends before the tail. One grouped query."""
    start = newest - dt.timedelta(days=ACTIVITY_END_WINDOW_DAYS - 1)
    per_day = dict(
        Activity.objects.filter(
            occurred_at__gte=_aware_start(start),
            occurred_at__lt=_aware_start(newest + dt.timedelta(days=1)),
        )
        .annotate(day=TruncDate("occurred_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("day", "n")
    )
    if not per_day:
        return newest
    busy_day = float(np.quantile(list(per_day.values()), ACTIVITY_END_QUANTILE))
    busy = [day for day, n in per_day.items() if n >= ACTIVITY_END_SHARE * busy_day]
    return max(busy) if busy else newest


def _activity_latest(*, before: dt.datetime) -> dt.datetime | None:
    """The newest activity before ``before``: the newest of each rep's newest, each read from
    the (rep, occurred_at) index backwards (every activity has a rep). No index leads with
    ``occurred_at`` (it would slow imports), so ORDER BY occurred_at over the whole table
    reads all of it (8.5 million rows at 10,000 reps)."""
    newest = (
        Activity.objects.filter(rep_id=OuterRef("pk"), occurred_at__lt=before)
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return SalesRep.objects.order_by().aggregate(latest=Max(Subquery(newest)))["latest"]


def reps_on_notice(*, rep_ids: Iterable[int], as_of: dt.date) -> dict[int, dt.date]:
    """rep_id → last day, for the reps serving notice on ``as_of``: their departure is recorded
    and notice started on or before ``as_of`` (the notice date if the source has one, else the
    last day minus the assumed notice; a rep whose status is "serving notice" is so from today
    at the latest)."""
    from retention.scoring.labels import ASSUMED_NOTICE_DAYS

    fields = ["id", "departure_date", "status"]
    notice_field = OPTIONAL_FIELDS["notice_date"][1] if optional_field("notice_date") else None
    if notice_field:
        fields.append(notice_field)
    today = timezone.localdate()
    leaving = {}
    for row in SalesRep.objects.filter(pk__in=list(rep_ids), departure_date__gt=as_of).values_list(
        *fields
    ):
        rep_id, last_day, status = row[:3]
        start = row[3] if notice_field and row[3] else last_day - dt.timedelta(ASSUMED_NOTICE_DAYS)
        if status == SalesRep.Status.NOTICE:
            start = min(start, today)
        if start <= as_of:
            leaving[rep_id] = last_day
    return leaving


def reps_to_score(*, as_of: dt.date) -> list[tuple[int, int]]:
    """(rep_id, team_id) of every rep employed on ``as_of``, by team."""
    return list(
        SalesRep.objects.filter(hire_date__lte=as_of)
        .filter(Q(departure_date__isnull=True) | Q(departure_date__gt=as_of))
        .order_by("team_id", "id")
        .values_list("id", "team_id")
    )


def voluntary_departures_count(*, until: dt.date) -> int:
    return SalesRep.objects.filter(
        departure_reason=SalesRep.DepartureReason.VOLUNTARY, departure_date__lte=until
    ).count()


def risk_model_active() -> RiskModel | None:
    return RiskModel.objects.filter(is_active=True).first()


def risk_model_latest_trained() -> RiskModel | None:
    """The newest trained model, published or not (its validation explains why)."""
    return (
        RiskModel.objects.defer("artifact")
        .filter(kind=RiskModel.Kind.TRAINED)
        .order_by("-created_at", "-id")
        .first()
    )


def risk_models() -> QuerySet[RiskModel]:
    return RiskModel.objects.defer("artifact").order_by("-created_at", "-id")


def scoring_runs_recent(*, limit: int = 10) -> list[ScoringRun]:
    return list(
        ScoringRun.objects.select_related("model", "requested_by").order_by("-created_at", "-id")[
            :limit
        ]
    )


def scoring_run_in_flight() -> ScoringRun | None:
    return (
        ScoringRun.objects.filter(status__in=[ScoringRun.Status.PENDING, ScoringRun.Status.RUNNING])
        .order_by("-created_at")
        .first()
    )


def model_jobs_recent(*, limit: int = 10) -> list[ModelJob]:
    """Trainings and backtests, newest first (the model page's table)."""
    return list(
        ModelJob.objects.select_related("model")
        .defer("model__artifact")
        .order_by("-created_at", "-id")[:limit]
    )


def model_job_in_flight(*, kind: str, model: RiskModel | None = None) -> ModelJob | None:
    """The training in flight, or ``model``'s backtest in flight (one of each at most)."""
    jobs = ModelJob.objects.filter(
        kind=kind, status__in=[ModelJob.Status.QUEUED, ModelJob.Status.RUNNING]
    )
    if kind == ModelJob.Kind.EVALUATE:
        jobs = jobs.filter(model=model)
    return jobs.select_related("model").defer("model__artifact").first()


def model_job_latest(*, kind: str, model: RiskModel | None = None) -> ModelJob | None:
    """The latest training, or the latest backtest of ``model``: in flight, or how it ended."""
    jobs = ModelJob.objects.filter(kind=kind)
    if model is not None:
        jobs = jobs.filter(model=model)
    return (
        jobs.select_related("model").defer("model__artifact").order_by("-created_at", "-id").first()
    )


REP_RISK_CACHE_SECONDS = 600


def rep_risk(*, user: User, rep_id: int) -> RepRisk:
    """A rep's risk for ``user``: the rep (404 out of scope), their score in the latest run and
    their history (succeeded runs, oldest first, one per date: the latest run of a day wins).

    The history only changes when a run is published, so it is cached under the latest run's
    id and the viewer's scope (a new run or a change of scope reads afresh). Whether the rep is
    in scope is asked of the database on every call, and every read is audited, from the cache
    or not: one row for the rep when there is a score to show.
    """
    rep = rep_get_visible(user=user, rep_id=rep_id)
    run = scoring_run_latest_complete()
    key = (
        f"relay:rep-risk:{run.pk if run else 0}:{rep.pk}:"
        f"{scope_cache_key(user)}"
    )
    history = cache.get(key)
    if history is None:
        # The audited queryset writes the audit row as it reads.
        history = _rep_history(risk_scores_visible_to(user).filter(rep=rep))
        cache.set(key, history, REP_RISK_CACHE_SECONDS)
    elif history:
        risk_reads_record(viewer=user, rep_ids=[rep.pk])
    current = next((s for s in history if run is not None and s.run_id == run.pk), None)
    return RepRisk(rep=rep, current=current, history=history)


def _rep_history(scores: QuerySet[RiskScore]) -> list[RiskScore]:
    """One score per date, oldest first (the latest run of a day wins), with each score's run
    and model but not the model's stored pipeline (a megabyte, once per score otherwise)."""
    scores = (
        scores.select_related("run", "run__model")
        .defer("run__model__artifact")
        .order_by("as_of", "run__finished_at", "run_id")
    )
    by_date: dict[dt.date, RiskScore] = {}
    for score in scores:
        by_date[score.as_of] = score
    return list(by_date.values())


@dataclass
class RepRisk:
    rep: SalesRep
    current: RiskScore | None  # the score of the latest complete run, if the rep is in it
    history: list[RiskScore]

    @property
    def last(self) -> RiskScore | None:
        """The newest score, even when the latest run did not include the rep."""
        return self.history[-1] if self.history else None


def dashboard_rows_read(
    *, user: User, reps: QuerySet[SalesRep], ids: list[int], today: dt.date
) -> list[SalesRep]:
    """The dashboard rows ``ids`` (one page of ``reps``, already sorted) with what is at stake
    attached, in that order; audited, one row per rep shown."""
    loaded = {rep.pk: rep for rep in reps.order_by().filter(pk__in=ids)}
    rows = dashboard_selectors.dashboard_rows_attach(
        reps=[loaded[rep_id] for rep_id in ids if rep_id in loaded], today=today
    )
    risk_reads_record(viewer=user, rep_ids=[rep.pk for rep in rows if rep.band])
    return rows


def team_alert_recipients(*, team_ids: Iterable[int]) -> dict[int, list[User]]:
    """For each team: its managers and the managers of every team above it who have an e-mail
    (``accounts.org``'s rule: active sales managers), by e-mail."""
    tree = org_tree()
    found = {}
    for team_id in team_ids:
        by_email = {m.email: m for m in tree.managers_above(team_id) if m.email}
        found[team_id] = [by_email[email] for email in sorted(by_email)]
    return found


def team_manager_emails(*, team_ids: Iterable[int]) -> dict[int, list[str]]:
    """For each team: the e-mails of ``team_alert_recipients``."""
    return {
        team_id: [m.email for m in managers]
        for team_id, managers in team_alert_recipients(team_ids=team_ids).items()
    }
