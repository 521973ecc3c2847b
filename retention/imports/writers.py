"""Writing validated records: upserts keyed by (source, external_id), reps, and ownership.

On PostgreSQL each chunk goes through COPY into a temporary table and one
``INSERT … ON CONFLICT (source, external_id) WHERE NOT (external_id = '') DO UPDATE … WHERE
changed``; the conflict target repeats the partial unique index's predicate so PostgreSQL can
use it. On other databases (SQLite in development) the ORM's bulk_create/bulk_update do the
same work. Both report how many rows were created, updated and left unchanged.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

import polars as pl
from django.db import connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import RawSQL
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from django.utils.translation import gettext as _

from retention.imports.lookups import ImportContext
from retention.imports.org import hr_managers_apply, write_roles
from retention.models import (
    Activity,
    Assignment,
    Customer,
    Deal,
    LeaveRecord,
    SalesRep,
    ServiceRecord,
)
from retention.services import rep_record_departure, team_history_follow

if TYPE_CHECKING:
    from retention.imports.bulkload import Keys
    from retention.imports.kinds import FileKind


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: "Counts") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


@dataclass(frozen=True)
class UpsertSpec:
    model: type[models.Model]
    columns: tuple[str, ...]  # the compared and written columns besides source and external_id
    timestamps: bool = False

    @property
    def table(self) -> str:
        return self.model._meta.db_table


SPECS = {
    "customers": UpsertSpec(
        Customer,
        ("name", "industry", "region", "annual_revenue", "currency", "is_deleted"),
        timestamps=True,
    ),
    "deals": UpsertSpec(
        Deal,
        (
            "customer_id",
            "owner_id",
            "name",
            "stage",
            "amount",
            "currency",
            "created_on",
            "close_date",
            "status",
            "is_deleted",
        ),
        timestamps=True,
    ),
    "activities": UpsertSpec(
        Activity,
        (
            "rep_id",
            "customer_id",
            "kind",
            "occurred_at",
            "duration_minutes",
            "subject",
            "is_internal",
            "todo_status",
            "due_date",
            "is_deleted",
        ),
    ),
    "service": UpsertSpec(
        ServiceRecord,
        (
            "rep_id",
            "customer_id",
            "date",
            "score",
            "scale_max",
            "is_complaint",
            "is_escalated",
            "priority",
            "opened_at",
            "closed_at",
            "resolution_minutes",
            "is_deleted",
        ),
    ),
    "leave": UpsertSpec(LeaveRecord, ("rep_id", "first_day", "last_day", "kind")),
}


# What a converter that knows nothing of a column means by it: a live record, an activity that
# happened with a customer, a service record without case details.
ENTITY_DEFAULTS: dict[str, dict[str, object]] = {
    # No currency column: the amounts are in the organisation's currency.
    "customers": {"is_deleted": False, "currency": ""},
    "deals": {"is_deleted": False, "currency": ""},
    "activities": {"is_internal": False, "todo_status": "", "due_date": None, "is_deleted": False},
    "service": {
        "is_escalated": False,
        "priority": "",
        "opened_at": None,
        "closed_at": None,
        "resolution_minutes": None,
        "is_deleted": False,
    },
}


@dataclass
class UpsertResult:
    counts: Counts
    changed_keys: set[str] = field(default_factory=set)


def upsert(
    spec: UpsertSpec,
    records: list[dict],
    *,
    want_keys: bool = False,
    using: BaseDatabaseWrapper | None = None,
    unindexed: "Keys | None" = None,
) -> UpsertResult:
    """Insert new rows, update changed ones, count the rest. ``using`` lets a writer thread
    share the importing thread's connection (and so its transaction); ``unindexed`` says which
    ids are stored while bulk-load mode has dropped the table's keys (``bulkload.Keys``)."""
    if not records:
        return UpsertResult(Counts())
    if connection.vendor == "postgresql":
        return _upsert_postgres(
            spec, records, want_keys=want_keys, using=using or connection, unindexed=unindexed
        )
    return _upsert_orm(spec, records)


def _upsert_postgres(
    spec: UpsertSpec,
    records: list[dict],
    *,
    want_keys: bool,
    using: BaseDatabaseWrapper,
    unindexed: "Keys | None" = None,
) -> UpsertResult:
    columns = ("source", "external_id", *spec.columns)
    row_of = itemgetter(*columns)

    def load(cursor, table: str, column_list: str) -> None:
        # Binary COPY with the column types given: about three times less work per row here
        # than text COPY, which matters when the validating thread waits for this one.
        copy_rows(cursor, table, columns, map(row_of, records))

    if unindexed is not None and not unindexed.restored:
        ids: dict[str, list[str]] = {}
        for record in records:
            ids.setdefault(record["source"], []).append(record["external_id"])
        with using.cursor() as cursor:
            straight = partial(load, cursor, spec.table, ", ".join(columns))
            if _straight(spec, unindexed, cursor, ids, straight):
                changed = {key for keys in ids.values() for key in keys} if want_keys else set()
                return UpsertResult(Counts(created=len(records)), changed)
    return _upsert_staged(spec, load, len(records), want_keys=want_keys, using=using)


def copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Binary COPY of ``rows`` (tuples in the order of ``columns``) into ``table``, each column
    given the type the table declares."""
    cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
        "AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    types = dict(cursor.fetchall())
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    # The driver's own cursor copies; Django's error wrapping makes its refusals Django's
    # (IntegrityError, DataError …), which the import reports as refused.
    with (
        cursor.db.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types([types[column] for column in columns])
        for row in rows:
            copy.write_row(row)


def create_all(model: type[models.Model], rows: list[dict]) -> None:
    """Insert new rows of ``model``, each a dict of field attnames (``customer_id``) to values,
    all with the same keys; the other fields get their defaults (computed once, for all rows),
    timestamps now. On PostgreSQL
    by binary COPY, with no model instance made: Django binds parameters on the client, so a
    multi-row INSERT has the driver quote each value in Python (20,000 assignments through
    ``bulk_create``: about 2.5 s, against 0.2 s). Like ``bulk_create`` it sends no signals, and
    the table's constraints check every row."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
        return
    database = connections[connection.alias]
    now = timezone.now()
    given, constants = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.generated or (
            model_field.primary_key and isinstance(model_field, AutoFieldMixin)
        ):
            continue
        if model_field.attname in rows[0]:
            given.append(model_field)
        elif getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            constants.append((model_field, model_field.get_db_prep_save(now, database)))
        else:
            default = model_field.get_default()
            constants.append((model_field, model_field.get_db_prep_save(default, database)))
    unknown = set(rows[0]) - {model_field.attname for model_field in given}
    if unknown:
        raise TypeError(f"{model.__name__} has no fields {sorted(unknown)}")
    fixed = [value for _field, value in constants]
    lines = (
        [
            *(
                model_field.get_db_prep_save(row[model_field.attname], database)
                for model_field in given
            ),
            *fixed,
        ]
        for row in rows
    )
    columns = [model_field.column for model_field in (*given, *(f for f, _v in constants))]
    with connection.cursor() as cursor:
        copy_rows(cursor, model._meta.db_table, columns, lines)


def any_of(column: str, values: Sequence[int] | Sequence[str]) -> models.Q:
    """A filter on ``column`` (of the queried table; no join) being one of ``values``, ids or
    texts: on PostgreSQL one array literal that the server parses, instead of a list whose
    every element the driver quotes in Python and whose placeholders it splits out of the
    query (0.4 s for 20,000 ids)."""
    if not values or connection.vendor != "postgresql":
        return models.Q(**{f"{column}__in": list(values)})
    if isinstance(values[0], str):
        literal, cast = array_literal(pl.Series(values, dtype=pl.String)), "varchar[]"
    else:
        literal, cast = "{" + ",".join(str(int(value)) for value in values) + "}", "bigint[]"
    name = connection.ops.quote_name(column)
    return models.Q(
        RawSQL(f"{name} = ANY(%s::{cast})", [literal], output_field=models.BooleanField())
    )


def array_literal(texts: pl.Series) -> str:
    """The texts as one PostgreSQL array literal, every element quoted and escaped, built by
    polars: a chunk's ids go to the server as one string instead of a Python list that the
    driver would quote element by element."""
    escaped = (
        pl.col("text")
        .str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all('"', '\\"', literal=True)
    )
    joined = texts.to_frame("text").select(
        pl.concat_str(pl.lit('"'), escaped, pl.lit('"')).str.join(",")
    )
    return "{" + (joined.item() if texts.len() else "") + "}"


def upsert_csv(
    spec: UpsertSpec,
    data: bytes,
    rows: int,
    *,
    source: str = "",
    keys: list[str] | str | None = None,
    ids: pl.Series | None = None,
    unindexed: "Keys | None" = None,
    using: BaseDatabaseWrapper | None = None,
) -> Counts:
    """The upsert of ``rows`` records given as CSV (``source, external_id, *spec.columns``,
    every text quoted, NULL as ``\\N``), as the column-at-a-time path writes them: PostgreSQL
    parses the whole chunk in C, so no Python object is made per row.

    Given the chunk's ``source`` and its distinct ids, as ``keys`` (a list, or the same as a
    PostgreSQL array literal, ``array_literal``) or as ``ids`` (a polars Series), a chunk none
    of whose records is stored yet is copied straight into the table: no staging table, no
    conflict arbiter. Should another transaction store one of them meanwhile, the unique index
    refuses the COPY and the whole import rolls back; nothing is half-written. While bulk-load
    mode has dropped that index (``unindexed``; it holds the table's lock, so no other
    transaction writes), ``unindexed`` says whether one is stored, and brings the index back
    when one is."""
    if not rows:
        return Counts()
    using = using or connection
    copy_sql = "COPY {table} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')"

    def load(cursor, table: str, column_list: str) -> None:
        with (
            cursor.db.wrap_database_errors,
            cursor.cursor.copy(copy_sql.format(table=table, columns=column_list)) as copy,
        ):
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start : start + (1 << 20)])

    if unindexed is not None and not unindexed.restored and ids is not None:
        column_list = ", ".join(("source", "external_id", *spec.columns))
        with using.cursor() as cursor:
            straight = partial(load, cursor, spec.table, column_list)
            if _straight(spec, unindexed, cursor, {source: ids}, straight):
                return Counts(created=rows)
    if keys is None and ids is not None:
        keys = array_literal(ids)
    if keys is not None and not _insert_defaults(spec):
        with using.cursor() as cursor:
            # One probe of the unique index first: none stored between the lowest and highest
            # id, in the database's collation (a file's next chunk, another object's ids),
            # means none of them is stored. The bounds are computed once, before the index is
            # read: joined to the table, they were computed again for every stored row of the
            # source whenever the statistics said the table was empty (after a mass delete),
            # which took a 200,000-row table and a 100,000-id chunk over 13 minutes.
            cursor.execute(
                f"WITH bounds AS MATERIALIZED (SELECT min(k) AS low, max(k) AS high "
                f"FROM unnest(%s::varchar[]) AS k) "
                f"SELECT EXISTS (SELECT 1 FROM {spec.table} WHERE source = %s "
                f"AND NOT (external_id = '') "
                f"AND external_id BETWEEN (SELECT low FROM bounds) AND (SELECT high FROM bounds))",
                [keys, source],
            )
            (stored,) = cursor.fetchone()
            if stored:
                cursor.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {spec.table} WHERE source = %s "
                    f"AND external_id = ANY(%s::varchar[]) AND NOT (external_id = ''))",
                    [source, keys],
                )
                (stored,) = cursor.fetchone()
            if not stored:
                load(cursor, spec.table, ", ".join(("source", "external_id", *spec.columns)))
                return Counts(created=rows)
    return _upsert_staged(spec, load, rows, want_keys=False, using=using).counts


def _straight(spec: UpsertSpec, unindexed: "Keys", cursor, ids: dict, load: Callable) -> bool:
    """Bulk-load mode's straight COPY of a chunk (``Keys.load_straight``); a table whose rows
    need defaults the records do not carry takes the upsert, its keys brought back first."""
    if _insert_defaults(spec):
        unindexed.restore(cursor)
        return False
    return unindexed.load_straight(cursor, ids, load)


def _insert_defaults(spec: UpsertSpec) -> list[tuple[str, object]]:
    """The columns an insert must fill that the records do not carry (model defaults and
    timestamps live in Python, not in the table)."""
    columns = {"source", "external_id", *spec.columns}
    defaults = [
        (model_field.column, model_field.get_default())
        for model_field in spec.model._meta.concrete_fields
        if not model_field.primary_key
        and model_field.column not in columns
        and (model_field.has_default() or not model_field.null)
    ]
    if spec.timestamps:
        defaults += [("created_at", None), ("updated_at", None)]
    return defaults


def _upsert_staged(
    spec: UpsertSpec,
    load: Callable,
    rows: int,
    *,
    want_keys: bool,
    using: BaseDatabaseWrapper,
) -> UpsertResult:
    """Load the chunk into a temporary table with ``load``, then one INSERT … ON CONFLICT."""
    columns = ("source", "external_id", *spec.columns)
    temp = f"relay_import_{spec.table}"
    column_list = ", ".join(columns)
    # Model defaults live in Python, not in the table: the insert supplies them for new rows.
    stamped = {"created_at", "updated_at"} if spec.timestamps else set()
    defaults = [
        (model_field.column, model_field.get_default())
        for model_field in spec.model._meta.concrete_fields
        if not model_field.primary_key
        and model_field.column not in {*columns, *stamped}
        and (model_field.has_default() or not model_field.null)
    ]
    insert_columns = ", ".join(
        [*columns, *(column for column, _value in defaults), *sorted(stamped)]
    )
    select_columns = ", ".join(
        [*columns, *("%s" for _default in defaults), *("now()" for _stamp in stamped)]
    )
    params = [value for _column, value in defaults]
    assignments = ", ".join(f"{column} = EXCLUDED.{column}" for column in spec.columns)
    if spec.timestamps:
        assignments += ", updated_at = now()"
    old = ", ".join(f"t.{column}" for column in spec.columns)
    new = ", ".join(f"EXCLUDED.{column}" for column in spec.columns)
    returning = "t.external_id, (t.xmax = 0) AS inserted"
    upsert_sql = (
        f"INSERT INTO {spec.table} AS t ({insert_columns}) SELECT {select_columns} FROM {temp} "
        f"ON CONFLICT (source, external_id) WHERE NOT (external_id = '') "
        f"DO UPDATE SET {assignments} WHERE ({old}) IS DISTINCT FROM ({new}) "
        f"RETURNING {returning}"
    )
    with using.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {temp} ON COMMIT DROP AS "
            f"SELECT {column_list} FROM {spec.table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {temp}")
        load(cursor, temp, column_list)
        if want_keys:
            cursor.execute(upsert_sql, params)
            found = cursor.fetchall()
            created = sum(1 for _key, inserted in found if inserted)
            result = UpsertResult(
                Counts(created, len(found) - created, rows - len(found)),
                {key for key, _inserted in found},
            )
        else:
            cursor.execute(
                f"WITH changed AS ({upsert_sql}) "
                f"SELECT count(*) FILTER (WHERE inserted), count(*) FROM changed",
                params,
            )
            created, changed = cursor.fetchone()
            result = UpsertResult(Counts(created, changed - created, rows - changed))
    return result


def _upsert_orm(spec: UpsertSpec, records: list[dict]) -> UpsertResult:
    model = spec.model
    field_names = [
        column.removesuffix("_id") if column.endswith("_id") else column for column in spec.columns
    ]
    attnames = list(spec.columns)
    existing: dict[str, models.Model] = {}
    source_keys: dict[str, list[str]] = {}
    for record in records:
        source_keys.setdefault(record["source"], []).append(record["external_id"])
    for source, keys in source_keys.items():
        for start in range(0, len(keys), 500):
            for obj in model.objects.filter(
                source=source, external_id__in=keys[start : start + 500]
            ):
                existing[f"{source}\x00{obj.external_id}"] = obj
    new_objects = []
    changed_objects = []
    changed_keys: set[str] = set()
    now = timezone.now()
    for record in records:
        obj = existing.get(f"{record['source']}\x00{record['external_id']}")
        values = {column: record[column] for column in attnames}
        if obj is None:
            new_objects.append(
                model(source=record["source"], external_id=record["external_id"], **values)
            )
            changed_keys.add(record["external_id"])
            continue
        if any(getattr(obj, column) != value for column, value in values.items()):
            for column, value in values.items():
                setattr(obj, column, value)
            if spec.timestamps:
                obj.updated_at = now
            changed_objects.append(obj)
            changed_keys.add(record["external_id"])
    model.objects.bulk_create(new_objects, batch_size=500)
    if changed_objects:
        update_fields = [*field_names] + (["updated_at"] if spec.timestamps else [])
        model.objects.bulk_update(changed_objects, update_fields, batch_size=500)
    counts = Counts(
        len(new_objects),
        len(changed_objects),
        len(records) - len(new_objects) - len(changed_objects),
    )
    return UpsertResult(counts, changed_keys)


# --- per entity ---------------------------------------------------------------------------------


def records_mark_deleted(
    kind: "FileKind", keys: list[str], ctx: ImportContext, unindexed: "Keys | None" = None
) -> int:
    """Mark the records the CRM has deleted since they were imported; returns how many Relay
    had. A deleted customer also leaves its imported owner's book (the assignment is closed).
    ``unindexed``: as for ``upsert``; none of ``keys`` is one the current file wrote."""
    spec = SPECS.get(kind.entity)
    if spec is None or not keys:
        return 0
    source = kind.stored_source or kind.source
    if unindexed is not None and not unindexed.restored:
        if not unindexed.stores_any(source, keys):
            return 0
        with connection.cursor() as cursor:
            unindexed.restore(cursor)
    marked = 0
    for start in range(0, len(keys), 1000):
        rows = spec.model.objects.filter(source=source, external_id__in=keys[start : start + 1000])
        known = list(rows.values_list("id", "is_deleted"))
        marked += len(known)
        live = [pk for pk, is_deleted in known if not is_deleted]
        if not live:
            continue
        spec.model.objects.filter(pk__in=live).update(is_deleted=True)
        if spec.model is Customer:
            Assignment.objects.filter(
                customer_id__in=live,
                valid_to__isnull=True,
                source=Assignment.Source.IMPORT,
                valid_from__lte=ctx.today,
            ).update(valid_to=ctx.today, updated_at=timezone.now())
    return marked


# Entities whose writes feed nothing back into the lookups, so a chunk can be written while the
# next one is validated.
PIPELINED = frozenset({"deals", "activities", "service", "leave"})


def write_records(
    entity: str,
    records: list[dict],
    ctx: ImportContext,
    using: BaseDatabaseWrapper | None = None,
    unindexed: "Keys | None" = None,
) -> Counts:
    if entity == "reps":
        return write_reps(records, ctx)
    if entity == "roles":
        return Counts(*write_roles(records, ctx))
    if entity == "customers":
        return write_customers(records, ctx)
    if entity == "owner_history":
        return write_owner_history(records, ctx)
    return upsert(SPECS[entity], records, using=using, unindexed=unindexed).counts


def write_customers(records: list[dict], ctx: ImportContext) -> Counts:
    """Upsert customers, then turn each row's CRM owner into an owner assignment with history."""
    if not records:
        return Counts()
    result = upsert(SPECS["customers"], records, want_keys=True)
    source = records[0]["source"]
    keys = [record["external_id"] for record in records]
    known = ctx.customers(source)
    for start in range(0, len(keys), 10_000):
        known.update(
            Customer.objects.filter(
                any_of("external_id", keys[start : start + 10_000]), source=source
            ).values_list("external_id", "id")
        )
    owners = {
        known[record["external_id"]]: record["_owner"] for record in records if record["_owner"]
    }
    since = {
        known[record["external_id"]]: record["_owner_since"]
        for record in records
        if record.get("_owner_since")
    }
    moved, kept = assignments_follow_crm(owners=owners, ctx=ctx, since=since)
    ids_to_keys = {known[key]: key for key in keys}
    # A kept owner is named as the file names it (the rep's CRM user id), not by Relay's own
    # row id, which means nothing to the reader and changes with each import of User.csv.
    named = dict(
        SalesRep.objects.filter(pk__in={owners[customer_id] for customer_id in kept}).values_list(
            "id", "crm_user_id"
        )
    )
    for customer_id, reason in kept.items():
        rep_id = owners[customer_id]
        ctx.record_flags.append(
            (ids_to_keys[customer_id], "owner", named.get(rep_id) or str(rep_id), reason)
        )
    newly_changed = {ids_to_keys[customer_id] for customer_id in moved} - result.changed_keys
    counts = result.counts
    counts.updated += len(newly_changed)
    counts.unchanged -= len(newly_changed)
    return counts


def write_owner_history(records: list[dict], ctx: ImportContext) -> Counts:
    """Past owners from the CRM's owner changes, as closed assignments before the current one.

    Only imported ownership is filled in (an owner set in Relay is left alone), and only what
    is missing is added, so the same history imported twice changes nothing.
    """
    counts = Counts()
    by_customer: dict[int, list[dict]] = {}
    for record in records:
        by_customer.setdefault(record["customer_id"], []).append(record)
    existing: dict[int, list[Assignment]] = {}
    for assignment in Assignment.objects.filter(
        customer_id__in=list(by_customer), role=Assignment.Role.OWNER
    ):
        existing.setdefault(assignment.customer_id, []).append(assignment)
    to_create: list[dict] = []
    created_by = ctx.user.pk if ctx.user is not None else None
    for customer_id, changes in by_customer.items():
        changes.sort(key=lambda change: change["day"])
        held = existing.get(customer_id, [])
        current = next((a for a in held if a.valid_to is None), None)
        if current is None or current.source != Assignment.Source.IMPORT:
            counts.unchanged += len(changes)
            continue
        start = min(a.valid_from for a in held if a.source == Assignment.Source.IMPORT)
        start = min(start, changes[0]["day"])
        segments = [(changes[0]["old_rep"], start, changes[0]["day"])]
        segments += [
            (change["new_rep"], change["day"], following["day"])
            for change, following in pairwise(changes)
        ]
        have = {(a.rep_id, a.valid_from, a.valid_to) for a in held}
        new = [
            {
                "customer_id": customer_id,
                "rep_id": rep_id,
                "role": Assignment.Role.OWNER,
                "valid_from": since,
                "valid_to": until,
                "source": Assignment.Source.IMPORT,
                "created_by_id": created_by,
            }
            for rep_id, since, until in segments
            if rep_id is not None and since < until and (rep_id, since, until) not in have
        ]
        last = changes[-1]
        moved = last["new_rep"] == current.rep_id and current.valid_from != last["day"]
        if moved:
            current.valid_from = last["day"]
            current.save(update_fields=["valid_from", "updated_at"])
        to_create.extend(new)
        if new or moved:
            counts.updated += len(changes)
        else:
            counts.unchanged += len(changes)
    create_all(Assignment, to_create)
    return counts


def assignments_follow_crm(
    *, owners: dict[int, int], ctx: ImportContext, since: dict[int, dt.date] | None = None
) -> tuple[set[int], dict[int, str]]:
    """Make each customer's current owner the CRM's.

    A customer's first owner holds it from ``since`` (the CRM's CreatedDate) when known, else
    from today. An owner set by an earlier import is closed today and the new one opened; an
    owner entered by hand or by a handover plan is left alone. Nothing is deleted. Returns the
    customers whose owner changed, and why the CRM owner was not applied to others.
    """
    since = since or {}
    kept: dict[int, str] = {}
    if not owners:
        return set(), kept
    today = ctx.today
    current: dict[int, CurrentOwner] = {}
    holding: set[tuple[int, int]] = set()
    for pk, customer_id, rep_id, role, source, valid_from in Assignment.objects.filter(
        any_of("customer_id", list(owners)), valid_to__isnull=True
    ).values_list("pk", "customer_id", "rep_id", "role", "source", "valid_from"):
        if rep_id is not None:
            holding.add((customer_id, rep_id))
        if role == Assignment.Role.OWNER:
            current[customer_id] = CurrentOwner(pk, rep_id, source, valid_from)
    to_close: list[int] = []
    to_open: list[dict] = []
    created_by = ctx.user.pk if ctx.user is not None else None
    for customer_id, rep_id in owners.items():
        assignment = current.get(customer_id)
        if assignment is not None and assignment.rep_id == rep_id:
            continue
        if assignment is not None and assignment.source != Assignment.Source.IMPORT:
            kept[customer_id] = _(
                "the owner was set in Relay (%(how)s) and is kept; the CRM owner is not applied"
            ) % {"how": Assignment.Source(assignment.source).label}
            continue
        if (customer_id, rep_id) in holding:
            kept[customer_id] = _(
                "the CRM owner already holds this customer in another role; "
                "ownership is not changed"
            )
            continue
        if assignment is not None:
            to_close.append(assignment.pk)
        to_open.append(
            {
                "customer_id": customer_id,
                "rep_id": rep_id,
                "role": Assignment.Role.OWNER,
                "valid_from": since.get(customer_id, today)
                if assignment is None
                else max(today, assignment.valid_from),
                "source": Assignment.Source.IMPORT,
                "created_by_id": created_by,
            }
        )
    if to_close:
        Assignment.objects.filter(any_of("id", to_close)).update(
            valid_to=today, updated_at=timezone.now()
        )
    create_all(Assignment, to_open)
    return {row["customer_id"] for row in to_open}, kept


class CurrentOwner(NamedTuple):
    pk: int
    rep_id: int | None
    source: str
    valid_from: dt.date


_REP_FIELDS = (
    "crm_user_id",
    "hr_employee_id",
    "first_name",
    "last_name",
    "email",
    "title",
    "region",
    "team_id",
    "hire_date",
    "annual_quota",
)


def write_reps(records: list[dict], ctx: ImportContext) -> Counts:
    """Create or update reps (few thousand at most, so row by row); departures via the service;
    a new team or manager goes into the reps' team history."""
    counts = Counts()
    existing = SalesRep.objects.in_bulk([r["_rep_id"] for r in records if r["_rep_id"]])
    written: list[SalesRep] = []
    teams_before: dict[int, int] = {}
    for record in records:
        values = {key: record[key] for key in _REP_FIELDS if key in record}
        rep = existing.get(record["_rep_id"]) if record["_rep_id"] else None
        if rep is None:
            rep = SalesRep.objects.create(**values)
            counts.created += 1
            changed = True
        else:
            changed_fields = [key for key, value in values.items() if getattr(rep, key) != value]
            if "team_id" in changed_fields:
                teams_before[rep.pk] = rep.team_id
            for key in changed_fields:
                setattr(rep, key, values[key])
            if changed_fields:
                rep.save(update_fields=[*changed_fields, "updated_at"])
            changed = bool(changed_fields)
        departure = record.get("_departure")
        if departure and (rep.departure_date, rep.departure_reason) != departure:
            rep_record_departure(
                rep=rep,
                departure_date=departure[0],
                reason=departure[1],
                recorded_by=ctx.user,
                today=ctx.today,
            )
            changed = True
        left_on = record.get("_left_per_crm")
        if left_on and rep.departure_date is None:
            # Inactive in the CRM with history and no last day from HR: the reason is unknown.
            rep_record_departure(
                rep=rep, departure_date=left_on, reason="", recorded_by=ctx.user, today=ctx.today
            )
            changed = True
        if record["_rep_id"] is not None:
            if changed:
                counts.updated += 1
            else:
                counts.unchanged += 1
        written.append(rep)
        ctx.remember_rep(
            id=rep.pk,
            crm_user_id=rep.crm_user_id,
            hr_employee_id=rep.hr_employee_id,
            email=rep.email,
            first_name=rep.first_name,
            last_name=rep.last_name,
            hire_date=rep.hire_date,
        )
    team_history_follow(reps=written, on=ctx.today, teams_before=teams_before)
    hr_managers_apply(ctx)
    return counts
