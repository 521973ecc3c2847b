"""The zh-Hans translation is complete: every string marked in the code (what ``makemessages``
extracts, django and djangojs domains) has a translation in the committed catalog that is not
fuzzy and keeps the msgid's placeholders. Plus the checker itself and the pure-Python compiler.

The extraction runs in a temporary copy of the source, so the committed catalog is never
rewritten by a test run.
"""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from config.translations import (
    catalog_problems,
    compile_catalog,
    compile_catalogs,
    entry_problem,
    placeholders,
    plural_forms_problem,
)
from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "zh_Hans"
CATALOG_DIR = ROOT / "locale" / LANGUAGE / "LC_MESSAGES"
PLURAL_FORMS = "nplurals=1; plural=0;"
# What makemessages reads: the apps, the settings (LANGUAGES), the templates, Relay's own JS.
SOURCES = ["manage.py", "accounts", "retention", "handover", "config", "templates", "static/js"]


def _extract(tmp_path: Path, domain: str) -> polib.POFile | None:
    """What makemessages finds marked for ``domain``, as a fresh (untranslated) catalog."""
    if shutil.which("xgettext") is None or shutil.which("msguniq") is None:
        skip_or_fail("needs GNU gettext (xgettext) for makemessages: apt-get install gettext")
    src = tmp_path / "src"
    for name in SOURCES:
        source = ROOT / name
        target = src / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (src / "locale").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "RELAY_VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": str(src),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", LANGUAGE, "-d", domain, "--no-wrap"],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    produced = src / "locale" / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"
    return polib.pofile(str(produced)) if produced.exists() else None


def _committed(domain: str) -> polib.POFile | None:
    path = CATALOG_DIR / f"{domain}.po"
    return polib.pofile(str(path)) if path.exists() else None


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_marked_string_has_a_complete_zh_hans_translation(tmp_path, domain):
    extracted = _extract(tmp_path, domain)
    if extracted is None or not [e for e in extracted if e.msgid]:
        # Nothing marked in this domain (no JavaScript shows text yet): nothing to translate.
        assert domain == "djangojs", f"makemessages found no {domain} strings at all"
        return
    committed = _committed(domain)
    problems = catalog_problems(extracted, committed)
    header = [] if committed is None else [plural_forms_problem(committed, PLURAL_FORMS)]
    lines = [p for p in header if p] + [str(p) for p in problems]
    missing_file = "" if committed else f" (no {CATALOG_DIR.relative_to(ROOT)}/{domain}.po)"
    if lines:
        pytest.fail(
            f"{len(problems)} of {len(extracted)} marked {domain} strings are not translated "
            f"into {LANGUAGE}{missing_file}:\n" + "\n".join(lines),
            pytrace=False,
        )


def test_every_committed_catalog_compiles_and_django_reads_it(tmp_path):
    """Each committed catalog compiles with the pure-Python compiler into a file gettext reads
    (what make install, the Docker image and the test run do)."""
    for po_path in sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")):
        copy = tmp_path / po_path.name
        shutil.copy2(po_path, copy)
        mo = compile_catalog(copy)
        with mo.open("rb") as handle:
            gettext.GNUTranslations(handle)


# --- the checker and the compiler on small hand-built catalogs -------------------------------


def _catalog(*entries: polib.POEntry) -> polib.POFile:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": PLURAL_FORMS}
    for entry in entries:
        po.append(entry)
    return po


def test_the_check_lists_missing_untranslated_fuzzy_and_placeholder_problems():
    extracted = _catalog(
        polib.POEntry(msgid="Reps", occurrences=[("templates/base.html", "20")]),
        polib.POEntry(msgid="Alerts"),
        polib.POEntry(msgid="Coverage"),
        polib.POEntry(msgid="Dashboard"),
        polib.POEntry(msgid="%(rep)s is now at high risk (%(p).0f%%)."),
        polib.POEntry(msgid="{count} new gaps"),
        polib.POEntry(msgid="%(n)s rep", msgid_plural="%(n)s reps"),
        polib.POEntry(msgid="May", msgctxt="month"),
    )
    committed = _catalog(
        polib.POEntry(msgid="Alerts", msgstr=""),
        polib.POEntry(msgid="Coverage", msgstr="覆盖情况", flags=["fuzzy"]),
        polib.POEntry(msgid="Dashboard", msgstr="仪表盘"),
        polib.POEntry(
            msgid="%(rep)s is now at high risk (%(p).0f%%).", msgstr="%(name)s 现为高风险。"
        ),
        polib.POEntry(msgid="{count} new gaps", msgstr="{count} 个新缺口"),
        polib.POEntry(
            msgid="%(n)s rep", msgid_plural="%(n)s reps", msgstr_plural={0: "%(n)s 位销售"}
        ),
        polib.POEntry(msgid="May", msgstr="五月"),  # no context: not the same message
    )
    problems = {p.msgid: p.what for p in catalog_problems(extracted, committed)}
    assert problems == {
        "Reps": "missing",
        "Alerts": "untranslated",
        "Coverage": "fuzzy",
        "%(rep)s is now at high risk (%(p).0f%%).": (
            "placeholders differ: missing %(p).0f %(rep)s; unknown %(name)s"
        ),
        "May": "missing",
    }
    listed = "\n".join(str(p) for p in catalog_problems(extracted, committed))
    assert "missing: 'Reps'  [templates/base.html:20]" in listed


def test_a_plural_needs_every_form_with_the_plural_placeholders():
    entry = polib.POEntry(msgid="one rep", msgid_plural="%(n)s reps", msgstr_plural={0: "一位销售"})
    assert entry_problem(entry) == "placeholders differ: missing %(n)s"
    entry.msgstr_plural = {0: ""}
    assert entry_problem(entry) == "untranslated"
    entry.msgstr_plural = {0: "%(n)s 位销售"}
    assert entry_problem(entry) is None


def test_placeholders_are_read_as_python_formats_them():
    assert placeholders("%(rep)s: %(p).0f%% and %s") == {"%(rep)s": 1, "%(p).0f": 1, "%s": 1}
    assert placeholders("{name} {{literal}} {0!r}") == {"{name}": 1, "{0!r}": 1}
    assert placeholders("50% done, 100%% sure") == {}


def test_the_header_must_say_one_plural_form():
    assert plural_forms_problem(_catalog(), PLURAL_FORMS) is None
    two = _catalog()
    two.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    assert "expected" in plural_forms_problem(two, PLURAL_FORMS)


def test_compiling_skips_fresh_catalogs_and_writes_what_gettext_reads(tmp_path):
    messages = tmp_path / "zh_Hans" / "LC_MESSAGES"
    (messages / "parts").mkdir(parents=True)
    catalog = _catalog(
        polib.POEntry(msgid="Reps", msgstr="销售"),
        polib.POEntry(msgid="Guess", msgstr="猜测", flags=["fuzzy"]),
    )
    catalog.save(str(messages / "django.po"))
    catalog.save(str(messages / "parts" / "area.po"))  # work in progress: not compiled
    assert compile_catalogs(tmp_path) == [messages / "django.mo"]
    assert compile_catalogs(tmp_path) == []  # up to date
    with (messages / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.gettext("Reps") == "销售"
    assert compiled.gettext("Guess") == "Guess"  # a fuzzy guess is not shown
    assert not (messages / "parts" / "area.mo").exists()


def test_django_s_own_blank_choice_reads_in_chinese_from_relay_s_catalog():
    """Django 6's "- Select an option -" has no zh_Hans entry in Django's catalog; Relay's
    carries it (config/django_strings.py), so an optional select on a Chinese form is Chinese."""
    from django.db.models.fields import BLANK_CHOICE_LABEL
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"
    with translation.override("en"):
        assert str(BLANK_CHOICE_LABEL) == "- Select an option -"
