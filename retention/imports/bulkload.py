"""Bulk-load mode: a load at least twice as large as the activity table is written without the
table's secondary indexes and foreign keys, which are then rebuilt, as PostgreSQL's "Populating
a Database" and pg_restore do.

One COPY of a million converted rows into ``retention_activity`` costs the server about 15 s,
of which the two foreign-key checks per row take about 6 and keeping the three secondary
indexes about 6 (bench/README.md, "The floor under the import"). Building an index once from
sorted rows and checking a foreign key with one join cost a fraction of that. The price is the
locks: dropping an index takes an ACCESS EXCLUSIVE lock on the activity table, and dropping a
foreign key one on the table it points at (reps, customers), until the import's transaction
ends, so every reader of activities, reps and customers (every page, the API, scoring) waits
for the whole load. Hence only loads of at least ``RELAY_IMPORT_BULK_MIN_ROWS`` activities (0
turns the mode off) and at least twice what the table holds: a first import, where nobody has
anything to read yet, not a weekly reload of a full export (about as large as the table). And
the locks are asked for with a timeout (``LOCK_TIMEOUT``): when a reader holds the tables
longer (a scoring run), the load goes through the indexes instead of queueing every page
behind it.

Everything happens inside the import's one transaction: the definitions are read from the
catalog (``pg_get_indexdef`` / ``pg_get_constraintdef``), never named here; the primary key and
the unique ``(source, external_id)`` index stay, since the upsert needs them. A failure before
the rebuild (a refused chunk, a dry run's end) rolls the drops back with everything else; a
foreign key that cannot be re-added refuses the whole import. PostgreSQL only; SQLite is never
touched.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Dropped:
    """What was dropped, as the catalog defines it, to be recreated as it was."""

    indexes: list[tuple[str, str]]  # (quoted name, CREATE INDEX …)
    foreign_keys: list[tuple[str, str]]  # (quoted name, FOREIGN KEY … REFERENCES …)


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


def _secondary(cursor, table: str) -> Dropped:
    """The table's indexes that are neither unique nor the primary key nor behind a
    constraint, and its own foreign keys, as the catalog defines them."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY i.indexrelid",
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY oid",
        [table],
    )
    return Dropped(indexes=indexes, foreign_keys=cursor.fetchall())


@contextmanager
def bulk_load(*, enabled: bool, table: str | None = None) -> Iterator[Dropped | None]:
    """Inside the import's transaction: drop the table's secondary indexes and foreign keys,
    let the caller load, then recreate them from their definitions. When the body raises,
    nothing is recreated: the transaction rolls back, and the drops with it."""
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
            dropped = _secondary(cursor, table)
            for name, _definition in dropped.foreign_keys:
                cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {name}")
            for name, _definition in dropped.indexes:
                cursor.execute(f"DROP INDEX {name}")
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        yield None
        return
    yield dropped
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        for _name, definition in dropped.indexes:
            cursor.execute(definition)
        for name, definition in dropped.foreign_keys:
            try:
                # Checks every row of the table at once, deferrable or not.
                cursor.execute(f"ALTER TABLE {quoted} ADD CONSTRAINT {name} {definition}")
            except IntegrityError as exc:
                # The transaction is aborted; leaving the atomic block rolls everything back.
                raise ImportRefused(
                    _(
                        "some activities refer to a rep or customer that does not exist "
                        "(%(error)s), so nothing was imported."
                    )
                    % {"error": str(exc).strip().splitlines()[0]}
                ) from exc
