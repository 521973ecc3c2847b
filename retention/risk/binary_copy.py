"""Read a PostgreSQL query's result by binary COPY into numpy arrays, without a Python object
per value.

For results of a few hundred thousand rows and more (the weekly history of 10,000 reps) the
ordinary cursor turns every value into a Python object first: about 25 times the memory of the
numbers themselves. Binary COPY sends each row as a field count and, per field, a length and
the value in network byte order; when every column has a fixed width and no NULL, every row
has the same size and the stream is one numpy record array.

Format: https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
"""

from __future__ import annotations

import numpy as np

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_HEADER = len(_SIGNATURE) + 8  # then flags (int32) and the header extension's length (int32)
_TRAILER = b"\xff\xff"
# Bytes handed to numpy at a time: the stream is parsed as it arrives, never held whole.
_BLOCK = 8 * 1024 * 1024


class CopyFormatError(ValueError):
    """The COPY stream does not have the fixed layout asked for (a NULL, a wider type)."""


def _row_dtype(columns: list[tuple[str, str]]) -> np.dtype:
    fields: list[tuple[str, str]] = [("_count", ">i2")]
    for number, (name, dtype) in enumerate(columns):
        fields += [(f"_length{number}", ">i4"), (name, dtype)]
    return np.dtype(fields)


def copy_fixed_width(cursor, query: str, columns: list[tuple[str, str]]) -> dict[str, np.ndarray]:
    """Run ``COPY (query) TO STDOUT (FORMAT BINARY)`` on ``cursor`` (a Django cursor on
    PostgreSQL, or a psycopg one) and return each column as a numpy array in native byte order.

    ``query`` is complete SQL (parameters already bound, e.g. with
    ``connection.ops.compose_sql``); ``columns`` names its output columns in order with their
    big-endian numpy types (``">i8"`` for int8, ``">i4"`` for int4, ``">f8"`` for float8), which
    must match the query's types exactly; every value must be NOT NULL. Anything else raises
    :class:`CopyFormatError` rather than returning shifted numbers.
    """
    row = _row_dtype(columns)
    raw = getattr(cursor, "cursor", cursor)  # the psycopg cursor behind Django's wrapper
    parts: dict[str, list[np.ndarray]] = {name: [] for name, _ in columns}
    pending = bytearray()
    header_done = False

    def parse(final: bool) -> None:
        nonlocal pending, header_done
        if not header_done:
            if len(pending) < _HEADER:
                if final:
                    raise CopyFormatError("the COPY stream ended inside its header")
                return
            if bytes(pending[: len(_SIGNATURE)]) != _SIGNATURE:
                raise CopyFormatError("not a binary COPY stream")
            extension = int.from_bytes(pending[_HEADER - 4 : _HEADER], "big")
            if len(pending) < _HEADER + extension:
                return
            del pending[: _HEADER + extension]
            header_done = True
        body = len(pending) - (len(_TRAILER) if final else 0)
        rows = body // row.itemsize
        if final and (body % row.itemsize or bytes(pending[body:]) != _TRAILER):
            raise CopyFormatError("the COPY stream's rows are not of the expected fixed width")
        if not rows:
            return
        records = np.frombuffer(bytes(pending[: rows * row.itemsize]), dtype=row)
        del pending[: rows * row.itemsize]
        if (records["_count"] != len(columns)).any():
            raise CopyFormatError(f"rows do not have {len(columns)} fields")
        for number, (name, dtype) in enumerate(columns):
            if (records[f"_length{number}"] != np.dtype(dtype).itemsize).any():
                raise CopyFormatError(f"column {name} holds a NULL or is not {dtype}")
            parts[name].append(records[name].astype(np.dtype(dtype).newbyteorder("=")))

    with raw.copy(f"COPY ({query}) TO STDOUT (FORMAT BINARY)") as copy:
        for block in copy:
            pending += block
            if len(pending) >= _BLOCK:
                parse(final=False)
    parse(final=True)
    return {
        name: (
            np.concatenate(arrays)
            if arrays
            else np.zeros(0, dtype=np.dtype(dtype).newbyteorder("="))
        )
        for (name, dtype), arrays in zip(columns, parts.values(), strict=True)
    }


# Days and microseconds from the Unix epoch to PostgreSQL's (2000-01-01).
_PG_EPOCH_DAYS = 10_957
_PG_EPOCH_MICROSECONDS = _PG_EPOCH_DAYS * 86_400 * 1_000_000


def binary_copy_rows(columns: list[tuple[str, object]]) -> bytes:
    """Rows as a ``COPY … FROM STDIN (FORMAT BINARY)`` stream, built column by column in numpy.

    ``columns`` gives, in the table's column order, each column's PostgreSQL type and its values
    as a polars Series: ``"text"`` (String; PostgreSQL checks the encoding and any varchar
    length), ``"int8"``, ``"int4"``, ``"bool"``, ``"date"`` (Date) or ``"timestamptz"``
    (Datetime in UTC, microseconds). A null is sent as NULL. The server then converts no text:
    no CSV to split, no number or timestamp to parse."""
    import polars as pl

    rows = len(columns[0][1]) if columns else 0
    fields: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] = []  # lengths, bytes, offsets
    for pg_type, series in columns:
        if len(series) != rows:
            raise ValueError("every column must have as many values as the first")
        missing = series.is_null().to_numpy()
        if pg_type == "text":
            texts = series.fill_null("")
            lengths = texts.str.len_bytes().to_numpy().astype(np.int64)
            data = np.frombuffer(texts.str.join("").item().encode(), dtype=np.uint8)
            offsets = np.zeros(rows + 1, dtype=np.int64)
            np.cumsum(lengths, out=offsets[1:])
            fields.append((np.where(missing, -1, lengths), data, offsets))
            continue
        if pg_type == "timestamptz":
            values = series.dt.cast_time_unit("us").cast(pl.Int64).fill_null(0).to_numpy()
            raw = (values - _PG_EPOCH_MICROSECONDS).astype(">i8")
        elif pg_type == "date":
            values = series.cast(pl.Int32).fill_null(0).to_numpy()
            raw = (values - _PG_EPOCH_DAYS).astype(">i4")
        elif pg_type in ("int8", "int4"):
            values = series.fill_null(0).to_numpy()
            wide = ">i8" if pg_type == "int8" else ">i4"
            if len(values) and (
                values.min() < np.iinfo(wide).min or values.max() > np.iinfo(wide).max
            ):
                raise ValueError(f"a value is out of range for {pg_type}")
            raw = values.astype(wide)
        elif pg_type == "bool":
            raw = series.fill_null(False).to_numpy().astype(np.uint8)
        else:
            raise ValueError(f"no binary form for {pg_type}")
        width = raw.dtype.itemsize
        lengths = np.where(missing, -1, width).astype(np.int64)
        fields.append((lengths, raw.view(np.uint8).reshape(rows, width), None))
    row_sizes = np.full(rows, 2, dtype=np.int64)
    for lengths, _data, _offsets in fields:
        row_sizes += 4 + np.maximum(lengths, 0)
    starts = _HEADER + np.concatenate([[0], np.cumsum(row_sizes)[:-1]]).astype(np.int64)[:rows]
    out = np.zeros(_HEADER + int(row_sizes.sum()) + len(_TRAILER), dtype=np.uint8)
    out[: len(_SIGNATURE)] = np.frombuffer(_SIGNATURE, dtype=np.uint8)  # flags, extension: 0
    out[-len(_TRAILER) :] = np.frombuffer(_TRAILER, dtype=np.uint8)
    count = np.array([len(fields)], dtype=">i2").view(np.uint8)
    out[starts[:, None] + np.arange(2)] = count
    at = starts + 2
    for lengths, data, offsets in fields:
        out[at[:, None] + np.arange(4)] = lengths.astype(">i4").view(np.uint8).reshape(rows, 4)
        at = at + 4
        present = lengths > 0
        if offsets is None:
            width = data.shape[1]
            out[at[present][:, None] + np.arange(width)] = data[present]
        elif len(data):
            # Each value's bytes go where its row puts them: one shift per value, repeated
            # over its bytes.
            shift = np.repeat(at - offsets[:-1], lengths.clip(0))
            out[np.arange(len(data)) + shift] = data
        at = at + np.maximum(lengths, 0)
    return out.tobytes()
