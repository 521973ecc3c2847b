"""The column-at-a-time path for large activity files (Salesforce Task.csv and Event.csv).

A CSV file is read by polars in batches of rows (all cells as text), and each column of a
batch is checked and converted at once: ids, rep and customer references (joins against the
lookups), dates and times, numbers and choices. A row every check passes becomes a record in
a frame; a row any check doubts (a value the strict vectorised forms do not cover, an
unknown reference, a value that would be flagged or rejected) goes to the per-row converter
of ``kinds``, so its record, its flags and its rejection reason are exactly those of the
per-row path. Only those rows are handled one by one.

The path is taken only where it reads the file exactly as ``readers.csv_table`` does: UTF-8
or an encoding that decodes without loss, no NUL bytes, not UTF-16, no value mapping, and row
numbers that add up to the file's line count. Otherwise ``pipeline`` runs the per-row path.
"""

import codecs
import datetime as dt
import functools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from retention.imports.kinds import (
    _SF_KIND,
    EMPTY_LOOKUP,
    INTERNAL_EVENT_TYPES,
    SF,
    FileKind,
    Row,
)
from retention.imports.lookups import ImportContext
from retention.imports.readers import Table
from retention.imports.values import _FALSE, _TRUE
from retention.imports.writers import SPECS
from retention.models import Activity

# Kinds whose converter has a column-at-a-time twin here.
COLUMNAR_KINDS = frozenset({"salesforce.task", "salesforce.event"})
# The columns of the activity upsert (``writers.SPECS["activities"]``), in its order.
ACTIVITY_COLUMNS = ("source", "external_id", *SPECS["activities"].columns)
_DONE_STATUSES = ("completed", "complete", "closed", "done", "finished")
# Date, or date and time with an optional UTC offset: the forms both datetime.fromisoformat
# and this module read the same way. Anything else goes to the per-row parser.
_MOMENT = (
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?$"
)
_DAY = r"^\d{4}-\d{2}-\d{2}(?:[T ].*)?$"
_WHOLE = r"^\d{1,9}$"


@functools.cache
def _whitespace() -> str:
    """What Python's str.strip() strips (polars' default set lacks U+001C–U+001F)."""
    return "".join(chr(code) for code in range(0x3001) if chr(code).isspace())


@dataclass
class ColumnarFile:
    """A CSV file as UTF-8 on disk, read by polars in batches of rows, every cell as text."""

    path: Path
    delimiter: str
    breaks: list[str]  # the columns where some cell holds a line break

    def _scan(self) -> pl.LazyFrame:
        return pl.scan_csv(
            self.path,
            has_header=True,
            separator=self.delimiter,
            quote_char='"',
            infer_schema=False,
            empty_string_is_null=False,
            raise_if_empty=False,
            low_memory=True,
            with_column_names=lambda names: [str(position) for position in range(len(names))],
        )

    def batches(self, size: int) -> Iterator[tuple[pl.DataFrame, pl.Series]]:
        """(cells, row numbers) a batch at a time; the header is row 1, and a cell holding
        line breaks makes its row span several lines, as the CSV reader counts them."""
        after = 1
        for batch in self._scan().collect_batches(chunk_size=size, engine="streaming"):
            frame = batch.with_columns(pl.all().fill_null(""))
            lines = _lines(self.breaks)
            if lines is None:
                numbers = pl.int_range(after + 1, after + frame.height + 1, eager=True)
            else:
                numbers = frame.select((after + lines.cum_sum()).alias("n"))["n"]
            if frame.height:
                after = int(numbers[-1])
                yield frame, numbers.cast(pl.Int64)

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


def _lines(breaks: list[str]) -> pl.Expr | None:
    if not breaks:
        return None
    return 1 + pl.sum_horizontal(
        pl.col(name).fill_null("").str.count_matches("\r\n|\r|\n").cast(pl.Int64) for name in breaks
    )


def columnar_supported(kind: FileKind, values: dict) -> bool:
    return kind.key in COLUMNAR_KINDS and not values


def read_columnar(table: Table, folder: Path | None = None) -> ColumnarFile | None:
    """The table ready to be read column-wise, or None where that would not read it as the
    CSV reader does. The file is copied as UTF-8 (without a byte-order mark) for polars."""
    found = table.encoding
    if (
        table.open_bytes is None
        or found is None
        or found.lossy
        or found.nul_bytes
        or found.codec.startswith("utf-16")
    ):
        return None
    codec = codecs.lookup(found.codec).name
    decoder = codecs.getincrementaldecoder("utf-8-sig" if codec == "utf-8" else codec)()
    handle, name = tempfile.mkstemp(prefix="relay-import-", suffix=".csv", dir=folder)
    path = Path(name)
    try:
        with table.open_bytes() as stream, open(handle, "wb") as out:
            while chunk := stream.read(1 << 22):
                out.write(decoder.decode(chunk).encode("utf-8"))
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
        read = ColumnarFile(path, table.delimiter, [])
        scan = read._scan()
        columns = scan.collect_schema().names()
        # One pass first, so a file whose rows do not add up to its lines is never half-read.
        counts = scan.select(
            pl.len().alias("rows"),
            *(pl.col(name).str.contains("[\r\n]").any().alias(name) for name in columns),
        ).collect(engine="streaming")
        read.breaks = [name for name in columns if counts[name][0]]
        rows = counts["rows"][0]
        if read.breaks:
            rows = scan.select(_lines(read.breaks).sum()).collect(engine="streaming").item()
    except (pl.exceptions.PolarsError, UnicodeError):
        path.unlink(missing_ok=True)
        return None  # ragged rows, an unclosed quote…: the CSV reader says which row
    if not rows or rows != table.count():
        path.unlink(missing_ok=True)
        return None  # lines the CSV reader counts otherwise (a lone carriage return…)
    return read


@dataclass
class Converted:
    """One chunk converted: the records every check passed, and the rows to do one by one."""

    records: pl.DataFrame  # ACTIVITY_COLUMNS, plus _row (its number) and _day (for "latest")
    slow: list[tuple[int, list[str]]]  # (row number, cells) for the per-row converter


def _raw(frame: pl.DataFrame, row: Row, key: str) -> pl.Expr:
    """The cell as ``Row.__call__`` returns it: "" for an unmapped field or the empty lookup."""
    position = row.index.get(key)
    if position is None or str(position) not in frame.columns:
        return pl.lit("")
    column = pl.col(str(position))
    return pl.when(column == EMPTY_LOOKUP).then(pl.lit("")).otherwise(column)


def _text(frame: pl.DataFrame, row: Row, key: str) -> pl.Expr:
    """The field's stripped text, computed once per chunk by ``convert_chunk``; "" unmapped."""
    name = f"_t_{key}"
    return pl.col(name) if name in frame.columns else pl.lit("")


def _bool(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(value or null when empty, readable) as ``values.parse_bool`` reads a stripped cell."""
    lowered = text.str.to_lowercase()
    value = (
        pl.when(lowered == "")
        .then(None)
        .when(lowered.is_in(sorted(_TRUE)))
        .then(True)
        .when(lowered.is_in(sorted(_FALSE)))
        .then(False)
        .otherwise(None)
    )
    readable = lowered.is_in(sorted(_TRUE | _FALSE)) | (lowered == "")
    return value, readable


def _whole(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(number or null, readable): plain non-negative whole numbers only; others go per row."""
    readable = (text == "") | text.str.contains(_WHOLE)
    value = pl.when(text == "").then(None).otherwise(text.str.to_integer(strict=False))
    return value, readable


def _moment(text: pl.Expr, tz_name: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(UTC moment, local day, readable) as ``values.parse_datetime`` reads the strict forms."""
    parts = text.str.extract_groups(_MOMENT)
    day = parts.struct.field("1").str.to_date("%Y-%m-%d", strict=False)

    def number(field: str) -> pl.Expr:
        return parts.struct.field(field).str.to_integer(strict=False).fill_null(0)

    hour, minute, second = number("2"), number("3"), number("4")
    micro = parts.struct.field("5").str.pad_end(6, "0").str.to_integer(strict=False).fill_null(0)
    in_range = (hour < 24) & (minute < 60) & (second < 60)
    local = day.cast(pl.Datetime("us")) + pl.duration(
        hours=hour, minutes=minute, seconds=second, microseconds=micro
    )
    offset = parts.struct.field("6")
    digits = offset.str.replace(":", "", literal=True)
    offset_minutes = (
        pl.when(offset == "Z")
        .then(0)
        .otherwise(
            (
                digits.str.slice(1, 2).str.to_integer(strict=False) * 60
                + digits.str.slice(3, 2).str.to_integer(strict=False)
            )
            * pl.when(digits.str.starts_with("-")).then(-1).otherwise(1)
        )
    )
    aware = (local - pl.duration(minutes=offset_minutes)).dt.replace_time_zone("UTC")
    if tz_name == "UTC":
        naive = local.dt.replace_time_zone("UTC")
    else:
        naive = local.dt.replace_time_zone(
            tz_name, ambiguous="null", non_existent="null"
        ).dt.convert_time_zone("UTC")
    moment = pl.when(~in_range).then(None).when(offset.is_null()).then(naive).otherwise(aware)
    readable = (text == "") | moment.is_not_null()
    return pl.when(text == "").then(None).otherwise(moment), day, readable


_PLAIN_DAY = r"^\d{4}-\d{2}-\d{2}$"
# Salesforce's own form (2024-03-31T09:00:00.000+0000): parsed in one pass when a whole column
# has it, as most exports do.
_SALESFORCE_MOMENT = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,6}[+-]\d{4}$"


def _moments(frame: pl.DataFrame, text: pl.Expr, tz_name: str) -> pl.DataFrame:
    """Columns moment (UTC), day (as written) and ok for one date/time field of ``frame``.

    A column written all in one common form (a plain date, or Salesforce's moment) is parsed
    in one pass; a mixed column goes through the general strict form of ``_moment``."""
    cells = frame.with_columns(_moment_cells=text)["_moment_cells"]
    empty = cells == ""
    day = cells.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    if (empty | (cells.str.contains(_PLAIN_DAY) & day.is_not_null())).all():
        local = day.cast(pl.Datetime("us"))
        if tz_name == "UTC":
            moment = local.dt.replace_time_zone("UTC")
        else:
            moment = local.dt.replace_time_zone(
                tz_name, ambiguous="null", non_existent="null"
            ).dt.convert_time_zone("UTC")
        return pl.DataFrame({"moment": moment, "day": day, "ok": empty | moment.is_not_null()})
    if (empty | cells.str.contains(_SALESFORCE_MOMENT)).all():
        moment = cells.str.to_datetime(
            "%Y-%m-%dT%H:%M:%S%.f%z", time_unit="us", time_zone="UTC", strict=False
        )
        if (empty | moment.is_not_null()).all():
            return pl.DataFrame(
                {"moment": moment, "day": day, "ok": pl.repeat(True, len(cells), eager=True)}
            )
    moment, local_day, readable = _moment(pl.col("text"), tz_name)
    return pl.DataFrame({"text": cells}).select(moment=moment, day=local_day, ok=readable)


def _lookup(keys: dict[str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        {"key": list(keys), "id": list(keys.values())}, schema={"key": pl.String, "id": pl.Int64}
    )


def _rep_keys(ctx: ImportContext) -> dict[str, int]:
    """``ImportContext.rep_by_any``'s first two indexes: an HR employee id before a CRM id."""
    keys = dict(ctx.reps_by_crm)
    keys.update(ctx.reps_by_hr)
    return keys


def _with_moments(
    work: pl.DataFrame, row: Row, key: str, tz_name: str
) -> tuple[pl.DataFrame, tuple[pl.Expr, pl.Expr, pl.Expr]]:
    """``work`` with the field's parsed moment, day and ok as columns, and expressions for them."""
    parsed = _moments(work, _text(work, row, key), tz_name)
    names = (f"_{key}_moment", f"_{key}_day", f"_{key}_ok")
    work = work.with_columns(
        parsed["moment"].alias(names[0]),
        parsed["day"].alias(names[1]),
        parsed["ok"].alias(names[2]),
    )
    return work, tuple(pl.col(name) for name in names)


def convert_chunk(
    kind: FileKind,
    frame: pl.DataFrame,
    numbers: pl.Series,
    row: Row,
    ctx: ImportContext,
    deleted_key: str | None,
) -> Converted:
    """Convert a chunk of rows of a Task or Event file, column by column."""
    tz_name = getattr(ctx.tz, "key", "UTC")
    separators = frame.select(
        pl.any_horizontal(pl.col(name).str.contains("[\x1c-\x1f]").any() for name in frame.columns)
    ).item()
    # Python's whitespace, or polars' own (much faster) when no cell holds U+001C–U+001F.
    chars = _whitespace() if separators else None
    blank = pl.all_horizontal([pl.col(name).str.strip_chars(chars) == "" for name in frame.columns])
    work = frame.with_columns(_row=numbers).filter(~blank)
    work = work.with_columns(
        **{f"_t_{key}": _raw(work, row, key).str.strip_chars(chars) for key in row.index}
    )
    external_id = _text(work, row, kind.id_field)
    owner = _text(work, row, "owner_id")
    account = _text(work, row, "account_id").str.extract(r"^([^;]*)", 1).str.strip_chars(chars)
    what = _text(work, row, "what_id").str.extract(r"^([^;]*)", 1).str.strip_chars(chars)
    columns = {
        "external_id": external_id,
        "_owner": owner,
        "_account": account,
        "_what": what,
        "subject": _text(work, row, "subject").str.slice(0, 255),
    }
    checks = [
        (external_id != "") & (external_id.str.len_chars() <= 64),
        owner != "",
    ]
    if deleted_key is not None:
        deleted, readable = _bool(_text(work, row, "is_deleted"))
        checks.append(readable & (deleted.is_null() | ~deleted))
    if kind.key == "salesforce.task":
        subtype = _text(work, row, "task_subtype").str.to_lowercase()
        subtype = (
            pl.when(subtype == "")
            .then(_text(work, row, "type").str.to_lowercase())
            .otherwise(subtype)
        )
        seconds, seconds_ok = _whole(_text(work, row, "call_seconds"))
        closed, closed_ok = _bool(_text(work, row, "is_closed"))
        status = _text(work, row, "status").str.to_lowercase()
        todo = (
            pl.when(closed.is_null() & (status == ""))
            .then(pl.lit(Activity.TodoStatus.NONE.value))
            .when(closed.fill_null(False) | status.is_in(_DONE_STATUSES))
            .then(pl.lit(Activity.TodoStatus.DONE.value))
            .otherwise(pl.lit(Activity.TodoStatus.OPEN.value))
        )
        work, (completed, completed_day, completed_ok) = _with_moments(
            work, row, "completed_at", tz_name
        )
        work, (activity, activity_day, activity_ok) = _with_moments(
            work, row, "activity_date", tz_name
        )
        work, (created, created_day, created_ok) = _with_moments(work, row, "created_date", tz_name)
        due_text = _text(work, row, "activity_date")
        due = (
            pl.when(due_text == "")
            .then(None)
            .otherwise(due_text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
        )
        due_ok = (due_text == "") | (due_text.str.contains(_DAY) & due.is_not_null())
        is_open = todo == Activity.TodoStatus.OPEN.value
        chosen = (
            pl.when(is_open)
            .then(pl.coalesce(activity, created))
            .otherwise(pl.coalesce(completed, activity, created))
        )
        first_day = (
            pl.when(is_open)
            .then(pl.when(activity.is_not_null()).then(activity_day).otherwise(created_day))
            .otherwise(
                pl.when(completed.is_not_null())
                .then(completed_day)
                .when(activity.is_not_null())
                .then(activity_day)
                .otherwise(created_day)
            )
        )
        columns.update(
            kind=subtype.replace_strict(
                {key: str(value) for key, value in _SF_KIND.items()},
                default=Activity.Kind.TASK.value,
                return_dtype=pl.String,
            ),
            occurred_at=chosen,
            duration_minutes=-((-seconds.fill_null(0)) // 60),
            is_internal=pl.lit(False),
            todo_status=todo,
            due_date=due,
            # "latest" counts what happened, not what is still to do.
            _day=pl.when(is_open).then(None).otherwise(first_day),
        )
        checks += [seconds_ok, closed_ok, completed_ok, activity_ok, created_ok, due_ok]
    else:
        minutes, minutes_ok = _whole(_text(work, row, "duration"))
        event_type = _text(work, row, "type").str.to_lowercase()
        mapped = event_type.replace_strict(
            {key: str(value) for key, value in _SF_KIND.items()},
            default=Activity.Kind.MEETING.value,
            return_dtype=pl.String,
        )
        work, (at, at_day, at_ok) = _with_moments(work, row, "activity_datetime", tz_name)
        work, (start, start_day, start_ok) = _with_moments(work, row, "start_datetime", tz_name)
        work, (on, on_day, on_ok) = _with_moments(work, row, "activity_date", tz_name)
        linked = pl.any_horizontal(
            [_text(work, row, key) != "" for key in ("account_id", "what_id", "who_id")]
        )
        columns.update(
            kind=pl.when(mapped == Activity.Kind.TASK.value)
            .then(pl.lit(Activity.Kind.MEETING.value))
            .otherwise(mapped),
            occurred_at=pl.coalesce(at, start, on),
            duration_minutes=minutes.fill_null(0),
            is_internal=~linked | event_type.is_in(sorted(INTERNAL_EVENT_TYPES)),
            todo_status=pl.lit(Activity.TodoStatus.NONE.value),
            due_date=pl.lit(None, dtype=pl.Date),
            _day=pl.when(at.is_not_null())
            .then(at_day)
            .when(start.is_not_null())
            .then(start_day)
            .otherwise(on_day),
        )
        checks += [minutes_ok, at_ok, start_ok, on_ok]
    converted = work.select(
        "_row",
        *(expression.alias(name) for name, expression in columns.items()),
        _fast=pl.all_horizontal(checks),
    )
    converted = converted.with_columns(pl.col("_fast") & pl.col("occurred_at").is_not_null())
    converted = converted.join(
        _lookup(_rep_keys(ctx)).rename({"key": "_owner", "id": "rep_id"}),
        on="_owner",
        how="left",
        maintain_order="left",
    )
    customers = _lookup(ctx.customers(SF))
    converted = converted.join(
        customers.rename({"key": "_account", "id": "_account_id"}),
        on="_account",
        how="left",
        maintain_order="left",
    ).join(
        customers.rename({"key": "_what", "id": "_what_id"}),
        on="_what",
        how="left",
        maintain_order="left",
    )
    # An account id that names no imported customer is flagged: the per-row path says so.
    converted = converted.with_columns(
        _fast=pl.col("_fast")
        & pl.col("rep_id").is_not_null()
        & ((pl.col("_account") == "") | pl.col("_account_id").is_not_null()),
        customer_id=pl.when(pl.col("_account") != "")
        .then(pl.col("_account_id"))
        .otherwise(pl.col("_what_id")),
        source=pl.lit(SF),
        is_deleted=pl.lit(False),
    )
    slow_rows = converted.filter(~pl.col("_fast"))["_row"]
    slow: list[tuple[int, list[str]]] = []
    if slow_rows.len():
        cells = frame.with_columns(_row=numbers).filter(pl.col("_row").is_in(slow_rows.implode()))
        names = [name for name in frame.columns]
        for values in cells.iter_rows():
            slow.append((int(values[-1]), list(values[: len(names)])))
    records = converted.filter(pl.col("_fast")).select(*ACTIVITY_COLUMNS, "_row", "_day")
    return Converted(records, slow)


def latest_day(records: pl.DataFrame) -> dt.date | None:
    if records.height == 0:
        return None
    return records["_day"].max()


def copy_csv(records: pl.DataFrame) -> bytes:
    """The records as CSV for ``COPY … (FORMAT csv, NULL '\\N')``: every text quoted, so no
    value can read as NULL, and moments in UTC."""
    return (
        records.select(
            *(
                pl.col(name).dt.strftime("%Y-%m-%d %H:%M:%S%.6f+00")
                if name == "occurred_at"
                else pl.col(name)
                for name in ACTIVITY_COLUMNS
            )
        )
        .write_csv(include_header=False, null_value="\\N", quote_style="non_numeric")
        .encode()
    )
