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
