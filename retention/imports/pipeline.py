"""Running a batch of files: recognise, map, stream in chunks, validate, write, count, report.

The whole batch runs inside one transaction. A dry run rolls it back at the end, so its counts
are exactly what applying would do; an apply with rejected rows is refused (rolled back) unless
the admin chose to skip them. Either way nothing is half-written.
"""

import csv
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

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

from accounts.models import User
from retention.imports.errors import ImportRefused, RowError, RowSkipped
from retention.imports.kinds import KINDS, FileKind, Row, default_mapping, recognise
from retention.imports.lookups import ImportContext
from retention.imports.readers import Table
from retention.imports.writers import PIPELINED, Counts, write_records
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


@dataclass
class FilePlan:
    table: Table
    kind: FileKind
    mapping: dict[str, str]

    def describe(self) -> dict:
        return {
            "name": self.table.name,
            "kind": self.kind.key,
            "label": str(self.kind.label),
            "mapping": self.mapping,
            "header": self.table.header,
        }


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


@dataclass
class BatchResult:
    files: list[FileOutcome] = field(default_factory=list)
    refused: str = ""

    def totals(self) -> dict[str, int]:
        keys = ("rows", "created", "updated", "unchanged", "rejected", "flagged")
        return {key: sum(getattr(outcome, key) for outcome in self.files) for key in keys}

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
    """What each table is and which column holds which field; refuses what cannot be imported."""
    plans: list[FilePlan] = []
    notes: list[str] = []
    for table in tables:
        if kind_key and len(tables) == 1:
            kind = KINDS.get(kind_key)
        else:
            kind = recognise(table.header, source=source)
        if kind is None:
            if len(tables) == 1:
                raise ImportRefused(
                    _(
                        "the columns (%(columns)s) are not those of a file Relay imports. Use a "
                        "Salesforce or HubSpot export with its original headers, or one of "
                        "Relay's templates, or choose the kind of file and map its columns."
                    )
                    % {"columns": ", ".join(table.header[:8])},
                    file_name=table.name,
                )
            notes.append(
                _("%(name)s: skipped, Relay does not import this kind of file.")
                % {"name": table.name}
            )
            continue
        if user is not None and not user.is_relay_admin and not kind.hr_may_import:
            raise ImportRefused(
                _("HR may import only the people and leave templates; this is %(kind)s.")
                % {"kind": kind.label},
                file_name=table.name,
            )
        plans.append(FilePlan(table, kind, _mapping(kind, table, ctx)))
    if not plans:
        raise ImportRefused(_("none of the files is one Relay imports."))
    plans.sort(key=lambda plan: plan.kind.order)
    return plans, notes


def _mapping(kind: FileKind, table: Table, ctx: ImportContext) -> dict[str, str]:
    header = set(table.header)
    mapping = default_mapping(kind, table.header)
    saved = SavedColumnMapping.objects.filter(kind=kind.key).first()
    for overrides in (saved.mapping if saved else {}, ctx.options.mappings.get(kind.key, {})):
        for key, column in overrides.items():
            if column == "":
                mapping.pop(key, None)
            elif column in header and any(field.key == key for field in kind.fields):
                mapping[key] = column
    if kind.key == "salesforce.case":
        score_column = ctx.options.score_column or mapping.get("score", "")
        if not score_column:
            raise ImportRefused(
                _(
                    "name the column that holds the service score of a case (for example "
                    "CSAT__c) on the import page or with --score-column."
                ),
                file_name=table.name,
            )
        if score_column not in header:
            raise ImportRefused(
                _("the score column %(column)s is not in the file.") % {"column": score_column},
                file_name=table.name,
            )
        mapping["score"] = score_column
    return mapping


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
) -> BatchResult:
    result = BatchResult()
    done = [0]

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
            for plan in plans:
                result.files.append(_run_file(plan, ctx=ctx, issues=issues, step=step))
            rejected = result.totals()["rejected"]
            if not apply:
                raise _DryRun
            if rejected and not ctx.options.skip_rejected:
                raise ImportRefused(
                    _(
                        "%(count)s rows were rejected, so nothing was imported. Fix them (see the "
                        "report) and import again, or choose to skip the rejected rows."
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


def _chunk_size() -> int:
    return 20_000 if connection.vendor == "postgresql" else 2_000


def _run_file(
    plan: FilePlan, *, ctx: ImportContext, issues: IssueLog, step: Callable[[int], None]
) -> FileOutcome:
    kind, table = plan.kind, plan.table
    outcome = FileOutcome(name=table.name, kind=kind.key, label=str(kind.label))
    positions: dict[str, int] = {}
    for position, cell in enumerate(table.header):
        positions.setdefault(cell, position)
    row = Row({key: positions[column] for key, column in plan.mapping.items()}, plan.mapping)
    id_column = row.column(kind.id_field)
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

    def flush(records: list[dict], rows_of: dict[str, int], processed: int) -> None:
        while in_flight:
            collect(in_flight.pop().result())
        if writer is not None:
            if records:
                in_flight.append(writer.submit(write_records, kind.entity, records, ctx, shared))
        else:
            collect(write_records(kind.entity, records, ctx))
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

    def convert_all() -> None:
        convert = kind.convert
        records: list[dict] = []
        rows_of: dict[str, int] = {}
        processed = 0
        for number, cells in table.rows():
            processed += 1
            row.cells = cells
            try:
                record = convert(row, ctx)
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
                flush(records, rows_of, processed)
                records, rows_of, processed = [], {}, 0
        outcome.rows += processed
        flush(records, rows_of, processed)
        while in_flight:
            collect(in_flight.pop().result())

    if writer is None:
        convert_all()
        return outcome
    shared.inc_thread_sharing()
    try:
        convert_all()
    finally:
        for future in in_flight:
            future.exception()  # wait: the transaction must not end under a running write
        writer.shutdown()
        shared.dec_thread_sharing()
    return outcome
