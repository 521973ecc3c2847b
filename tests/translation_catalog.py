"""A small real zh_Hans catalog for tests that must see text change language.

The product's translation is written in ``locale/``; a test of the language *machinery* (an
e-mail rendered in its recipient's language, a page in the user's) must not depend on how far
that translation has got, so it compiles its own few messages into a temporary locale folder
placed first in ``LOCALE_PATHS`` (Django resets its translation caches when that setting
changes). Nothing is mocked: Django's gettext reads the compiled file.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polib
from django.conf import settings
from django.test import override_settings

from config.translations import compile_catalog


@contextmanager
def zh_hans_catalog(folder: Path, messages: dict[str | tuple, str]) -> Iterator[None]:
    """``messages`` maps a msgid to its msgstr; a key ``(context, msgid)`` gives a context and
    ``(context, msgid, msgid_plural)`` a plural (context None for none); Chinese has one form."""
    po = polib.POFile()
    po.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": "zh_Hans",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    for key, msgstr in messages.items():
        if isinstance(key, str):
            po.append(polib.POEntry(msgid=key, msgstr=msgstr))
            continue
        context, msgid, *plural = key
        entry = polib.POEntry(msgctxt=context, msgid=msgid)
        if plural:
            entry.msgid_plural = plural[0]
            entry.msgstr_plural = {0: msgstr}
        else:
            entry.msgstr = msgstr
        po.append(entry)
    catalog_dir = folder / "zh_Hans" / "LC_MESSAGES"
    catalog_dir.mkdir(parents=True, exist_ok=True)
    po.save(str(catalog_dir / "django.po"))
    compile_catalog(catalog_dir / "django.po")
    with override_settings(LOCALE_PATHS=[folder, *settings.LOCALE_PATHS]):
        yield
