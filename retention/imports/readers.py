"""Opening what admins upload: CSV in any common dialect and encoding, XLSX, or a .zip of them.

A file becomes one or more ``Table``s: a name, a header row and a way to stream the data rows.
Rows are streamed, never loaded whole, so a million-row export stays small in memory.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.utils.translation import gettext as _

from retention.imports.errors import ImportRefused

csv.field_size_limit(16 * 1024 * 1024)

Opener = Callable[[], BinaryIO]
_DELIMITERS = [",", ";", "\t", "|"]
_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx"}
_SNIFF_BYTES = 1 << 20


@dataclass
class Table:
    """One sheet of rows. ``rows()`` yields (row number as a person counts it, cells)."""

    name: str
    header: list[str]
    rows: Callable[[], Iterator[tuple[int, list]]]
    count: Callable[[], int]


def _detect_encoding(open_bytes: Opener, name: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16 when they decode the whole file, else GB18030."""
    with open_bytes() as stream:
        head = stream.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open_bytes() as stream:
        try:
            while chunk := stream.read(_SNIFF_BYTES):
                if b"\x00" in chunk:
                    raise ImportRefused(
                        _("this is a binary file, not CSV text. Upload CSV, XLSX or a .zip."),
                        file_name=name,
                    )
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    decoder = codecs.getincrementaldecoder("gb18030")()
    with open_bytes() as stream:
        try:
            while chunk := stream.read(_SNIFF_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ImportRefused(
                _(
                    "the text is neither UTF-8 nor GB18030/GBK. Save it from Excel as "
                    "'CSV UTF-8' and upload it again."
                ),
                file_name=name,
            ) from None
    return "gb18030"


def _sniff_delimiter(header_line: str) -> str:
    """The delimiter used most in the header row (header rows rarely hold quoted text)."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _clean_header(header: list) -> list[str]:
    cleaned = [str(cell or "").replace("\ufeff", "").strip() for cell in header]
    while cleaned and cleaned[-1] == "":
        cleaned.pop()
    return cleaned


def csv_table(name: str, open_bytes: Opener) -> Table:
    encoding = _detect_encoding(open_bytes, name)

    def text_stream() -> io.TextIOWrapper:
        return io.TextIOWrapper(open_bytes(), encoding=encoding, newline="")

    with text_stream() as stream:
        first_line = stream.readline()
    if not first_line.strip():
        raise ImportRefused(_("the file is empty."), file_name=name)
    delimiter = _sniff_delimiter(first_line)

    def reader(stream: io.TextIOWrapper) -> Iterator[list[str]]:
        return csv.reader(stream, delimiter=delimiter, quotechar='"', doublequote=True)

    with text_stream() as stream:
        header = _clean_header(next(reader(stream)))

    def rows() -> Iterator[tuple[int, list]]:
        with text_stream() as stream:
            parsed = reader(stream)
            next(parsed)
            join = "".join
            for row in parsed:
                # A person counts the header as row 1, so data starts at row 2.
                if row and join(row).strip():
                    yield parsed.line_num, row

    def count() -> int:
        """Lines after the header: exact unless cells hold line breaks (then a little over)."""
        lines = 0
        last = b"\n"
        with open_bytes() as stream:
            while chunk := stream.read(_SNIFF_BYTES):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        return max(0, lines + (last != b"\n") - 1)

    return Table(name=name, header=header, rows=rows, count=count)


def xlsx_table(name: str, open_bytes: Opener) -> Table:
    from openpyxl import load_workbook

    def sheet_rows() -> Iterator[tuple]:
        try:
            workbook = load_workbook(open_bytes(), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ImportRefused(
                _("this .xlsx file cannot be read (%(error)s).") % {"error": exc}, file_name=name
            ) from None
        try:
            yield from workbook.worksheets[0].iter_rows(values_only=True)
        finally:
            workbook.close()

    first = next(sheet_rows(), None)
    if first is None or not any(cell not in (None, "") for cell in first):
        raise ImportRefused(_("the first sheet is empty."), file_name=name)
    header = _clean_header(list(first))

    def rows() -> Iterator[tuple[int, list]]:
        iterator = sheet_rows()
        next(iterator)
        for number, row in enumerate(iterator, start=2):
            if any(cell not in (None, "") for cell in row):
                yield number, ["" if cell is None else cell for cell in row]

    def count() -> int:
        return sum(1 for _row in rows())

    return Table(name=name, header=header, rows=rows, count=count)


def _kind_of_bytes(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "binary"
    return "text"


def _is_xlsx(archive: zipfile.ZipFile) -> bool:
    return "[Content_Types].xml" in archive.namelist() and any(
        member.startswith("xl/") for member in archive.namelist()
    )


def tables_from_file(path: Path, name: str, *, max_bytes: int) -> tuple[list[Table], list[str]]:
    """The tables in an uploaded file, and notes about zip members that were skipped.

    Refuses (ImportRefused) a file that is empty, too large, or of a type Relay does not read.
    """
    size = path.stat().st_size
    if size == 0:
        raise ImportRefused(_("the file is empty."), file_name=name)
    if size > max_bytes:
        raise ImportRefused(
            _(
                "the file is %(size)s bytes, over the limit of %(limit)s bytes "
                "(RELAY_IMPORT_MAX_BYTES). Split it or zip it."
            )
            % {"size": size, "limit": max_bytes},
            file_name=name,
        )
    with path.open("rb") as stream:
        kind = _kind_of_bytes(stream.read(8))
    if kind == "xls":
        raise ImportRefused(
            _("old Excel .xls files are not read: save it as .xlsx or CSV."), file_name=name
        )
    if kind == "binary":
        raise ImportRefused(
            _("this is not a spreadsheet: upload CSV, XLSX or a .zip of them."), file_name=name
        )
    if kind == "text":
        return [csv_table(name, lambda: path.open("rb"))], []
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ImportRefused(_("this .zip file is damaged."), file_name=name) from None
    with archive:
        if _is_xlsx(archive):
            return [xlsx_table(name, lambda: path.open("rb"))], []
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir() and not PurePosixPath(info.filename).name.startswith((".", "__"))
        ]
        if sum(info.file_size for info in members) > 4 * max_bytes:
            raise ImportRefused(
                _("the unpacked files would exceed four times the size limit."), file_name=name
            )
    tables: list[Table] = []
    skipped: list[str] = []
    for info in members:
        member_name = PurePosixPath(info.filename).name
        if PurePosixPath(member_name).suffix.lower() not in _SUFFIXES:
            skipped.append(member_name)
            continue

        def open_member(member: str = info.filename) -> BinaryIO:
            archive = zipfile.ZipFile(path)
            stream = archive.open(member)
            if member.lower().endswith(".xlsx"):
                data = io.BytesIO(stream.read())
                archive.close()
                return data
            return stream

        if info.file_size == 0:
            skipped.append(member_name)
            continue
        if member_name.lower().endswith(".xlsx"):
            tables.append(xlsx_table(member_name, open_member))
        else:
            tables.append(csv_table(member_name, open_member))
    if not tables:
        raise ImportRefused(_("the .zip holds no CSV or XLSX files."), file_name=name)
    return tables, skipped
