"""Which language Relay speaks to a person: the one rule, used by pages, the API and e-mails.

Precedence: the language the user saved (their preferences, or the header switcher), else the
browser's ``Accept-Language`` (Django's ``LocaleMiddleware`` reads it, after the language cookie
an anonymous visitor's switcher sets), else ``LANGUAGE_CODE``, the organisation's default. An
e-mail has no browser, so it goes in the recipient's saved language or the organisation's.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation

if TYPE_CHECKING:
    from accounts.models import User


def language_codes() -> list[str]:
    """The languages Relay is offered in (``settings.LANGUAGES``), as codes."""
    return [code for code, _name in settings.LANGUAGES]


def language_choices() -> list[tuple[str, str]]:
    """Each language named in itself (English, 简体中文), so anyone finds their own."""
    return [(code, translation.get_language_info(code)["name_local"]) for code in language_codes()]


def language_is_offered(code: str) -> bool:
    return code in language_codes()


def user_saved_language(user: User | None) -> str | None:
    """The language the user chose, or None when they follow the browser (or are anonymous,
    or saved a language Relay no longer offers)."""
    code = getattr(user, "language", "") if user is not None else ""
    return code if code and language_is_offered(code) else None


def organisation_language() -> str:
    """The organisation's default language: ``LANGUAGE_CODE`` (env var of the same name)."""
    return settings.LANGUAGE_CODE


def user_language(user: User | None) -> str:
    """The language to write to ``user`` in where there is no browser to ask (an e-mail)."""
    return user_saved_language(user) or organisation_language()


def in_language_of(user: User | None) -> AbstractContextManager:
    """``with in_language_of(user):`` renders text in the user's language."""
    return translation.override(user_language(user))


def users_by_language(users: Iterable[User]) -> dict[str, list[User]]:
    """``users`` grouped by the language to write to them in, for one message per language."""
    groups: dict[str, list[User]] = {}
    for user in users:
        groups.setdefault(user_language(user), []).append(user)
    return groups
