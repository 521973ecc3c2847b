"""Running a batch of files: recognise, map, stream in chunks, validate, write, count, report.

The whole batch runs inside one transaction. A dry run rolls it back at the end, so its counts
are exactly what applying would do; an apply with rejected rows is refused (rolled back) unless
the admin chose to skip them. Either way nothing is half-written.
"""

import csv
import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from itertools import groupby
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import may
from accounts.models import User
from retention.imports.bulkload import Keys, bulk_load, bulk_load_wanted
from retention.imports.columnar import (
    ColumnarFile,
    columnar_supported,
    convert_chunk,
    copy_csv,
    latest_day,
    read_columnar,
    record_columns,
)
from retention.imports.errors import ImportRefused, RowError, RowSkipped
from retention.imports.kinds import (
    KINDS,
    Ambiguous,
    FileKind,
    Row,
    default_mapping,
    kind_for_object,
    recognise,
    salesforce_object,
)
from retention.imports.lookups import ImportContext
from retention.imports.readers import Table, UnreadableRow
from retention.imports.values import parse_bool
from retention.imports.writers import (
    ENTITY_DEFAULTS,
    PIPELINED,
    SPECS,
    Counts,
    array_literal,
    records_mark_deleted,
    upsert_csv,
    write_records,
)
from retention.models import SavedColumnMapping
from retention.spreadsheets import formula_safe

REPORT_HEADER = ["file", "row", "column", "value", "outcome", "reason"]
ISSUES_KEPT = 500


class IssueLog:
    """Rejected and flagged rows: all of them to the CSV report, the first few kept for the page."""

    def __init__(self, report_path: Path | None) -> None:
        self.kept: list[dict] = []
        self.total = 0
        self._file = None
        self._writer = None
        if report_path is not None:
            report_path.parent.mkdir(parents=True, exist_ok=True)
            self._file = report_path.open("w", newline="", encoding="utf-8-sig")
            self._writer = csv.writer(self._file)
            self._writer.writerow(REPORT_HEADER)

    def add(
        self, *, file: str, row: int, column: str, value: str, outcome: str, reason: str
    ) -> None:
        self.total += 1
        reason = str(reason)
        if len(self.kept) < ISSUES_KEPT:
            self.kept.append(
                {
                    "file": file,
                    "row": row,
                    "column": column,
                    "value": value[:200],
                    "outcome": outcome,
                    "reason": reason,
                }
            )
        if self._writer is not None:
            self._writer.writerow(
                [formula_safe(cell) for cell in (file, row, column, value, outcome, reason)]
            )

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


_SAMPLE_FIELDS = ("name", "last_name", "first_name", "subject", "title")


@dataclass
class FilePlan:
    table: Table
    kind: FileKind
    mapping: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def describe(self) -> dict:
        encoding = self.table.encoding
        return {
            "name": self.table.name,
            "kind": self.kind.key,
            "label": str(self.kind.label),
            "mapping": self.mapping,
            "values": self.values,
            "header": self.table.header,
            "encoding": encoding.describe() if encoding else None,
            "sample": self.sample(),
        }

    def sample(self, size: int = 5) -> list[str]:
        """A few decoded names from the file, so the admin sees the encoding was right."""
        columns = [self.mapping[key] for key in _SAMPLE_FIELDS if key in self.mapping][:2]
        if not columns:
            return []
        positions = [self.table.header.index(column) for column in columns]
        found: list[str] = []
        for _number, cells in self.table.rows():
            if isinstance(cells, UnreadableRow):
                continue
            value = " ".join(
                str(cells[position]).strip() for position in positions if position < len(cells)
            ).strip()
            if value:
                found.append(value[:80])
            if len(found) >= size:
                break
        return found


@dataclass
class FileOutcome:
    name: str
    kind: str
    label: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    flagged: int = 0
    # Rows deliberately not imported (users who are not reps, records only they own), by reason.
    skipped: int = 0
    skipped_why: dict[str, int] = field(default_factory=dict)
    # Records Relay had that the CRM has deleted since: marked deleted, no longer live.
    deleted: int = 0
    latest: str = ""  # the last day its records cover (ISO), for activity, deals and cases


@dataclass
class BatchResult:
    files: list[FileOutcome] = field(default_factory=list)
    refused: str = ""

    def totals(self) -> dict[str, int]:
        keys = (
            "rows",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "flagged",
            "deleted",
            "skipped",
        )
        return {key: sum(getattr(outcome, key) for outcome in self.files) for key in keys}

    def latest(self) -> dt.date | None:
        """The last day the imported activities, deals and cases cover."""
        days = [outcome.latest for outcome in self.files if outcome.latest]
        return dt.date.fromisoformat(max(days)) if days else None

    def as_counts(self) -> dict:
        return {"total": self.totals(), "files": [asdict(outcome) for outcome in self.files]}


def plan_batch(
    tables: list[Table],
    *,
    source: str,
    ctx: ImportContext,
    user: User | None,
    kind_key: str = "",
) -> tuple[list[FilePlan], list[str]]:
    """What each table is and which column holds which field; refuses what cannot be imported.

    In an export (a .zip or several files) a Salesforce file is known by its object's name:
    ``Account.csv`` is accounts and ``Quote.csv`` is skipped, whatever its columns. Headers
    decide only for other files, and only when exactly one kind fits.
    """
    plans: list[FilePlan] = []
    notes: list[str] = []
    skipped_objects: list[tuple[str, int]] = []
    single = len(tables) == 1
    if (
        ctx.options.mapping_name
        and not SavedColumnMapping.objects.filter(name=ctx.options.mapping_name).exists()
    ):
        raise ImportRefused(
            _("no saved mapping is named %(name)s.") % {"name": ctx.options.mapping_name}
        )
    for table in tables:
        if table.refusal:
            notes.append(
                _("%(name)s: skipped, %(reason)s") % {"name": table.name, "reason": table.refusal}
            )
            continue
        kind = _kind_of(table, source=source, kind_key=kind_key, single=single, notes=notes)
        if kind is None:
            obj = salesforce_object(table.name, table.header)
            if obj and source in ("auto", "", "salesforce") and not kind_key:
                if single:
                    raise ImportRefused(
                        _("this is a Salesforce %(object)s export; Relay does not import it.")
                        % {"object": obj},
                        file_name=table.name,
                    )
                skipped_objects.append((table.name, table.count()))
                continue
            if single:
                raise ImportRefused(
                    _(
                        "the columns (%(columns)s) are not those of a file Relay imports. Use a "
                        "Salesforce or HubSpot export with its original headers, or one of "
                        "Relay's templates, or choose the kind of file and map its columns."
                    )
                    % {"columns": ", ".join(table.header[:8])},
                    file_name=table.name,
                )
            if not any(note.startswith(f"{table.name}:") for note in notes):
                notes.append(
                    _("%(name)s: skipped, Relay does not import this kind of file.")
                    % {"name": table.name}
                )
            continue
        if user is not None and not kind.hr_may_import and not may(user, "retention.import_crm"):
            raise ImportRefused(
                _("HR may import only the people and leave templates; this is %(kind)s.")
                % {"kind": kind.label},
                file_name=table.name,
            )
        mapping, values = _mapping(kind, table, ctx)
        plans.append(FilePlan(table, kind, mapping, values))
    if skipped_objects:
        with_rows = [(name, rows) for name, rows in skipped_objects if rows]
        header_only = len(skipped_objects) - len(with_rows)
        listed = ", ".join(f"{name} ({rows})" for name, rows in with_rows)
        values = {"count": len(skipped_objects), "listed": listed or "-", "n": header_only}
        if header_only:
            note = ngettext(
                "Skipped %(count)s Salesforce object Relay does not import (rows in brackets): "
                "%(listed)s; and %(n)s with a header only.",
                "Skipped %(count)s Salesforce objects Relay does not import (rows in brackets): "
                "%(listed)s; and %(n)s with a header only.",
                len(skipped_objects),
            )
        else:
            note = ngettext(
                "Skipped %(count)s Salesforce object Relay does not import (rows in brackets): "
                "%(listed)s.",
                "Skipped %(count)s Salesforce objects Relay does not import (rows in brackets): "
                "%(listed)s.",
                len(skipped_objects),
            )
        notes.append(note % values)
    if not plans:
        raise ImportRefused(_("none of the files is one Relay imports."))
    plans.sort(key=lambda plan: plan.kind.order)
    return plans, notes


def _kind_of(
    table: Table, *, source: str, kind_key: str, single: bool, notes: list[str]
) -> FileKind | None:
    if kind_key and single:
        return KINDS.get(kind_key)
    obj = salesforce_object(table.name, table.header)
    if obj and source in ("auto", "", "salesforce"):
        return kind_for_object(obj)
    try:
        return recognise(table.header, source=source)
    except Ambiguous as ambiguous:
        message = _(
            "the columns fit several kinds of file (%(kinds)s): choose the kind of file."
        ) % {"kinds": ambiguous}
        if single:
            raise ImportRefused(message, file_name=table.name) from None
        notes.append(_("%(name)s: skipped, %(reason)s") % {"name": table.name, "reason": message})
        return None


def _mapping(
    kind: FileKind, table: Table, ctx: ImportContext
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Field → column and field → {value: value}: the defaults, then the saved mapping, then
    what the admin gave for this import. A saved mapping that names a column this file lacks
    is passed over; one given for this import must fit the file."""
    header = set(table.header)
    field_keys = {field.key for field in kind.fields}
    mapping = default_mapping(kind, table.header)
    saved = SavedColumnMapping.objects.filter(kind=kind.key, name=ctx.options.mapping_name).first()
    values: dict[str, dict[str, str]] = {}
    for overrides, strict in (
        (saved.mapping if saved else {}, False),
        (ctx.options.mappings.get(kind.key, {}), True),
    ):
        for key, column in overrides.items():
            if key not in field_keys:
                if strict:
                    raise ImportRefused(
                        _("%(kind)s has no field %(key)s; its fields are %(keys)s.")
                        % {"kind": kind.label, "key": key, "keys": ", ".join(sorted(field_keys))},
                        file_name=table.name,
                    )
                continue
            if column == "":
                mapping.pop(key, None)
            elif column in header:
                mapping[key] = column
            elif strict:
                raise ImportRefused(
                    _("the mapping names the column %(column)s for %(key)s; it is not in the file.")
                    % {"column": column, "key": key},
                    file_name=table.name,
                )
    for source_values in (saved.values if saved else {}, ctx.options.values.get(kind.key, {})):
        for key, pairs in source_values.items():
            if key not in field_keys:
                raise ImportRefused(
                    _("the value mapping names %(key)s, which %(kind)s does not have.")
                    % {"key": key, "kind": kind.label},
                    file_name=table.name,
                )
            values.setdefault(key, {}).update({str(a).strip(): str(b) for a, b in pairs.items()})
    if kind.key == "salesforce.case" and ctx.options.score_column:
        score_column = ctx.options.score_column
        if score_column not in header:
            raise ImportRefused(
                _("the score column %(column)s is not in the file.") % {"column": score_column},
                file_name=table.name,
            )
        mapping["score"] = score_column
    return mapping, values


def plan_check(plans: list[FilePlan]) -> None:
    """Refuse a batch in which a file lacks a required column (after the admin's mapping)."""
    for plan in plans:
        kind = plan.kind
        missing = [
            field for field in kind.fields if field.required and field.key not in plan.mapping
        ]
        if missing:
            names = ", ".join(field.aliases[0] if field.aliases else field.key for field in missing)
            raise ImportRefused(
                _(
                    "required columns are missing: %(names)s (for %(kind)s). Add them to the "
                    "file, or map them to the file's columns on the import page."
                )
                % {"names": names, "kind": kind.label},
                file_name=plan.table.name,
            )


class _DryRun(Exception):
    """Raised to roll a dry run back once its counts are known."""


def _record_key(record: dict) -> str:
    return record.get("external_id") or record.get("hr_employee_id") or record["crm_user_id"]


def run_batch(
    plans: list[FilePlan],
    *,
    ctx: ImportContext,
    apply: bool,
    issues: IssueLog,
    progress: Callable[[int], None] = lambda rows: None,
    sizes: list[int] | None = None,
) -> BatchResult:
    """Run the plans in one transaction; ``sizes`` are their row counts (counted when not
    given), which decide whether a run of activity files is written in bulk-load mode."""
    result = BatchResult()
    done = [0]
    if sizes is None:
        sizes = [plan.table.count() for plan in plans]

    def step(rows: int) -> None:
        done[0] += rows
        progress(done[0])

    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check foreign keys after each chunk's statement rather than all at commit: the
                # same checks, but they then overlap with the validation of the next chunk.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # A run of activity files at least twice the table is written without its indexes
            # and foreign keys, rebuilt before the next file (retention/imports/bulkload).
            sized = list(zip(plans, sizes, strict=True))
            for activities, group in groupby(
                sized, key=lambda item: item[0].kind.entity == "activities"
            ):
                group = list(group)
                wanted = activities and bulk_load_wanted(sum(size for _plan, size in group))
                with bulk_load(enabled=wanted) as dropped:
                    unindexed = dropped.keys if dropped is not None else None
                    for position, (plan, _size) in enumerate(group):
                        if unindexed is not None:
                            unindexed.begin_file(more_follow=position < len(group) - 1)
                        result.files.append(
                            _run_file(plan, ctx=ctx, issues=issues, step=step, unindexed=unindexed)
                        )
            rejected = result.totals()["rejected"]
            if not apply:
                raise _DryRun
            if rejected and not ctx.options.skip_rejected:
                raise ImportRefused(
                    ngettext(
                        "%(count)s row was rejected, so nothing was imported. Fix it (see the "
                        "report) and import again, or choose to skip the rejected row.",
                        "%(count)s rows were rejected, so nothing was imported. Fix them (see the "
                        "report) and import again, or choose to skip the rejected rows.",
                        rejected,
                    )
                    % {"count": rejected}
                )
    except _DryRun:
        pass
    except ImportRefused as refusal:
        result.refused = str(refusal)
    except (OperationalError, InterfaceError):
        raise  # a lost connection or a deadlock: the task runs the job again
    except DatabaseError as exc:
        result.refused = _("the database refused the data, so nothing was imported: %(error)s") % {
            "error": exc
        }
    return result


def _moment_day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


# How far each kind of record reaches in time (to tell whether the data ends near today; a
# record dated after today, a meeting booked ahead, does not count).
_LATEST: dict[str, Callable[[dict], dt.date | None]] = {
    "activities": lambda record: (
        _moment_day(record.get("occurred_at")) if record.get("todo_status") != "open" else None
    ),
    "service": lambda record: record.get("date"),
    "deals": lambda record: record.get("created_on"),
}


# Rows per chunk on the column-at-a-time path: large enough that per-chunk costs vanish, small
# enough that the writer has a chunk in flight while the next is converted.
_COLUMNAR_CHUNK = 100_000


def _chunk_size() -> int:
    return 20_000 if connection.vendor == "postgresql" else 2_000


def _run_file(
    plan: FilePlan,
    *,
    ctx: ImportContext,
    issues: IssueLog,
    step: Callable[[int], None],
    unindexed: Keys | None = None,
) -> FileOutcome:
    """Convert, check and write one file. ``unindexed``: the activity table's keys while
    bulk-load mode has dropped them (``bulkload.Keys``), which the writers ask instead."""
    kind, table = plan.kind, plan.table
    outcome = FileOutcome(name=table.name, kind=kind.key, label=str(kind.label))
    positions: dict[str, int] = {}
    for position, cell in enumerate(table.header):
        positions.setdefault(cell, position)
    row = Row(
        {key: positions[column] for key, column in plan.mapping.items()},
        plan.mapping,
        plan.values,
    )
    id_column = row.column(kind.id_field)
    deleted_column = plan.mapping.get("is_deleted")
    defaults = ENTITY_DEFAULTS.get(kind.entity, {})
    latest_of = _LATEST.get(kind.entity)
    seen: dict[str, int] = {}
    flagged_rows: set[int] = set()
    chunk = _chunk_size()
    # On PostgreSQL a writer thread sends chunk n (COPY + upsert, mostly waiting on the server)
    # while this thread validates chunk n + 1, so both cores work. The thread shares this
    # thread's connection, hence its transaction; only one of them uses it at a time.
    writer = (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="relay-import")
        if connection.vendor == "postgresql" and kind.entity in PIPELINED
        else None
    )
    in_flight: list[Future] = []
    shared = connections[DEFAULT_DB_ALIAS]

    def collect(counts: Counts) -> None:
        outcome.created += counts.created
        outcome.updated += counts.updated
        outcome.unchanged += counts.unchanged

    def drain() -> None:
        """Wait for the writes in flight and count them, oldest first: a failed write then
        raises its own error, not the "transaction is aborted" of the one sent after it."""
        while in_flight:
            collect(in_flight.pop(0).result())

    def mark_deleted(deleted: list[str]) -> None:
        """Mark the rows the CRM deleted; those never imported count as skipped."""
        if not deleted:
            return
        marked = records_mark_deleted(kind, deleted, ctx, unindexed)
        outcome.deleted += marked
        if len(deleted) > marked:
            why = str(_("deleted in the CRM and never imported"))
            outcome.skipped += len(deleted) - marked
            outcome.skipped_why[why] = outcome.skipped_why.get(why, 0) + len(deleted) - marked

    def flush(
        records: list[dict], rows_of: dict[str, int], processed: int, deleted: list[str]
    ) -> None:
        drain()
        mark_deleted(deleted)
        if writer is not None:
            if records:
                in_flight.append(
                    writer.submit(write_records, kind.entity, records, ctx, shared, unindexed)
                )
        else:
            collect(write_records(kind.entity, records, ctx, unindexed=unindexed))
        for key, column, value, reason in ctx.record_flags:
            number = rows_of.get(key, 0)
            issues.add(
                file=table.name,
                row=number,
                column=column,
                value=value,
                outcome="flagged",
                reason=reason,
            )
            if number not in flagged_rows:
                flagged_rows.add(number)
                outcome.flagged += 1
        ctx.record_flags.clear()
        step(processed)

    def convert_one() -> dict:
        """The current row's record: the kind's converter, then the entity's defaults."""
        record = kind.convert(row, ctx)
        for name, value in defaults.items():
            record.setdefault(name, value)
        return record

    def later(latest, day):
        """The later of two days, either of which may be None; a day after today (a meeting
        booked ahead) is not data yet, as for scoring's ``risk_history_end``."""
        if day is None or day > ctx.today:
            return latest
        return day if latest is None or day > latest else latest

    def convert_all() -> None:
        records: list[dict] = []
        rows_of: dict[str, int] = {}
        deleted: list[str] = []
        processed = 0
        latest = None
        for number, cells in table.rows():
            processed += 1
            if isinstance(cells, UnreadableRow):
                outcome.rejected += 1
                issues.add(
                    file=table.name,
                    row=number,
                    column="",
                    value="",
                    outcome="rejected",
                    reason=cells.reason,
                )
                continue
            row.cells = cells
            notes = getattr(cells, "notes", None)
            if notes:
                ctx.flags.extend(notes)
            try:
                if deleted_column and parse_bool(row("is_deleted"), deleted_column):
                    # Deleted in the CRM: never a live record, whatever else the row says.
                    key = row.external_id(kind.id_field)
                    if seen.get(key) is None:
                        seen[key] = number
                        deleted.append(key)
                    ctx.flags.clear()
                    continue
                record = convert_one()
                if latest_of is not None:
                    latest = later(latest, latest_of(record))
                key = _record_key(record)
                first = seen.get(key)
                if first is not None:
                    raise RowError(
                        id_column, key, _("duplicate id: also on row %(row)s") % {"row": first}
                    )
                seen[key] = number
            except RowSkipped as skip:
                ctx.flags.clear()
                outcome.skipped += 1
                why = str(skip.reason)
                outcome.skipped_why[why] = outcome.skipped_why.get(why, 0) + 1
            except RowError as error:
                ctx.flags.clear()
                outcome.rejected += 1
                issues.add(
                    file=table.name,
                    row=number,
                    column=error.column,
                    value=error.value,
                    outcome="rejected",
                    reason=str(error.reason),
                )
            else:
                if ctx.flags:
                    flagged_rows.add(number)
                    outcome.flagged += 1
                    for column, value, reason in ctx.flags:
                        issues.add(
                            file=table.name,
                            row=number,
                            column=column,
                            value=value,
                            outcome="flagged",
                            reason=str(reason),
                        )
                    ctx.flags.clear()
                records.append(record)
                rows_of[key] = number
            if processed >= chunk:
                outcome.rows += processed
                flush(records, rows_of, processed, deleted)
                records, rows_of, processed, deleted = [], {}, 0, []
        outcome.rows += processed
        flush(records, rows_of, processed, deleted)
        drain()
        if latest is not None:
            outcome.latest = latest.isoformat()

    def in_row_order(
        fast: pl.DataFrame, slow_records: dict[int, tuple[dict, list]]
    ) -> tuple[list[dict], dict[str, int]]:
        """A chunk's records, from the frame and from ``convert_one``, as ``convert_all``
        hands them to the writer, and the row of each."""
        numbered = [(record.pop("_row"), record) for record in fast.drop("_day").to_dicts()]
        numbered += [(number, record) for number, (record, _flags) in slow_records.items()]
        numbered.sort(key=lambda item: item[0])
        rows_of = {_record_key(record): number for number, record in numbered}
        return [record for _number, record in numbered], rows_of

    def convert_columnar(data: ColumnarFile) -> None:
        """The same outcomes as ``convert_all``, a chunk of columns at a time: rows the
        vectorised checks pass are converted in a frame, the others go through ``convert_one``
        one by one, and duplicates are found over both, in row order, as ``seen`` finds them.

        With a writer thread (deals, activities, cases) the frame is written as CSV by
        ``upsert_csv`` while the next chunk is converted. Otherwise (customers, whose writer
        turns CRM owners into assignments) every record goes, in row order, to the kind's own
        writer in ``flush``, in the chunks ``convert_all`` writes."""
        spec = SPECS[kind.entity]
        prior: list[pl.DataFrame] = []
        latest = None
        chunks = data.batches(_COLUMNAR_CHUNK) if writer is not None else data.chunks(chunk)
        chars = data.chars
        for cells, numbers in chunks:
            converted = convert_chunk(
                kind, cells, numbers, row, ctx, deleted_column and "is_deleted", chars
            )
            fast = converted.records
            latest = later(latest, latest_day(fast, until=ctx.today))
            processed = fast.height
            found: list[tuple[int, int, dict]] = []  # (row, order, issue)
            slow_records: dict[int, tuple[dict, list]] = {}
            candidates: list[tuple[int, str, bool]] = []  # (row, key, deleted)
            for number, cells in converted.slow:
                processed += 1
                row.cells = cells
                try:
                    if deleted_column and parse_bool(row("is_deleted"), deleted_column):
                        candidates.append((number, row.external_id(kind.id_field), True))
                        ctx.flags.clear()
                        continue
                    record = convert_one()
                    if latest_of is not None:
                        latest = later(latest, latest_of(record))
                    candidates.append((number, _record_key(record), False))
                    slow_records[number] = (record, list(ctx.flags))
                except RowSkipped as skip:
                    outcome.skipped += 1
                    why = str(skip.reason)
                    outcome.skipped_why[why] = outcome.skipped_why.get(why, 0) + 1
                except RowError as error:
                    outcome.rejected += 1
                    found.append(
                        (
                            number,
                            0,
                            {
                                "column": error.column,
                                "value": error.value,
                                "outcome": "rejected",
                                "reason": str(error.reason),
                            },
                        )
                    )
                ctx.flags.clear()
            keys = pl.concat(
                [
                    fast.select("_row", key="external_id", deleted=pl.lit(False)),
                    pl.DataFrame(
                        candidates,
                        schema={"_row": pl.Int64, "key": pl.String, "deleted": pl.Boolean},
                        orient="row",
                    ),
                ]
            ).sort("_row")
            # Only the earlier chunks' keys this chunk repeats: every earlier row comes before
            # this chunk's, so the first row of a key is the earlier one where there is one.
            # (Grouping all the keys seen so far again at every chunk made the file's
            # duplicate check quadratic in its chunks.)
            wanted = keys["key"].implode()
            earlier = [frame.filter(pl.col("key").is_in(wanted)) for frame in prior]
            firsts = (
                pl.concat([*earlier, keys.select("key", "_row")])
                .group_by("key")
                .agg(pl.col("_row").min().alias("_first"))
            )
            keys = keys.join(firsts, on="key", how="left", maintain_order="left")
            repeats = keys.filter(pl.col("_row") != pl.col("_first"))
            prior.append(keys.filter(pl.col("_row") == pl.col("_first")).select("key", "_row"))
            repeated_rows = set(repeats["_row"].to_list())
            for number, key, is_deleted, first in repeats.iter_rows():
                if is_deleted:
                    continue  # deleted in the CRM and already seen: nothing to do
                outcome.rejected += 1
                slow_records.pop(number, None)
                found.append(
                    (
                        number,
                        0,
                        {
                            "column": id_column,
                            "value": key,
                            "outcome": "rejected",
                            "reason": str(_("duplicate id: also on row %(row)s") % {"row": first}),
                        },
                    )
                )
            deleted = [
                key
                for number, key, is_deleted in candidates
                if is_deleted and number not in repeated_rows
            ]
            for number, (_record, flags) in sorted(slow_records.items()):
                if flags:
                    flagged_rows.add(number)
                    outcome.flagged += 1
                    for order, (column, value, reason) in enumerate(flags):
                        found.append(
                            (
                                number,
                                order,
                                {
                                    "column": column,
                                    "value": value,
                                    "outcome": "flagged",
                                    "reason": str(reason),
                                },
                            )
                        )
            for number, _order, issue in sorted(found, key=lambda item: (item[0], item[1])):
                issues.add(file=table.name, row=number, **issue)
            if repeated_rows:
                fast = fast.filter(~pl.col("_row").is_in(list(repeated_rows)))
            outcome.rows += processed
            if writer is None:
                records, rows_of = in_row_order(fast, slow_records)
                flush(records, rows_of, processed, deleted)
                continue
            records = [record for _number, (record, _flags) in sorted(slow_records.items())]
            # The chunk's CSV is written while the writer still sends the previous chunk; its
            # ids too, as an array literal for the probe, unless ``unindexed`` answers it.
            data = copy_csv(fast, record_columns(kind.entity)) if fast.height else b""
            keys = array_literal(fast["external_id"]) if fast.height and unindexed is None else None
            drain()
            mark_deleted(deleted)
            if fast.height:
                in_flight.append(
                    writer.submit(
                        upsert_csv,
                        spec,
                        data,
                        fast.height,
                        source=kind.stored_source or kind.source,
                        keys=keys,
                        ids=fast["external_id"],
                        unindexed=unindexed,
                        using=shared,
                    )
                )
            if records:
                in_flight.append(
                    writer.submit(write_records, kind.entity, records, ctx, shared, unindexed)
                )
            step(processed)
        drain()
        if latest is not None:
            outcome.latest = latest.isoformat()

    columnar = (
        read_columnar(table)
        if connection.vendor == "postgresql"
        and getattr(settings, "RELAY_IMPORT_COLUMNAR", True)
        and columnar_supported(kind, plan.values)
        else None
    )
    if writer is None:
        try:
            if columnar is not None:
                convert_columnar(columnar)
            else:
                convert_all()
        finally:
            if columnar is not None:
                columnar.close()
        return outcome
    shared.inc_thread_sharing()
    try:
        if columnar is not None:
            convert_columnar(columnar)
        else:
            convert_all()
    finally:
        if columnar is not None:
            columnar.close()
        for future in in_flight:
            future.exception()  # wait: the transaction must not end under a running write
        writer.shutdown()
        shared.dec_thread_sharing()
    return outcome
