"""Bulk-load mode: a load at least twice as large as the activity table is written without any
of the table's indexes and foreign keys, which are then rebuilt, as PostgreSQL's "Populating a
Database" and pg_restore do.

One COPY of a million converted rows into ``retention_activity`` costs the server about 15 s,
of which the two foreign-key checks per row take about 6 and keeping the three secondary
indexes about 6 (bench/README.md, "The floor under the import"); of what is left, keeping the
primary key and the unique ``(source, external_id)`` index costs about 2 s more than a heap
alone. Building an index once from sorted rows and checking a foreign key with one join cost a
fraction of that. The price is the locks: dropping an index takes an ACCESS EXCLUSIVE lock on
the activity table, and dropping a foreign key one on the table it points at (reps,
customers), until the import's transaction ends, so every reader of activities, reps and
customers (every page, the API, scoring) waits for the whole load. Hence only loads of at least
``RELAY_IMPORT_BULK_MIN_ROWS`` activities (0 turns the mode off) and at least twice what the
table holds: a first import, where nobody has anything to read yet, not a weekly reload of a
full export (about as large as the table). And the locks are asked for with a timeout
(``LOCK_TIMEOUT``): when a reader holds the tables longer (a scoring run), the load goes
through the indexes instead of queueing every page behind it.

The upsert's key. The writers ask, for each chunk, whether any of its ids is stored already
(a chunk none of whose ids is stored is copied straight into the table), and upsert with
``ON CONFLICT (source, external_id)``, which needs the unique index. With the index dropped,
``Keys`` answers the question instead, exactly as the index would: the ids the table held,
read once under the lock before the drop (none, for a first import; at most half the load,
since the mode needs that), and those each earlier file of the load wrote (within one file,
every id is written once: the pipeline rejects a repeated one). A chunk, a per-row batch or a
list of ids deleted in the CRM that names a stored id makes ``Keys`` recreate the primary key
and the unique index there and then, and the load goes on through them as a smaller one does:
the same rows, created, updated and unchanged, as with the index. So a re-import whose ids are
partly stored pays one earlier build of the two; a first import never meets one.

Everything happens inside the import's one transaction: the definitions are read from the
catalog (``pg_get_indexdef`` / ``pg_get_constraintdef``), never named here, and so are the
foreign keys of other tables that point at the primary key, dropped and re-added with it. A
failure before the rebuild (a refused chunk, a dry run's end) rolls the drops back with
everything else; a foreign key that cannot be re-added, or two rows that share a key the
unique index or the primary key would have refused, refuse the whole import. PostgreSQL only;
SQLite is never touched.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import polars as pl
from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils.translation import gettext as _

from retention.imports.errors import ImportRefused
from retention.models import Activity

# Memory for each index build and foreign-key check, for the rest of the transaction only.
MAINTENANCE_WORK_MEM = "256MB"
# How long the drops wait for the tables' locks before the load goes through the indexes.
LOCK_TIMEOUT = "5s"
# PostgreSQL's lock_not_available: the lock timeout expired.
LOCK_NOT_AVAILABLE = "55P03"


def bulk_load_wanted(rows: int, *, table: str | None = None) -> bool:
    """Whether ``rows`` new activity rows are worth the tables' locks: PostgreSQL only, at least
    ``RELAY_IMPORT_BULK_MIN_ROWS``, and at least twice as many as the table holds."""
    minimum = settings.RELAY_IMPORT_BULK_MIN_ROWS
    if connection.vendor != "postgresql" or minimum <= 0 or rows < max(minimum, 1):
        return False
    quoted = connection.ops.quote_name(table or Activity._meta.db_table)
    with connection.cursor() as cursor:
        # Counted, not pg_class.reltuples: an index build updates that estimate in place, so a
        # rolled-back import leaves it wrong. The count stops one row past half of ``rows``.
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {quoted} LIMIT %s) AS held", [rows // 2 + 1]
        )
        (held,) = cursor.fetchone()
    return held * 2 <= rows


@dataclass
class Keys:
    """The table's primary key and unique indexes, dropped for the load, and what stands in for
    the unique ``(source, external_id)`` index meanwhile: the ids stored, per source.

    Used from the writer thread and, between its writes, from the importing thread; never from
    both at once."""

    table: str  # quoted
    constraints: list[tuple[str, str]]  # (quoted name, PRIMARY KEY … / UNIQUE …)
    indexes: list[tuple[str, str]]  # (quoted name, CREATE UNIQUE INDEX …), no constraint behind
    referencing: list[tuple[str, str, str]]  # (quoted table, quoted name, FOREIGN KEY …)
    stored: dict[str, pl.Series]  # source: the ids held before this file
    written: dict[str, list[pl.Series]] = field(default_factory=dict)  # by this file
    remember: bool = False  # whether a later file of the load will ask about this one's ids
    restored: bool = False

    def begin_file(self, *, more_follow: bool) -> None:
        """A new file of the load: the previous one's ids count as stored from now on."""
        for source, parts in self.written.items():
            held = self.stored.get(source)
            self.stored[source] = pl.concat([*([held] if held is not None else []), *parts])
        self.written = {}
        self.remember = more_follow

    def stores_any(self, source: str, ids: pl.Series | Iterable[str]) -> bool:
        """Whether any of ``ids`` (the current file's, so none written by it yet) is stored,
        as the unique index would say: for ``source``, the empty id never."""
        held = self.stored.get(source)
        if held is None or held.is_empty():
            return False
        ids = ids if isinstance(ids, pl.Series) else pl.Series(list(ids), dtype=pl.String)
        # A semi-join hashing the chunk's ids: several times faster here than ``is_in``.
        found = held.to_frame("id").join(ids.to_frame("id"), on="id", how="semi")
        return not found.is_empty()

    def wrote(self, source: str, ids: pl.Series | Iterable[str]) -> None:
        if self.remember:
            ids = ids if isinstance(ids, pl.Series) else pl.Series(list(ids), dtype=pl.String)
            self.written.setdefault(source, []).append(ids.filter(ids != ""))

    def load_straight(
        self, cursor, ids: dict[str, pl.Series | list[str]], load: Callable[[], None]
    ) -> bool:
        """While the keys are dropped, a chunk none of whose ``ids`` (by source) is stored is
        loaded by ``load`` (a COPY straight into the table) and its ids noted as written; else
        the keys come back first, for the upsert. True when ``load`` ran."""
        if self.restored:
            return False
        if any(self.stores_any(source, keys) for source, keys in ids.items()):
            self.restore(cursor)
            return False
        load()
        for source, keys in ids.items():
            self.wrote(source, keys)
        return True

    def restore(self, cursor) -> None:
        """Recreate the primary key and the unique indexes (and the foreign keys pointing at
        them) now: a write names a stored id, and the upsert needs them from here on."""
        if self.restored:
            return
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        try:
            for name, definition in self.constraints:
                cursor.execute(f"ALTER TABLE {self.table} ADD CONSTRAINT {name} {definition}")
            for _name, definition in self.indexes:
                cursor.execute(definition)
        except IntegrityError as exc:
            # The transaction is aborted; leaving the atomic block rolls everything back.
            raise ImportRefused(
                _("two activities have the same key (%(error)s), so nothing was imported.")
                % {"error": _detail(exc)}
            ) from exc
        for table, name, definition in self.referencing:
            _add_foreign_key(cursor, table, name, definition)
        self.stored, self.written, self.restored = {}, {}, True


@dataclass(frozen=True)
class Dropped:
    """What was dropped, as the catalog defines it, to be recreated as it was."""

    indexes: list[tuple[str, str]]  # (quoted name, CREATE INDEX …)
    foreign_keys: list[tuple[str, str]]  # (quoted name, FOREIGN KEY … REFERENCES …)
    keys: Keys


def _detail(exc: IntegrityError) -> str:
    """PostgreSQL's detail of a violation (``Key (…)=(…) is duplicated.``), else its message."""
    detail = getattr(getattr(exc.__cause__, "diag", None), "message_detail", None)
    return detail or str(exc).strip().splitlines()[0]


def _add_foreign_key(cursor, table: str, name: str, definition: str) -> None:
    try:
        # Checks every row of the table at once, deferrable or not.
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    except IntegrityError as exc:
        # The transaction is aborted; leaving the atomic block rolls everything back.
        raise ImportRefused(
            _(
                "some activities refer to a rep or customer that does not exist "
                "(%(error)s), so nothing was imported."
            )
            % {"error": str(exc).strip().splitlines()[0]}
        ) from exc


def _catalog(cursor, table: str) -> tuple[list, list, list, list, list]:
    """The table's secondary indexes (neither unique nor behind a constraint), its own foreign
    keys, its primary key and unique constraints, its unique indexes behind no constraint, and
    the other tables' foreign keys that point at it, as the catalog defines them."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indisunique "
        "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        "AND c.contype IN ('p', 'u', 'x')) ORDER BY i.indexrelid",
        [table],
    )
    found = cursor.fetchall()
    secondary = [(name, definition) for name, definition, unique in found if not unique]
    unique = [(name, definition) for name, definition, unique in found if unique]
    cursor.execute(
        "SELECT quote_ident(conname), pg_get_constraintdef(oid), contype FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'p', 'u') ORDER BY oid",
        [table],
    )
    own = cursor.fetchall()
    foreign_keys = [(name, definition) for name, definition, kind in own if kind == "f"]
    # The primary key first: a unique constraint of the table may be what a key points at.
    keys = sorted(
        ((name, definition) for name, definition, kind in own if kind in ("p", "u")),
        key=lambda item: not item[1].startswith("PRIMARY KEY"),
    )
    cursor.execute(
        "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE confrelid = %s::regclass AND contype = 'f' "
        "AND conrelid <> confrelid ORDER BY oid",
        [table],
    )
    return secondary, foreign_keys, keys, unique, cursor.fetchall()


def _stored_ids(cursor, table: str) -> dict[str, pl.Series]:
    """The table's non-empty ids by source, as the unique index holds them."""
    with cursor.cursor.copy(
        f"COPY (SELECT source, external_id FROM {table} WHERE NOT (external_id = '')) "
        "TO STDOUT (FORMAT csv)"
    ) as copy:
        data = b"".join(bytes(chunk) for chunk in copy)
    if not data:
        return {}
    frame = pl.read_csv(
        data,
        has_header=False,
        new_columns=["source", "external_id"],
        infer_schema=False,
        empty_string_is_null=False,
    )
    return {
        source: part["external_id"]
        for (source,), part in frame.partition_by("source", as_dict=True).items()
    }


@contextmanager
def bulk_load(*, enabled: bool, table: str | None = None) -> Iterator[Dropped | None]:
    """Inside the import's transaction: drop the table's indexes and foreign keys, primary key
    included, let the caller load, then recreate them from their definitions. When the body
    raises, nothing is recreated: the transaction rolls back, and the drops with it."""
    if not enabled:
        yield None
        return
    table = table or Activity._meta.db_table
    if not connection.in_atomic_block:
        raise RuntimeError("bulk-load mode runs only inside the import's transaction")
    quoted = connection.ops.quote_name(table)
    try:
        # In a savepoint: should a lock not come within LOCK_TIMEOUT, the drops (and the
        # timeout) are undone and the load goes through the indexes as a smaller one would.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            # First, so no other transaction writes an id between its reading and the drops.
            cursor.execute(f"LOCK TABLE {quoted} IN ACCESS EXCLUSIVE MODE")
            secondary, foreign_keys, constraints, unique, referencing = _catalog(cursor, table)
            keys = Keys(
                table=quoted,
                constraints=constraints,
                indexes=unique,
                referencing=referencing,
                stored=_stored_ids(cursor, quoted),
            )
            for other, name, _definition in referencing:
                cursor.execute(f"ALTER TABLE {other} DROP CONSTRAINT {name}")
            for name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {name}")
            for name, _definition in constraints:
                cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {name}")
            for name, _definition in [*unique, *secondary]:
                cursor.execute(f"DROP INDEX {name}")
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        yield None
        return
    dropped = Dropped(indexes=secondary, foreign_keys=foreign_keys, keys=keys)
    yield dropped
    with connection.cursor() as cursor:
        keys.restore(cursor)
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        for _name, definition in secondary:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            _add_foreign_key(cursor, quoted, name, definition)
