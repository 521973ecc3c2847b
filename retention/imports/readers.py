"""Opening what admins upload: CSV in any common dialect and encoding, XLSX, or a .zip of them.

A file becomes one or more ``Table``s: a name, a header row and a way to stream the data rows.
Rows are streamed, never loaded whole, so a million-row export stays small in memory.
"""

import codecs
import csv
import functools
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from retention.imports.errors import ImportRefused

FIELD_LIMIT = 16 * 1024 * 1024
csv.field_size_limit(FIELD_LIMIT)

Opener = Callable[[], BinaryIO]
_DELIMITERS = [",", ";", "\t", "|"]
_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx"}
_SNIFF_BYTES = 1 << 20
# The encodings a detector may choose among (what CRMs, Excel and HR systems write), most
# common first: the order breaks ties between equally clean readings.
_CANDIDATES = [
    "utf_8",
    "utf_16",
    "gb18030",
    "cp1252",
    "latin_1",
    "iso8859_15",
    "big5",
    "shift_jis",
    "euc_kr",
    "cp1251",
    "cp1250",
]
_CHAOS_TOLERANCE = 0.05
_LABELS = {
    "utf-8-sig": "UTF-8",
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "gb18030": "GB18030/GBK",
    "cp1252": "Windows-1252",
    "latin-1": "ISO-8859-1",
    "iso8859-15": "ISO-8859-15",
}
# Control bytes that text never holds (NUL, tab, line breaks and escape excepted).
_CONTROL = bytes(range(1, 9)) + b"\x0b\x0c" + bytes(range(14, 27)) + bytes(range(28, 32))
REPLACED = "\ufffd"


@dataclass
class Encoding:
    """How a file's bytes were read: the codec, how it was chosen, and whether bytes were lost."""

    codec: str
    how: str  # "bom", "detected", "chosen" (by the admin)
    lossy: bool = False  # some bytes did not decode and were replaced with U+FFFD
    nul_bytes: int = 0

    @property
    def label(self) -> str:
        name = codecs.lookup(self.codec).name
        return _LABELS.get(name, name.upper())

    def describe(self) -> dict:
        return {
            "codec": self.codec,
            "label": self.label,
            "how": self.how,
            "lossy": self.lossy,
            "nul_bytes": self.nul_bytes,
        }


class Cells(list):
    """A row's cells, with notes about what reading them changed (replaced bytes, NULs)."""

    notes: list[tuple[str, str, str]]


@dataclass
class UnreadableRow:
    """A row the CSV parser could not read (a field over the size limit): rejected, not fatal."""

    reason: str


@dataclass
class Table:
    """One sheet of rows. ``rows()`` yields (row number as a person counts it, cells), where
    cells are a list (maybe ``Cells`` with notes) or an ``UnreadableRow``."""

    name: str
    header: list[str]
    rows: Callable[[], Iterator[tuple[int, list | UnreadableRow]]]
    count: Callable[[], int]
    encoding: Encoding | None = None
    refusal: str = ""  # a member of a .zip that cannot be read: skipped, with this reason
    # A CSV file's bytes and delimiter, for the column-at-a-time reader (``columnar``).
    open_bytes: Opener | None = None
    delimiter: str = ","
    # The file itself, when the table is a whole file on disk (not a .zip member).
    path: Path | None = None


def _unreadable(name: str, refusal: ImportRefused) -> Table:
    reason = str(refusal).removeprefix(f"{name}: ")
    return Table(name=name, header=[], rows=lambda: iter(()), count=lambda: 0, refusal=reason)


def codec_or_refuse(name: str, *, file_name: str = "") -> str:
    """The codec an admin named, or a refusal that says which names work.

    Only an encoding text is written in, whose decoder replaces the bytes it cannot read (as
    every read of an upload asks): Python also knows base64, zlib or rot13 by that name, and
    idna or "undefined", which would stop the import on an unexpected error."""
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        raise ImportRefused(
            _(
                "the encoding %(name)s is not known. Use for example utf-8, windows-1252, "
                "iso-8859-1, gb18030 or utf-16."
            )
            % {"name": name},
            file_name=file_name,
        ) from None
    try:
        b"\xff".decode(codec, "replace")  # LookupError: not a text encoding
        codecs.getincrementaldecoder(codec)(errors="replace").decode(b"\xff", final=True)
    except (LookupError, UnicodeError):
        raise ImportRefused(
            _(
                "%(name)s is not an encoding CSV text is written in. Use for example utf-8, "
                "windows-1252, iso-8859-1, gb18030 or utf-16."
            )
            % {"name": name},
            file_name=file_name,
        ) from None
    return codec


def _scan(open_bytes: Opener) -> tuple[int, int, int, int, bytes]:
    """NUL bytes, control bytes in the first MB, UTF-8 sequences that do not decode, valid
    non-ASCII characters (counted only when some sequences do not decode), and the first MB."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    nul = invalid = non_ascii = 0
    head = b""
    with open_bytes() as stream:
        while chunk := stream.read(_SNIFF_BYTES):
            if not head:
                head = chunk
            nul += chunk.count(b"\x00")
            decoded = decoder.decode(chunk)
            invalid += decoded.count(REPLACED)
        invalid += decoder.decode(b"", final=True).count(REPLACED)
    if invalid:
        with open_bytes() as stream:
            decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
            while chunk := stream.read(_SNIFF_BYTES):
                decoded = decoder.decode(chunk)
                non_ascii += len(decoded) - len(decoded.encode("ascii", "ignore"))
    control = len(head) - len(head.translate(None, _CONTROL))
    return nul, control, invalid, non_ascii, head


def _decodes(open_bytes: Opener, codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        with open_bytes() as stream:
            while chunk := stream.read(_SNIFF_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_BOMS = {
    "utf-16": (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE),
    "utf-32": (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE),
}


def detect_encoding(open_bytes: Opener, name: str, chosen: str = "") -> Encoding:
    """The file's encoding: the admin's choice, a byte-order mark, UTF-8 when the text is UTF-8
    (a few bad bytes then are replaced and flagged, not a reason to guess another encoding),
    else charset-normalizer's best guess among the encodings exports use."""
    nul, control, invalid, non_ascii, head = _scan(open_bytes)
    if chosen:
        codec = codec_or_refuse(chosen, file_name=name)
        if codec in ("utf-16", "utf-32") and not head.startswith(_BOMS[codec]):
            # Without its byte-order mark the text does not say which byte comes first, and
            # Python's decoder stops at the first bytes rather than guess.
            raise ImportRefused(
                _(
                    "the file does not start with a byte-order mark, so %(encoding)s does not "
                    "say its byte order: choose %(encoding)s-le or %(encoding)s-be, or leave the "
                    "encoding empty for Relay to recognise it."
                )
                % {"encoding": codec},
                file_name=name,
            )
        return Encoding(codec, "chosen", lossy=not _decodes(open_bytes, codec), nul_bytes=nul)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Encoding("utf-16", "bom", lossy=not _decodes(open_bytes, "utf-16"))
    if head.startswith(codecs.BOM_UTF8):
        return Encoding("utf-8-sig", "bom", lossy=bool(invalid), nul_bytes=nul)
    if nul * 4 >= len(head) and head:
        # Half the bytes of ASCII text in UTF-16 are NUL: UTF-16 without a byte-order mark.
        codec = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return Encoding(codec, "detected", lossy=not _decodes(open_bytes, codec))
    if control * 100 > len(head):
        raise ImportRefused(
            _("this is a binary file, not CSV text. Upload CSV, XLSX or a .zip."), file_name=name
        )
    if not invalid:
        return Encoding("utf-8-sig", "detected", nul_bytes=nul)
    if non_ascii >= invalid:
        # Mostly UTF-8: a few mis-encoded bytes among many good characters.
        return Encoding("utf-8-sig", "detected", lossy=True, nul_bytes=nul)
    from charset_normalizer import from_bytes

    guesses = from_bytes(head.replace(b"\x00", b""), cp_isolation=_CANDIDATES)
    # A short sample reads cleanly in several encodings (张伟 in GBK is also valid Big5; Lefèvre
    # in Windows-1252 is also valid Windows-1250): among the cleanest, prefer the encodings
    # exports are most often written in, in the order of the candidates.
    cleanest = min((guess.chaos for guess in guesses), default=0.0)
    ranked = sorted(
        guesses,
        key=lambda guess: (
            guess.chaos > cleanest + _CHAOS_TOLERANCE,
            _CANDIDATES.index(guess.encoding) if guess.encoding in _CANDIDATES else 99,
        ),
    )
    for guess in ranked:
        codec = codecs.lookup(guess.encoding).name
        if _decodes(open_bytes, codec):
            return Encoding(codec, "detected", nul_bytes=nul)
    best = guesses.best()
    if best is None:
        raise ImportRefused(
            _(
                "the text encoding cannot be recognised. Save it from Excel as 'CSV UTF-8', or "
                "name the encoding (for example windows-1252) and check again."
            ),
            file_name=name,
        )
    return Encoding(codecs.lookup(best.encoding).name, "detected", lossy=True, nul_bytes=nul)


def _sniff_delimiter(header_line: str) -> str:
    """The delimiter used most in the header row (header rows rarely hold quoted text)."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _clean_header(header: list) -> list[str]:
    cleaned = [str(cell or "").replace("\ufeff", "").replace("\x00", "").strip() for cell in header]
    while cleaned and cleaned[-1] == "":
        cleaned.pop()
    return cleaned


class _Lines:
    """The decoded lines fed to the CSV parser, with NULs removed and counted per row."""

    def __init__(self, stream: io.TextIOWrapper) -> None:
        self.stream = stream
        self.nuls = 0

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = self.stream.readline()
        if not line:
            raise StopIteration
        if "\x00" in line:
            self.nuls += line.count("\x00")
            line = line.replace("\x00", "")
        return line


def csv_table(
    name: str, open_bytes: Opener, *, encoding: str = "", path: Path | None = None
) -> Table:
    found = detect_encoding(open_bytes, name, encoding)
    codec = found.codec

    def text_stream() -> io.TextIOWrapper:
        return io.TextIOWrapper(open_bytes(), encoding=codec, errors="replace", newline="")

    with text_stream() as stream:
        first_line = stream.readline(FIELD_LIMIT).replace("\x00", "")
    if not first_line.strip():
        raise ImportRefused(_("the file is empty."), file_name=name)
    delimiter = _sniff_delimiter(first_line)

    def reader(lines: Iterator[str]) -> Iterator[list[str]]:
        return csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True)

    with text_stream() as stream:
        try:
            header = _clean_header(next(reader(_Lines(stream))))
        except csv.Error as exc:
            raise ImportRefused(
                _("the header row cannot be read (%(error)s).") % {"error": exc}, file_name=name
            ) from None

    def notes_for(row: list[str], nuls: int) -> list[tuple[str, str, str]]:
        notes = []
        if found.lossy and REPLACED in "".join(row):
            for position, cell in enumerate(row):
                if REPLACED in cell:
                    column = header[position] if position < len(header) else str(position + 1)
                    notes.append(
                        (
                            column,
                            cell[:200],
                            # The replacement character as a placeholder: xgettext does not
                            # read "\u" escapes, so it would not find the message otherwise.
                            _(
                                "some bytes are not valid %(encoding)s and were replaced with "
                                "%(replacement)s"
                            )
                            % {"encoding": found.label, "replacement": REPLACED},
                        )
                    )
        if nuls:
            notes.append(
                (
                    "",
                    "",
                    ngettext(
                        "%(count)s NUL byte was removed from this row",
                        "%(count)s NUL bytes were removed from this row",
                        nuls,
                    )
                    % {"count": nuls},
                )
            )
        return notes

    def rows() -> Iterator[tuple[int, list | UnreadableRow]]:
        with text_stream() as stream:
            lines = _Lines(stream)
            parsed = reader(lines)
            next(parsed)
            join = "".join
            while True:
                before = lines.nuls
                try:
                    row = next(parsed)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield (
                        parsed.line_num,
                        UnreadableRow(
                            _(
                                "this row cannot be read: %(error)s (a field may be over %(limit)s "
                                "MB, or a quote is never closed)"
                            )
                            % {"error": exc, "limit": FIELD_LIMIT // (1024 * 1024)}
                        ),
                    )
                    continue
                # A person counts the header as row 1, so data starts at row 2.
                if row and join(row).strip():
                    nuls = lines.nuls - before
                    if nuls or found.lossy:
                        notes = notes_for(row, nuls)
                        if notes:
                            row = Cells(row)
                            row.notes = notes
                    yield parsed.line_num, row

    @functools.cache
    def count() -> int:
        """Lines after the header: exact unless cells hold line breaks (then a little over).
        Counted once: the plan, the progress and the column path each ask."""
        lines = 0
        if codec.startswith("utf-16"):
            with text_stream() as stream:
                while chunk := stream.read(_SNIFF_BYTES):
                    lines += chunk.count("\n")
                    last = chunk[-1:]
            return max(0, lines + (last != "\n") - 1)
        last = b"\n"
        with open_bytes() as stream:
            while chunk := stream.read(_SNIFF_BYTES):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        return max(0, lines + (last != b"\n") - 1)

    return Table(
        name=name,
        header=header,
        rows=rows,
        count=count,
        encoding=found,
        open_bytes=open_bytes,
        delimiter=delimiter,
        path=path,
    )


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


def tables_from_file(
    path: Path, name: str, *, max_bytes: int, encodings: dict[str, str] | None = None
) -> tuple[list[Table], list[str]]:
    """The tables in an uploaded file, and notes about zip members that were skipped.

    ``encodings`` maps a file name (or "*" for every file) to the codec the admin chose.

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
    encodings = encodings or {}

    def chosen(file_name: str) -> str:
        return encodings.get(file_name) or encodings.get("*", "")

    if kind == "text":
        return [csv_table(name, lambda: path.open("rb"), encoding=chosen(name), path=path)], []
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
        try:
            if member_name.lower().endswith(".xlsx"):
                tables.append(xlsx_table(member_name, open_member))
            else:
                tables.append(csv_table(member_name, open_member, encoding=chosen(member_name)))
        except ImportRefused as refusal:
            # One unreadable file among hundreds of objects does not refuse the export.
            tables.append(_unreadable(member_name, refusal))
    if not tables:
        raise ImportRefused(_("the .zip holds no CSV or XLSX files."), file_name=name)
    return tables, skipped
