"""Writing the demo organisation: one transaction, COPY on PostgreSQL, bulk_create elsewhere."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.management.commands.demo_logins import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from accounts.models import Team, User
from accounts.roles import ROLE_GROUP_NAMES
from accounts.services import role_groups_sync, user_create, user_language_set, user_set_role
from retention.demo.generate import DemoSize, Org, build_org, chunk_count, history_chunk
from retention.events import demo_seeded
from retention.models import (
    Activity,
    Assignment,
    Customer,
    Deal,
    LeaveRecord,
    RiskRollup,
    SalesRep,
    ServiceRecord,
)

DEMO_SOURCE = "demo"
SQLITE_BATCH = 2000
Progress = Callable[[str, int, int], None]


class DemoSeedError(Exception):
    """The demo cannot be seeded as asked (the message says why and what to do)."""


@dataclass
class DemoSeedResult:
    seconds: float  # everything, including what receivers of demo_seeded added
    seconds_to_commit: float  # the demo organisation itself, written and committed
    counts: dict[str, int] = field(default_factory=dict)
    summary: dict[str, int] = field(default_factory=dict)


def demo_seed(
    *,
    seed: int = 0,
    size: DemoSize | None = None,
    end_date: dt.date | None = None,
    flush: bool = False,
    if_empty: bool = False,
    progress: Progress | None = None,
    locale: str = "en",
) -> DemoSeedResult | None:
    """Build the demo organisation. Returns None when ``if_empty`` and reps already exist.

    ``locale="zh-hans"``: names, companies, teams, regions and cities in Chinese and the demo
    users' language set to it; otherwise the same organisation (retention/demo/chinese.py).
    Everything is written in one transaction; ``demo_seeded`` is sent once it commits.
    """
    if if_empty and SalesRep.objects.exists():
        return None
    size = size or DemoSize()
    end_date = end_date or timezone.localdate()
    progress = progress or (lambda stage, done, total: None)
    started = time.monotonic()
    try:
        org = build_org(seed=seed, size=size, end=end_date, locale=locale)
    except ValueError as exc:
        raise DemoSeedError(str(exc)) from exc
    with transaction.atomic():
        if flush:
            progress("flush", 0, 1)
            demo_flush()
        elif SalesRep.objects.exists():
            raise DemoSeedError(
                "The database already has sales reps. Use --flush to replace everything with "
                "the demo, or --if-empty to leave an existing organisation alone."
            )
        writer = _Writer(org)
        counts = writer.write_bulk_loaded(progress)
        committed: dict[str, float] = {}
        transaction.on_commit(lambda: committed.setdefault("at", time.monotonic()))
        transaction.on_commit(
            partial(
                demo_seeded.send, sender=SalesRep, seed=seed, end_date=end_date, locale=locale
            )
        )
    people = org.people
    last = org.days - 1
    summary = {
        "seats": size.reps,
        "reps_left_voluntary": int(
            ((people["status"] == "left") & (people["reason"] == "voluntary")).sum()
        ),
        "reps_left_other": int(
            ((people["status"] == "left") & (people["reason"] != "voluntary")).sum()
        ),
        "reps_serving_notice": int((people["status"] == "notice").sum()),
        "reps_active_showing_strain": int(
            (
                (people["status"] == "active")
                & (people["signal_kind"] == 1)
                & (people["signal_from"] <= last - 14)
                & (people["signal_strength"] >= 0.5)
            ).sum()
        ),
    }
    finished = time.monotonic()
    return DemoSeedResult(
        seconds=finished - started,
        seconds_to_commit=committed.get("at", finished) - started,
        counts=counts,
        summary=summary,
    )


def demo_flush() -> None:
    """Delete the organisation: reps and everything about them, customers, teams, and every
    user who is not a superuser."""
    models_in_order = [
        Activity,
        ServiceRecord,
        LeaveRecord,
        Deal,
        Assignment,
        RiskRollup,  # its teams are protected
        SalesRep,
        Customer,
    ]
    if connection.vendor == "postgresql":
        tables = [m._meta.db_table for m in [*models_in_order, Team]]
        quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
        with connection.cursor() as cursor:
            # TRUNCATE refuses while earlier writes in this transaction have deferred checks
            # pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        for model in models_in_order:
            model.objects.all().delete()
        while Team.objects.exists():
            Team.objects.filter(children__isnull=True).delete()
    User.objects.filter(is_superuser=False).delete()


class _Writer:
    """Maps the generator's indices to database ids and writes each table."""

    def __init__(self, org: Org) -> None:
        self.org = org
        # The demo users' language: the organisation's in Chinese; otherwise follow the browser.
        self.language = "" if org.locale == "en" else org.locale
        self.now = timezone.now()
        self.postgres = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}
        self.rep_ids = np.zeros(0, dtype=np.int64)
        self.customer_ids = np.zeros(0, dtype=np.int64)
        self.pipe: _CopyPipe | None = None

    def write(self, progress: Progress) -> dict[str, int]:
        org = self.org
        role_groups_sync()
        progress("teams and logins", 0, 1)
        teams = self._teams()
        self._logins(teams)
        progress("reps and customers", 0, 1)
        # The COPYs run on a helper thread (see _CopyPipe); it is always closed on the way out.
        chunks = chunk_count(org)
        try:
            self._reps(teams)
            self._customers()
            self._assignments()
            for chunk in range(chunks):
                progress("history", chunk, chunks)
                history = history_chunk(org, chunk)
                self._leave(history.leave)
                self._activities(history.activities)
                self._service(history.service)
                self._deals(history.deals)
        finally:
            if self.pipe is not None:
                self.pipe.close()
        progress("history", chunks, chunks)
        return self.counts

    def write_bulk_loaded(self, progress: Progress) -> dict[str, int]:
        """``write``, with the history tables' foreign keys and plain indexes set aside during
        the load and rebuilt at the end (PostgreSQL's own advice for populating a database).

        Without this, each row queues a deferred foreign-key check until COMMIT (minutes and
        gigabytes at 10,000 reps) and updates four B-trees, two of them in random order. Adding
        a foreign key back validates it in one join; building an index sorts once. The tables
        are empty here (fresh or flushed) and all of it happens inside the seeding transaction,
        so a failure rolls the constraints and indexes back with the data. Unique indexes stay.
        """
        if not self.postgres:
            return self.write(progress)
        tables = [
            m._meta.db_table for m in (Assignment, LeaveRecord, Activity, ServiceRecord, Deal)
        ]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
                "ORDER BY 1, 2",
                [tables],
            )
            foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisunique AND NOT indisprimary "
                "ORDER BY 1",
                [tables],
            )
            indexes = cursor.fetchall()
            # ALTER TABLE refuses while deferred checks are pending (after a flush): run them.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, name, _ in foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        counts = self.write(progress)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for done, (_, definition) in enumerate(indexes):
                progress("rebuilding indexes", done, len(indexes))
                cursor.execute(definition)
            for done, (table, name, definition) in enumerate(foreign_keys):
                progress("checking foreign keys", done, len(foreign_keys))
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                )
            # Planner statistics for the loaded tables now, not whenever autovacuum comes by:
            # without them the first scoring read at 10,000 reps took a plan for a few rows
            # (sorts spilling to disk) and ran several times slower.
            for done, table in enumerate(tables):
                progress("analysing", done, len(tables))
                cursor.execute(f"ANALYZE {quote(table)}")
        return counts

    # --- organisation ------------------------------------------------------------------------

    def _teams(self) -> list[Team]:
        org = self.org
        regions = Team.objects.bulk_create(
            [Team(name=name, region=name) for name in org.region_names]
        )
        teams = Team.objects.bulk_create(
            [
                Team(
                    name=name,
                    parent=regions[org.team_region[i]],
                    region=org.region_names[org.team_region[i]],
                )
                for i, name in enumerate(org.team_names)
            ]
        )
        self.regions = regions
        self._count("teams", len(regions) + len(teams))
        return teams

    def _logins(self, teams: list[Team]) -> None:
        """Every region and team gets a manager; four users are demo logins with the shared
        password: admin, hr, the first region's manager and one team's manager (``manager.east1``
        by default). The other managers cannot log in until someone sets them a password."""
        org = self.org
        login_region = min(2, len(org.region_names) - 1)
        team_login = next(i for i, r in enumerate(org.team_region) if r == login_region)
        self._login("admin", User.Role.ADMIN, [], *org.login_names["admin"], demo=True)
        self._login("hr", User.Role.HR, [], *org.login_names["hr"], demo=True)
        # Logins are named after the English region and team names in every language.
        keys = iter(org.login_keys)
        managers = [
            (f"manager.{_slug(next(keys))}", team, index == 0)
            for index, team in enumerate(self.regions)
        ] + [
            (f"manager.{_slug(next(keys))}", team, index == team_login)
            for index, team in enumerate(teams)
        ]
        names = org.manager_names
        existing = set(
            User.objects.filter(username__in=[m[0] for m in managers]).values_list(
                "username", flat=True
            )
        )
        plain = []
        for (username, team, demo), (first, last) in zip(managers, names, strict=True):
            if demo or username in existing:
                self._login(username, User.Role.SALES_MANAGER, [team], first, last, demo=demo)
            else:
                plain.append((username, team, first, last))
        self._managers_bulk(plain)
        self._count("users", User.objects.count())

    def _managers_bulk(self, managers: list[tuple[str, Team, str, str]]) -> None:
        """Sales managers without a password, in three queries: at 1,000 teams, user_create one
        by one takes half a minute. Same outcome as user_create: role, group, managed team."""
        role = User.Role.SALES_MANAGER
        group = Group.objects.get(name=ROLE_GROUP_NAMES[role])
        users = User.objects.bulk_create(
            [
                User(
                    username=username,
                    email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                    first_name=first,
                    last_name=last,
                    role=role,
                    language=self.language,
                    password=make_password(None),
                )
                for username, _, first, last in managers
            ],
            batch_size=SQLITE_BATCH,
        )
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=user.pk, group_id=group.pk) for user in users],
            batch_size=SQLITE_BATCH,
        )
        Team.managers.through.objects.bulk_create(
            [
                Team.managers.through(team_id=team.pk, user_id=user.pk)
                for user, (_, team, _, _) in zip(users, managers, strict=True)
            ],
            batch_size=SQLITE_BATCH,
        )

    def _login(
        self, username: str, role: str, teams: list[Team], first: str, last: str, *, demo: bool
    ) -> None:
        user = User.objects.filter(username=username).first()
        email = f"{username}@{DEMO_EMAIL_DOMAIN}"
        password = DEMO_PASSWORD if demo else None
        if user is None:
            user = user_create(
                username=username,
                password=password,
                role=role,
                email=email,
                first_name=first,
                last_name=last,
                managed_teams=teams,
            )
            user_language_set(user=user, language=self.language)
            return
        # A login left from an earlier organisation (a superuser survives --flush): reuse it.
        user.set_password(password)
        user.email = email
        user.save(update_fields=["password", "email"])
        user_language_set(user=user, language=self.language)
        user_set_role(user=user, role=role)
        user.managed_teams.set(teams)

    def _reps(self, teams: list[Team]) -> None:
        people = self.org.people
        departure = people["departure_day"].to_numpy()
        frame = pd.DataFrame(
            {
                "first_name": people["first_name"].to_numpy(),
                "last_name": people["last_name"].to_numpy(),
                "email": people["email"].to_numpy(),
                "crm_user_id": people["crm_user_id"].to_numpy(),
                "hr_employee_id": people["hr_employee_id"].to_numpy(),
                "team_id": np.array([t.pk for t in teams])[people["team"].to_numpy()],
                "title": people["title"].to_numpy(),
                "region": np.array(self.org.region_names)[people["region"].to_numpy()],
                "hire_date": self._dates(people["hire_day"].to_numpy()),
                "annual_quota": people["quota"].to_numpy(),
                "status": people["status"].to_numpy(),
                "departure_date": np.where(
                    departure >= 0,
                    self._dates(np.maximum(departure, 0)),
                    np.datetime64("NaT", "D"),
                ),
                "departure_reason": people["reason"].to_numpy(),
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        self._write(SalesRep, frame)
        self._sync()
        ids = dict(SalesRep.objects.values_list("hr_employee_id", "id"))
        self.rep_ids = np.array([ids[key] for key in people["hr_employee_id"]], dtype=np.int64)

    def _customers(self) -> None:
        customers = self.org.customers
        frame = pd.DataFrame(
            {
                "name": customers["name"].to_numpy(),
                "source": DEMO_SOURCE,
                "external_id": customers["external_id"].to_numpy(),
                "industry": customers["industry"].to_numpy(),
                "region": customers["region"].to_numpy(),
                "annual_revenue": customers["annual_revenue"].to_numpy(),
                "is_key_account": customers["is_key_account"].to_numpy(),
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        self._write(Customer, frame)
        self._sync()
        ids = dict(Customer.objects.filter(source=DEMO_SOURCE).values_list("external_id", "id"))
        self.customer_ids = np.array([ids[key] for key in customers["external_id"]], dtype=np.int64)

    def _sync(self) -> None:
        """Wait for the COPY in flight (before reading back what it wrote)."""
        if self.pipe is not None:
            self.pipe.drain()

    def _assignments(self) -> None:
        a = self.org.assignments
        valid_to = a["valid_to"].to_numpy()
        frame = pd.DataFrame(
            {
                "customer_id": self.customer_ids[a["customer"].to_numpy()],
                "rep_id": self.rep_ids[a["person"].to_numpy()],
                "role": a["role"].to_numpy(),
                "valid_from": self._dates(a["valid_from"].to_numpy()),
                "valid_to": np.where(
                    valid_to >= 0,
                    self._dates(np.maximum(valid_to, 0)),
                    np.datetime64("NaT", "D"),
                ),
                "source": a["source"].to_numpy(),
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        self._write(Assignment, frame)

    # --- history -----------------------------------------------------------------------------

    def _leave(self, leave: pd.DataFrame) -> None:
        frame = pd.DataFrame(
            {
                "rep_id": self.rep_ids[leave["person"].to_numpy()],
                "first_day": self._dates(leave["first"].to_numpy()),
                "last_day": self._dates(leave["last"].to_numpy()),
                "kind": leave["kind"].to_numpy(),
                "source": DEMO_SOURCE,
                "external_id": "",
            }
        )
        self._write(LeaveRecord, frame)

    def _activities(self, activities: pd.DataFrame) -> None:
        local = pd.DatetimeIndex(activities["local_time"].to_numpy())
        zone = ZoneInfo(settings.TIME_ZONE)
        utc = local.tz_localize(zone, nonexistent="shift_forward", ambiguous=False).tz_convert(
            "UTC"
        )
        frame = pd.DataFrame(
            {
                "rep_id": self.rep_ids[activities["person"].to_numpy()],
                "customer_id": self._optional(self.customer_ids, activities["customer"]),
                "kind": activities["kind"].to_numpy(),
                "occurred_at": utc.tz_localize(None).to_numpy(),
                "duration_minutes": activities["duration_minutes"].to_numpy(),
                "subject": activities["subject"].to_numpy(),
                "source": DEMO_SOURCE,
                "external_id": "",
            }
        )
        self._write(Activity, frame, datetimes=("occurred_at",))

    def _service(self, service: pd.DataFrame) -> None:
        frame = pd.DataFrame(
            {
                "rep_id": self.rep_ids[service["person"].to_numpy()],
                "customer_id": self._optional(self.customer_ids, service["customer"]),
                "date": self._dates(service["day"].to_numpy()),
                "score": service["score"].to_numpy(),
                "scale_max": 5.0,
                "is_complaint": service["is_complaint"].to_numpy(),
                "source": service["source"].to_numpy(),
                "external_id": "",
            }
        )
        self._write(ServiceRecord, frame)

    def _deals(self, deals: pd.DataFrame) -> None:
        frame = pd.DataFrame(
            {
                "customer_id": self.customer_ids[deals["customer"].to_numpy()],
                "owner_id": self.rep_ids[deals["person"].to_numpy()],
                "name": deals["name"].to_numpy(),
                "stage": deals["stage"].to_numpy(),
                "amount": deals["amount"].to_numpy(),
                "created_on": self._dates(deals["created"].to_numpy()),
                "close_date": self._dates(deals["close"].to_numpy()),
                "status": deals["status"].to_numpy(),
                "source": DEMO_SOURCE,
                "external_id": "",
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        self._write(Deal, frame)

    # --- plumbing ----------------------------------------------------------------------------

    def _dates(self, days: np.ndarray) -> np.ndarray:
        return self.org.dates(days)

    @staticmethod
    def _optional(ids: np.ndarray, index: pd.Series) -> pd.Series:
        """Ids for indices, with -1 meaning "none" (NULL)."""
        values = index.to_numpy()
        mapped = ids[np.maximum(values, 0)]
        return pd.Series(mapped, dtype="Int64").mask(values < 0)

    def _count(self, label: str, rows: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + rows

    def _write(
        self, model: type[models.Model], frame: pd.DataFrame, datetimes: tuple[str, ...] = ()
    ) -> None:
        if frame.empty:
            return
        if self.postgres:
            if self.pipe is None:
                self.pipe = _CopyPipe()
            self.pipe.send(*_copy_statement(model, frame, datetimes))
        else:
            _bulk_create(model, frame, datetimes)
        self._count(str(model._meta.verbose_name_plural), len(frame))


def _copy_statement(
    model: type[models.Model], frame: pd.DataFrame, datetimes: tuple[str, ...]
) -> tuple[str, str]:
    """The COPY … FROM STDIN statement and its CSV (dates and times formatted by numpy)."""
    out = pd.DataFrame(index=frame.index)
    text_columns = []
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
            datetimes = (*datetimes, column)
        if column in datetimes:
            stamps = values.to_numpy().astype("datetime64[s]")
            out[column] = np.char.add(np.datetime_as_string(stamps, unit="s"), "Z")
        elif pd.api.types.is_datetime64_dtype(values.dtype):
            days = values.to_numpy().astype("datetime64[D]")
            out[column] = np.where(
                np.isnat(days), None, np.datetime_as_string(days, unit="D").astype(object)
            )
        else:
            out[column] = values
            if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
                text_columns.append(column)
    buffer = out.to_csv(index=False, header=False, float_format="%.2f")
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in out.columns)
    options = "FORMAT csv"
    if text_columns:
        not_null = ", ".join(connection.ops.quote_name(c) for c in text_columns)
        options += f", FORCE_NOT_NULL ({not_null})"
    return f"COPY {table} ({columns}) FROM STDIN WITH ({options})", buffer


class _CopyPipe:
    """Runs each COPY on a helper thread while the main thread generates the next chunk.

    One COPY at a time, in order, on the seeding transaction's own connection (psycopg
    connections are thread-safe; the main thread does not touch the database meanwhile). A
    failed COPY re-raises in the main thread at the next send or at ``drain``.
    """

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-copy")
        self.pending: Future | None = None

    def send(self, sql: str, buffer: str) -> None:
        self.drain()
        connection.ensure_connection()
        self.pending = self.executor.submit(_copy_run, connection.connection, sql, buffer)

    def drain(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def close(self) -> None:
        try:
            self.drain()
        finally:
            self.executor.shutdown(wait=True)


def _copy_run(raw_connection, sql: str, buffer: str) -> None:
    with raw_connection.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(buffer)


def _bulk_create(
    model: type[models.Model], frame: pd.DataFrame, datetimes: tuple[str, ...]
) -> None:
    decimal_fields = {
        f.attname for f in model._meta.concrete_fields if isinstance(f, models.DecimalField)
    }
    columns: dict[str, list] = {}
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            columns[column] = list(values.dt.to_pydatetime())
        elif column in datetimes:
            columns[column] = list(
                pd.DatetimeIndex(values.to_numpy()).tz_localize("UTC").to_pydatetime()
            )
        elif pd.api.types.is_datetime64_dtype(values.dtype):
            columns[column] = [
                None if pd.isna(v) else v.date() for v in pd.DatetimeIndex(values.to_numpy())
            ]
        elif column in decimal_fields:
            columns[column] = [Decimal(f"{v:.2f}") for v in values.to_numpy()]
        elif isinstance(values.dtype, pd.Int64Dtype):
            columns[column] = [None if pd.isna(v) else int(v) for v in values]
        else:
            columns[column] = values.tolist()
    names = list(columns)
    objects = [
        model(**dict(zip(names, row, strict=True))) for row in zip(*columns.values(), strict=True)
    ]
    model.objects.bulk_create(objects, batch_size=SQLITE_BATCH)


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())
