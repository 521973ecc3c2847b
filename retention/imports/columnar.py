"""The column-at-a-time path for large Salesforce files: Account, Opportunity, Task, Event, Case.

A CSV file is read by polars in batches of rows (all cells as text), and each column of a
batch is checked and converted at once: ids, rep and customer references (joins against the
lookups), dates and times, numbers, currencies and choices. A row every check passes becomes a
record in a frame; a row any check doubts (a value the strict vectorised forms do not cover,
an unknown reference, a value that would be flagged or rejected) goes to the per-row converter
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from config.limits import EARLIEST_DATE, LATEST_DATE
from config.money import ISO_4217, organisation_currency
from retention.imports.errors import RowError
from retention.imports.kinds import (
    _SF_KIND,
    EMPTY_LOOKUP,
    INTERNAL_EVENT_TYPES,
    SF,
    FileKind,
    Row,
)
from retention.imports.lookups import ImportContext
from retention.imports.readers import FIELD_LIMIT, Table
from retention.imports.values import _FALSE, _TRUE, parse_decimal
from retention.imports.writers import SPECS
from retention.models import Activity, Deal


def record_columns(entity: str) -> tuple[str, ...]:
    """The columns of an entity's upsert (``writers.SPECS``), in its order."""
    return ("source", "external_id", *SPECS[entity].columns)


# The columns of the activity upsert (``writers.SPECS["activities"]``), in its order.
ACTIVITY_COLUMNS = record_columns("activities")
# What ``writers.write_customers`` reads of a customer besides its upsert columns.
CUSTOMER_EXTRAS = ("_owner", "_owner_since")
_DONE_STATUSES = ("completed", "complete", "closed", "done", "finished")
# Date, or date and time with an optional UTC offset: the forms both datetime.fromisoformat
# and this module read the same way. Anything else goes to the per-row parser.
_MOMENT = (
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?$"
)
_DAY = r"^\d{4}-\d{2}-\d{2}(?:[T ].*)?$"
_WHOLE = r"^\d{1,9}$"
# Amounts the column path reads itself: what numeric(16, 2) stores as written, under the
# 10**14 the per-row path refuses. Others (1,234.50, $12, -5, 1e3…) go to ``values``.
_AMOUNT = r"^\d{1,14}(?:\.\d{1,2})?$"
# Scores likewise, for numeric(6, 2).
_SCORE = r"^\d{1,4}(?:\.\d{1,2})?$"
# The years Relay takes (``config.limits``): the column path reads these, and leaves any other
# year to the per-row parser, which refuses the row.
_YEARS = (EARLIEST_DATE.year, LATEST_DATE.year)
# A case resolved in more minutes than this goes to the per-row path (and its check).
_LONGEST_CASE = dt.timedelta(days=365 * 50)


@functools.cache
def _whitespace() -> str:
    """What Python's str.strip() strips (polars' default set lacks U+001C–U+001F)."""
    return "".join(chr(code) for code in range(0x3001) if chr(code).isspace())


_SEPARATOR_BYTES = (b"\x1c", b"\x1d", b"\x1e", b"\x1f")


def _strip_set(path: Path) -> str | None:
    """What Python's str.strip() strips from the cells of a UTF-8 file: polars' own set (None,
    much faster) unless some cell holds U+001C–U+001F, which it lacks. Read from the file's
    bytes, where in UTF-8 0x1C–0x1F are only ever those characters: four byte searches, a
    tenth of the time a regular expression over every cell of every chunk took."""
    with path.open("rb") as stream:
        while block := stream.read(1 << 24):
            if any(byte in block for byte in _SEPARATOR_BYTES):
                return _whitespace()
    return None


def _blank(frame: pl.DataFrame, chars: str | None) -> pl.Expr:
    """A row whose cells are all whitespace, which the CSV reader does not count as a row."""
    return pl.all_horizontal([pl.col(name).str.strip_chars(chars) == "" for name in frame.columns])


@dataclass
class ColumnarFile:
    """A CSV file as UTF-8 on disk, read by polars in batches of rows, every cell as text."""

    path: Path
    delimiter: str
    breaks: list[str]  # the columns where some cell holds a line break
    owned: bool = True  # a copy made for polars, removed by ``close``; not the upload itself
    chars: str | None = None  # what to strip from its cells (``_strip_set``), set on reading

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

    def chunks(self, size: int) -> Iterator[tuple[pl.DataFrame, pl.Series]]:
        """As ``batches``, without the blank rows, in chunks of exactly ``size`` rows (the last
        one fewer): the chunks the per-row path writes, so a writer's notes about a chunk's
        records come where the per-row path reports them."""
        held: list[tuple[pl.DataFrame, pl.Series]] = []
        count = 0
        for frame, numbers in self.batches(size):
            keep = ~frame.select(_blank(frame, self.chars)).to_series()
            frame, numbers = frame.filter(keep), numbers.filter(keep)
            held.append((frame, numbers))
            count += frame.height
            while count >= size:
                cells = pl.concat([frame for frame, _numbers in held])
                rows = pl.concat([numbers for _frame, numbers in held])
                yield cells.head(size), rows.head(size)
                held = [(cells.slice(size), rows.slice(size))]
                count -= size
        if count:
            yield (
                pl.concat([frame for frame, _numbers in held]),
                pl.concat([numbers for _frame, numbers in held]),
            )

    def close(self) -> None:
        if self.owned:
            self.path.unlink(missing_ok=True)


def _lines(breaks: list[str]) -> pl.Expr | None:
    if not breaks:
        return None
    return 1 + pl.sum_horizontal(
        pl.col(name).fill_null("").str.count_matches("\r\n|\r|\n").cast(pl.Int64) for name in breaks
    )


def read_columnar(table: Table, folder: Path | None = None) -> ColumnarFile | None:
    """The table ready to be read column-wise, or None where that would not read it as the
    CSV reader does. A file on disk whose bytes are all valid UTF-8 is read where it is
    (polars skips a UTF-8 byte-order mark, as the ``utf-8-sig`` codec does); any other is
    copied as UTF-8 (without a byte-order mark) for polars."""
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
    if table.path is not None and codec in ("utf-8", "utf-8-sig"):
        # Not lossy: every byte decodes, so a copy would hold the same bytes.
        read = ColumnarFile(table.path, table.delimiter, [], owned=False)
    else:
        try:
            read = _utf8_copy(table, codec, folder)
        except UnicodeError:
            return None
    try:
        read.chars = _strip_set(read.path)
        scan = read._scan()
        columns = scan.collect_schema().names()
        # One pass first, so a file whose rows do not add up to its lines is never half-read.
        counts = scan.select(
            pl.len().alias("rows"),
            pl.max_horizontal(pl.col(name).str.len_bytes().max() for name in columns).alias(
                "_longest"
            ),
            *(pl.col(name).str.contains("[\r\n]").any().alias(name) for name in columns),
        ).collect(engine="streaming")
        read.breaks = [name for name in columns if counts[name][0]]
        rows = counts["rows"][0]
        if read.breaks:
            rows = scan.select(_lines(read.breaks).sum()).collect(engine="streaming").item()
        if (counts["_longest"][0] or 0) >= FIELD_LIMIT - 1:
            rows = None  # a field the CSV reader may refuse (its bytes): it says which row
    except (pl.exceptions.PolarsError, UnicodeError):
        read.close()
        return None  # ragged rows, an unclosed quote…: the CSV reader says which row
    if not rows or rows != table.count():
        read.close()
        return None  # lines the CSV reader counts otherwise (a lone carriage return…)
    return read


def _utf8_copy(table: Table, codec: str, folder: Path | None) -> ColumnarFile:
    """The table's bytes decoded and written again as UTF-8, in a file of its own."""
    decoder = codecs.getincrementaldecoder("utf-8-sig" if codec == "utf-8" else codec)()
    handle, name = tempfile.mkstemp(prefix="relay-import-", suffix=".csv", dir=folder)
    path = Path(name)
    try:
        with table.open_bytes() as stream, open(handle, "wb") as out:
            while chunk := stream.read(1 << 22):
                out.write(decoder.decode(chunk).encode("utf-8"))
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return ColumnarFile(path, table.delimiter, [])


@dataclass
class Converted:
    """One chunk converted: the records every check passed, and the rows to do one by one."""

    # The kind's record columns (``record_columns``, and for customers ``CUSTOMER_EXTRAS``),
    # plus _row (its number) and _day (its day for "latest", null where there is none).
    records: pl.DataFrame
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


def _decimal(text: pl.Expr, form: str, dtype: pl.Decimal) -> tuple[pl.Expr, pl.Expr]:
    """(number or null when empty, readable) for plain non-negative numbers written in
    ``form``, as ``values.parse_decimal`` reads them; any other writing goes per row."""
    readable = (text == "") | text.str.contains(form)
    value = pl.when(text == "").then(None).otherwise(text.cast(dtype, strict=False))
    return value, readable


def _in_years(day: pl.Expr) -> pl.Expr:
    """The day, or null outside the years Python, polars and PostgreSQL all read alike."""
    return pl.when(day.dt.year().is_between(*_YEARS)).then(day).otherwise(None)


def _iso_day(text: pl.Expr) -> pl.Expr:
    return _in_years(text.str.to_date("%Y-%m-%d", strict=False))


def _date(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(day or null when empty, readable) as ``values.parse_date`` reads ISO dates (with a
    time after them or not); US and dotted dates go per row."""
    day = _iso_day(text.str.slice(0, 10))
    readable = (text == "") | (text.str.contains(_DAY) & day.is_not_null())
    return pl.when(text == "").then(None).otherwise(day), readable


def _moment(text: pl.Expr, tz_name: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(UTC moment, local day, readable) as ``values.parse_datetime`` reads the strict forms."""
    parts = text.str.extract_groups(_MOMENT)
    day = _iso_day(parts.struct.field("1"))

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
    day = cells.str.slice(0, 10).to_frame("day").select(_iso_day(pl.col("day")))["day"]
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
        if (empty | cells.str.ends_with(".000+0000")).all():
            # Whole seconds in UTC, as Salesforce writes every moment: the first 19 characters
            # go through polars' fixed-width parser, three times faster than a format with
            # %.f%z, which chrono reads cell by cell.
            moment = (
                cells.str.slice(0, 19)
                .str.to_datetime("%Y-%m-%dT%H:%M:%S", time_unit="us", strict=False)
                .dt.replace_time_zone("UTC")
            )
        else:
            moment = cells.str.to_datetime(
                "%Y-%m-%dT%H:%M:%S%.f%z", time_unit="us", time_zone="UTC", strict=False
            )
        # polars reads a leap second (:60) as the next minute; Python refuses it, so it goes
        # to the general form, which leaves it to the per-row parser.
        moment = moment.set(cells.str.slice(17, 2) == "60", None)
        if (empty | moment.is_not_null()).all():
            parsed = pl.DataFrame({"moment": moment, "day": day}).with_columns(
                moment=pl.when(pl.col("day").is_not_null()).then(pl.col("moment"))
            )
            return parsed.with_columns(ok=empty | pl.col("moment").is_not_null())
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


@dataclass
class _Chunk:
    """A chunk's non-blank rows with every mapped field's stripped text (``_t_<key>``), and
    what the kinds' column converters ask of it."""

    work: pl.DataFrame
    row: Row
    ctx: ImportContext
    chars: str | None

    @property
    def tz_name(self) -> str:
        return getattr(self.ctx.tz, "key", "UTC")

    def text(self, key: str) -> pl.Expr:
        return _text(self.work, self.row, key)

    def raw(self, key: str) -> pl.Expr:
        return _raw(self.work, self.row, key)

    def first_id(self, key: str) -> pl.Expr:
        """The first of a field's ids (``AccountId`` may hold several, split by ";")."""
        return self.text(key).str.extract(r"^([^;]*)", 1).str.strip_chars(self.chars)

    def moments(self, key: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
        """(UTC moment, day as written, ok) of a date/time field, as columns of ``work``."""
        parsed = _moments(self.work, self.text(key), self.tz_name)
        names = (f"_{key}_moment", f"_{key}_day", f"_{key}_ok")
        self.work = self.work.with_columns(
            parsed["moment"].alias(names[0]),
            parsed["day"].alias(names[1]),
            parsed["ok"].alias(names[2]),
        )
        return tuple(pl.col(name) for name in names)

    def local_day(self, moment: pl.Expr) -> pl.Expr:
        """The day a UTC moment falls on in the organisation's time zone."""
        if self.tz_name == "UTC":
            return moment.dt.date()
        return moment.dt.convert_time_zone(self.tz_name).dt.date()

    def amount(self, key: str) -> tuple[pl.Expr, pl.Expr]:
        """(amount, ok) as ``kinds._amount`` reads it: empty is 0."""
        value, readable = _decimal(self.text(key), _AMOUNT, pl.Decimal(16, 2))
        return value.fill_null(Decimal(0)), readable

    def currency(self, key: str, amount_key: str) -> tuple[pl.Expr, pl.Expr]:
        """(code, ok) as ``kinds._currency`` reads it; a code it would refuse or flag (an
        amount in another currency than the organisation's) is not ok."""
        if key not in self.row.index:
            return pl.lit(""), pl.lit(True)
        written = self.text(key)
        code = written.str.to_uppercase()
        ok = (written == "") | (
            written.str.contains(r"^[A-Za-z]{3}$")
            & code.is_in(sorted(ISO_4217))
            & ((code == organisation_currency()) | self.raw(amount_key).is_in(["", "0"]))
        )
        return pl.when(written == "").then(pl.lit("")).otherwise(code), ok


def _join(frame: pl.DataFrame, on: str, keys: pl.DataFrame, name: str) -> pl.DataFrame:
    """``frame`` with column ``name``: the id ``keys`` holds for column ``on``, or null."""
    return frame.join(
        keys.rename({"key": on, "id": name}), on=on, how="left", maintain_order="left"
    )


def _found(reference: str, found: str) -> pl.Expr:
    """An empty reference, or one the lookup found: anything else is flagged or refused."""
    return (pl.col(reference) == "") | pl.col(found).is_not_null()


def _finish(chunk: _Chunk, columns: dict[str, pl.Expr], checks: list[pl.Expr]) -> pl.DataFrame:
    """The chunk's converted columns, _row, and _fast: every check passed."""
    return chunk.work.select(
        "_row",
        *(expression.alias(name) for name, expression in columns.items()),
        _fast=pl.all_horizontal(checks),
    )


def _activities(kind: FileKind, chunk: _Chunk, checks: list[pl.Expr]) -> pl.DataFrame:
    """Salesforce tasks and events (``kinds.sf_task``, ``kinds.sf_event``)."""
    text = chunk.text
    owner = text("owner_id")
    columns = {
        "external_id": text(kind.id_field),
        "_owner": owner,
        "_account": chunk.first_id("account_id"),
        "_what": chunk.first_id("what_id"),
        "subject": text("subject").str.slice(0, 255),
    }
    checks = [*checks, owner != ""]
    if kind.key == "salesforce.task":
        subtype = text("task_subtype").str.to_lowercase()
        subtype = pl.when(subtype == "").then(text("type").str.to_lowercase()).otherwise(subtype)
        seconds, seconds_ok = _whole(text("call_seconds"))
        closed, closed_ok = _bool(text("is_closed"))
        status = text("status").str.to_lowercase()
        todo = (
            pl.when(closed.is_null() & (status == ""))
            .then(pl.lit(Activity.TodoStatus.NONE.value))
            .when(closed.fill_null(False) | status.is_in(_DONE_STATUSES))
            .then(pl.lit(Activity.TodoStatus.DONE.value))
            .otherwise(pl.lit(Activity.TodoStatus.OPEN.value))
        )
        # Computed once: the status, the moment and the day for "latest" all ask for it.
        chunk.work = chunk.work.with_columns(_todo=todo)
        todo = pl.col("_todo")
        completed, completed_day, completed_ok = chunk.moments("completed_at")
        activity, activity_day, activity_ok = chunk.moments("activity_date")
        created, created_day, created_ok = chunk.moments("created_date")
        due, due_ok = _date(text("activity_date"))
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
        minutes, minutes_ok = _whole(text("duration"))
        event_type = text("type").str.to_lowercase()
        mapped = event_type.replace_strict(
            {key: str(value) for key, value in _SF_KIND.items()},
            default=Activity.Kind.MEETING.value,
            return_dtype=pl.String,
        )
        at, at_day, at_ok = chunk.moments("activity_datetime")
        start, start_day, start_ok = chunk.moments("start_datetime")
        on, on_day, on_ok = chunk.moments("activity_date")
        linked = pl.any_horizontal([text(key) != "" for key in ("account_id", "what_id", "who_id")])
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
    converted = _finish(chunk, columns, checks)
    converted = converted.with_columns(pl.col("_fast") & pl.col("occurred_at").is_not_null())
    converted = _join(converted, "_owner", _lookup(_rep_keys(chunk.ctx)), "rep_id")
    customers = _lookup(chunk.ctx.customers(SF))
    converted = _join(converted, "_account", customers, "_account_id")
    converted = _join(converted, "_what", customers, "_what_id")
    # An account id that names no imported customer is flagged: the per-row path says so.
    return converted.with_columns(
        _fast=pl.col("_fast") & pl.col("rep_id").is_not_null() & _found("_account", "_account_id"),
        customer_id=pl.when(pl.col("_account") != "")
        .then(pl.col("_account_id"))
        .otherwise(pl.col("_what_id")),
        source=pl.lit(SF),
        is_deleted=pl.lit(False),
    )


def _account(kind: FileKind, chunk: _Chunk, checks: list[pl.Expr]) -> pl.DataFrame:
    """Salesforce accounts (``kinds.sf_account``)."""
    text = chunk.text
    name = text("name")
    revenue, revenue_ok = chunk.amount("annual_revenue")
    currency, currency_ok = chunk.currency("currency", "annual_revenue")
    created, created_ok = _date(text("created_date"))
    country = text("billing_country")
    columns = {
        "external_id": text(kind.id_field),
        "name": name.str.slice(0, 200),
        "industry": text("industry").str.slice(0, 120),
        "region": pl.when(country != "")
        .then(country)
        .otherwise(text("billing_state"))
        .str.slice(0, 120),
        "annual_revenue": revenue,
        "currency": currency,
        "_owner_key": text("owner_id"),
        # Ownership starts when the CRM says the account began, not on the import day.
        "_owner_since": pl.when(created.is_not_null()).then(
            pl.min_horizontal(created, pl.lit(chunk.ctx.today))
        ),
        "_day": pl.lit(None, dtype=pl.Date),
    }
    checks = [*checks, name != "", revenue_ok, currency_ok, created_ok]
    converted = _join(
        _finish(chunk, columns, checks), "_owner_key", _lookup(_rep_keys(chunk.ctx)), "_owner"
    )
    return converted.with_columns(
        _fast=pl.col("_fast") & _found("_owner_key", "_owner"),
        source=pl.lit(SF),
        is_deleted=pl.lit(False),
    )


def _opportunity(kind: FileKind, chunk: _Chunk, checks: list[pl.Expr]) -> pl.DataFrame:
    """Salesforce opportunities (``kinds.sf_opportunity``)."""
    text = chunk.text
    amount, amount_ok = chunk.amount("amount")
    currency, currency_ok = chunk.currency("currency", "amount")
    created, created_ok = _date(text("created_date"))
    close, close_ok = _date(text("close_date"))
    won, won_ok = _bool(text("is_won"))
    closed, closed_ok = _bool(text("is_closed"))
    stage = text("stage_name")
    lowered = stage.str.to_lowercase()
    created_on = pl.min_horizontal(created, close)
    columns = {
        "external_id": text(kind.id_field),
        "_account": chunk.first_id("account_id"),
        "_owner_key": text("owner_id"),
        "name": text("name").str.slice(0, 200),
        "stage": stage.str.slice(0, 80),
        "amount": amount,
        "currency": currency,
        "created_on": created_on,
        "close_date": close,
        "status": pl.when(won.fill_null(False) | (lowered == "closed won"))
        .then(pl.lit(Deal.Status.WON.value))
        .when(closed.fill_null(False) | (lowered == "closed lost"))
        .then(pl.lit(Deal.Status.LOST.value))
        .otherwise(pl.lit(Deal.Status.OPEN.value)),
        "_day": created_on,
    }
    checks = [
        *checks,
        amount_ok,
        currency_ok,
        created_ok,
        close_ok,
        created_on.is_not_null(),
        won_ok,
        closed_ok,
    ]
    converted = _finish(chunk, columns, checks)
    converted = _join(converted, "_owner_key", _lookup(_rep_keys(chunk.ctx)), "owner_id")
    converted = _join(converted, "_account", _lookup(chunk.ctx.customers(SF)), "customer_id")
    return converted.with_columns(
        _fast=pl.col("_fast")
        & pl.col("customer_id").is_not_null()
        & _found("_owner_key", "owner_id"),
        source=pl.lit(SF),
        is_deleted=pl.lit(False),
    )


def _case_scale(ctx: ImportContext) -> tuple[bool, Decimal | None]:
    """(whether the column path may take a case at all, the score scale where it can
    compare and store scores on it) as ``kinds.sf_case`` reads the scale: a scale it refuses
    sends every row to the per-row path, one it cannot compare on every scored row."""
    try:
        scale = parse_decimal(ctx.options.score_scale, "score scale")
    except RowError:
        return False, None
    if scale is None or scale <= 0 or scale != round(scale, 2) or scale >= 10**4:
        return True, None
    return True, scale


def _case(kind: FileKind, chunk: _Chunk, checks: list[pl.Expr]) -> pl.DataFrame:
    """Salesforce cases (``kinds.sf_case``)."""
    text = chunk.text
    taken, scale = _case_scale(chunk.ctx)
    score, score_ok = _decimal(text("score"), _SCORE, pl.Decimal(6, 2))
    if not taken:
        score_ok = pl.lit(False)
    elif scale is None:
        score_ok = text("score") == ""
    else:
        score_ok = score_ok & (score.is_null() | (score.cast(pl.Float64) <= float(scale)))
    opened, _opened_day, opened_ok = chunk.moments("created_date")
    closed, _closed_day, closed_ok = chunk.moments("closed_date")
    moment = pl.coalesce(closed, opened)
    span = closed - opened
    escalated_cell, escalated_ok = _bool(text("is_escalated"))
    escalated = escalated_cell.fill_null(False) | text("status").str.to_lowercase().str.contains(
        "escalat", literal=True
    )
    day = chunk.local_day(moment)
    columns = {
        "external_id": text(kind.id_field),
        "_owner": text("owner_id"),
        "_account": chunk.first_id("account_id"),
        "date": day,
        "score": score,
        "scale_max": pl.when(score.is_not_null())
        .then(pl.lit(scale, dtype=pl.Decimal(6, 2)))
        .otherwise(None),
        "is_complaint": escalated | (text("type").str.to_lowercase() == "complaint"),
        "is_escalated": escalated,
        "priority": text("priority").str.slice(0, 40),
        "opened_at": opened,
        "closed_at": closed,
        "resolution_minutes": span.dt.total_microseconds() // 60_000_000,
        "_day": day,
    }
    checks = [
        *checks,
        score_ok,
        opened_ok,
        closed_ok,
        moment.is_not_null(),
        span.is_null() | ((span >= pl.duration(days=0)) & (span < pl.lit(_LONGEST_CASE))),
        escalated_ok,
        text("owner_id") != "",
    ]
    converted = _finish(chunk, columns, checks)
    converted = _join(converted, "_owner", _lookup(_rep_keys(chunk.ctx)), "rep_id")
    converted = _join(converted, "_account", _lookup(chunk.ctx.customers(SF)), "customer_id")
    return converted.with_columns(
        _fast=pl.col("_fast") & pl.col("rep_id").is_not_null() & _found("_account", "customer_id"),
        source=pl.lit(kind.stored_source),
        is_deleted=pl.lit(False),
        resolution_minutes=pl.col("resolution_minutes").cast(pl.Int64),
    )


# Kinds whose converter has a column-at-a-time twin here.
_CONVERTERS: dict[str, Callable[[FileKind, _Chunk, list[pl.Expr]], pl.DataFrame]] = {
    "salesforce.account": _account,
    "salesforce.opportunity": _opportunity,
    "salesforce.task": _activities,
    "salesforce.event": _activities,
    "salesforce.case": _case,
}
COLUMNAR_KINDS = frozenset(_CONVERTERS)


def columnar_supported(kind: FileKind, values: dict) -> bool:
    return kind.key in COLUMNAR_KINDS and not values


def columns_of(kind: FileKind) -> tuple[str, ...]:
    """The columns of a kind's records on the column path, in the writer's order."""
    extras = CUSTOMER_EXTRAS if kind.entity == "customers" else ()
    return (*record_columns(kind.entity), *extras)


def convert_chunk(
    kind: FileKind,
    frame: pl.DataFrame,
    numbers: pl.Series,
    row: Row,
    ctx: ImportContext,
    deleted_key: str | None,
    chars: str | None,
) -> Converted:
    """Convert a chunk of rows of a file of one of ``COLUMNAR_KINDS``, column by column;
    ``chars`` is its file's ``ColumnarFile.chars``."""
    work = frame.with_columns(_row=numbers).filter(~_blank(frame, chars))
    work = work.with_columns(
        **{f"_t_{key}": _raw(work, row, key).str.strip_chars(chars) for key in row.index}
    )
    chunk = _Chunk(work, row, ctx, chars)
    external_id = chunk.text(kind.id_field)
    checks = [(external_id != "") & (external_id.str.len_chars() <= 64)]
    if deleted_key is not None:
        deleted, readable = _bool(chunk.text("is_deleted"))
        checks.append(readable & (deleted.is_null() | ~deleted))
    converted = _CONVERTERS[kind.key](kind, chunk, checks)
    slow_rows = converted.filter(~pl.col("_fast"))["_row"]
    slow: list[tuple[int, list[str]]] = []
    if slow_rows.len():
        cells = frame.with_columns(_row=numbers).filter(pl.col("_row").is_in(slow_rows.implode()))
        width = len(frame.columns)
        for values in cells.iter_rows():
            slow.append((int(values[-1]), list(values[:width])))
    records = converted.filter(pl.col("_fast")).select(*columns_of(kind), "_row", "_day")
    return Converted(records, slow)


def latest_day(records: pl.DataFrame, *, until: dt.date) -> dt.date | None:
    """The records' last day up to ``until`` (today): one booked later is not data yet."""
    days = records["_day"].filter(records["_day"] <= until)
    return days.max() if days.len() else None


def copy_csv(records: pl.DataFrame, columns: tuple[str, ...] = ACTIVITY_COLUMNS) -> bytes:
    """The records as CSV for ``COPY … (FORMAT csv, NULL '\\N')``: every text quoted, so no
    value can read as NULL, and moments in UTC."""
    return (
        records.select(
            *(
                pl.col(name).dt.strftime("%Y-%m-%d %H:%M:%S%.6f+00")
                if isinstance(records.schema[name], pl.Datetime)
                else pl.col(name)
                for name in columns
            )
        )
        .write_csv(include_header=False, null_value="\\N", quote_style="non_numeric")
        .encode()
    )
