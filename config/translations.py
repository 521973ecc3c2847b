"""Relay's translation catalogs: compiling them without GNU gettext, and checking them.

``locale/<lang>/LC_MESSAGES/<domain>.po`` is the source, committed; the ``.mo`` Django reads is
built from it with polib (pure Python, so a bare machine needs no gettext): by ``make install``,
by the Docker image, and by the test run. It is not committed, so a merge of translations never
conflicts on a binary file and can never leave a stale one. A ``parts/``
folder beside it (work in progress, if any) is never compiled.

``python -m config.translations`` compiles every catalog whose ``.mo`` is missing or older.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"

# printf-style placeholders as Python's % operator reads them (%(name)s, %s, %.0f); %% is text.
_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]+)\))?[-#0+]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]"
)
# str.format placeholders: {name}, {0}, {name!r:>10}; {{ and }} are text.
_BRACE = re.compile(
    r"(?<!\{)\{(?P<field>[A-Za-z_][A-Za-z0-9_.]*|\d*)(?:![rsa])?(?::[^{}]*)?\}(?!\})"
)


def catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The compiled catalogs' sources: ``<lang>/LC_MESSAGES/<domain>.po`` (not ``parts/``)."""
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def compile_catalog(po_path: Path) -> Path:
    mo_path = po_path.with_suffix(".mo")
    # Fuzzy entries are left out, as msgfmt does: a guess is not shown to anyone.
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    return mo_path


def compile_catalogs(locale_dir: Path = LOCALE_DIR, *, only_stale: bool = True) -> list[Path]:
    """Compile each catalog (those whose ``.mo`` is missing or older, by default)."""
    written = []
    for po_path in catalogs(locale_dir):
        mo_path = po_path.with_suffix(".mo")
        if only_stale and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        written.append(compile_catalog(po_path))
    return written


def placeholders(text: str) -> Counter:
    """The placeholders in a message, as a multiset: ``%(rep)s``, ``%s``, ``{name}``."""
    found: Counter = Counter()
    for match in _PERCENT.finditer(text):
        if match.group(0) != "%%":
            found[match.group(0)] += 1
    for match in _BRACE.finditer(text):
        found[match.group(0)] += 1
    return found


@dataclass(frozen=True)
class Problem:
    msgid: str
    what: str  # "missing", "untranslated", "fuzzy" or "placeholders differ: …"
    where: str = ""  # the source lines makemessages found it on

    def __str__(self) -> str:
        where = f"  [{self.where}]" if self.where else ""
        return f"{self.what}: {self.msgid!r}{where}"


def _key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def _where(entry: polib.POEntry) -> str:
    return ", ".join(f"{path}:{line}" if line else path for path, line in entry.occurrences[:3])


def entry_problem(entry: polib.POEntry) -> str | None:
    """Why one translated entry cannot be shown, or None when it is complete."""
    if entry.obsolete:
        return None
    if "fuzzy" in entry.flags:
        return "fuzzy"
    if entry.msgid_plural:
        forms = [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
        if not forms or not all(form.strip() for form in forms):
            return "untranslated"
        expected = placeholders(entry.msgid_plural)
        for form in forms:
            if placeholders(form) != expected:
                return _differ(expected, placeholders(form))
        return None
    if not entry.msgstr.strip():
        return "untranslated"
    expected, got = placeholders(entry.msgid), placeholders(entry.msgstr)
    if expected != got:
        return _differ(expected, got)
    return None


def _differ(expected: Counter, got: Counter) -> str:
    missing = sorted((expected - got).elements())
    extra = sorted((got - expected).elements())
    parts = []
    if missing:
        parts.append(f"missing {' '.join(missing)}")
    if extra:
        parts.append(f"unknown {' '.join(extra)}")
    return "placeholders differ: " + "; ".join(parts)


def catalog_problems(extracted: polib.POFile, committed: polib.POFile | None) -> list[Problem]:
    """Every message ``extracted`` (what makemessages finds marked in the code) that
    ``committed`` (the translation) does not translate completely, in extraction order."""
    translated = {} if committed is None else {_key(e): e for e in committed if not e.obsolete}
    problems = []
    for entry in extracted:
        if entry.obsolete or not entry.msgid:
            continue
        found = translated.get(_key(entry))
        if found is None:
            problems.append(Problem(entry.msgid, "missing", _where(entry)))
            continue
        what = entry_problem(found)
        if what:
            problems.append(Problem(entry.msgid, what, _where(entry)))
    return problems


def plural_forms_problem(committed: polib.POFile, expected: str) -> str | None:
    found = committed.metadata.get("Plural-Forms", "").strip().rstrip(";").replace(" ", "")
    if found != expected.strip().rstrip(";").replace(" ", ""):
        return f"Plural-Forms is {committed.metadata.get('Plural-Forms')!r}, expected {expected!r}"
    return None


def main() -> int:
    written = compile_catalogs(only_stale="--all" not in sys.argv[1:])
    for path in written:
        print(f"compiled {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
