"""System checks for a deployment: a problem that would otherwise be a 500 on every page is a
clear error at start-up (``manage.py check``, ``runserver``, ``migrate`` and the WSGI server)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


def _manifest_path() -> Path | None:
    """The static files manifest the storage reads, or None when the storage keeps none."""
    backend = settings.STORAGES.get("staticfiles", {}).get("BACKEND", "")
    try:
        storage_class = import_string(backend)
    except ImportError:
        return None
    name = getattr(storage_class, "manifest_name", None)
    if not name or not getattr(storage_class, "manifest_strict", True):
        return None
    return Path(settings.STATIC_ROOT) / name


@register()  # not tagged "staticfiles", which collectstatic itself runs
def static_files_collected(app_configs=None, **kwargs) -> list[Error]:
    """With DEBUG off, pages link hashed static file names from the manifest that collectstatic
    writes; without it every page would be a 500."""
    if settings.DEBUG:
        return []
    manifest = _manifest_path()
    if manifest is None or manifest.exists():
        return []
    return [
        Error(
            _(
                "The static files are not collected: %(manifest)s is missing, so every page "
                "would fail with DEBUG off."
            )
            % {"manifest": manifest},
            hint=_(
                "Run `python manage.py collectstatic --noinput` (STATIC_ROOT is where they go), "
                "or set DEBUG=true for development."
            ),
            id="relay.E001",
        )
    ]


@register()
def currency_is_iso_4217(app_configs=None, **kwargs) -> list[Error]:
    """Every amount is written with RELAY_CURRENCY: a typo must stop start-up, not every page."""
    from config.money import currency_code_error, normalise_currency

    error = currency_code_error(normalise_currency(settings.RELAY_CURRENCY))
    if error is None:
        return []
    return [
        Error(
            _("RELAY_CURRENCY=%(value)s: %(error)s.")
            % {"value": repr(settings.RELAY_CURRENCY), "error": error},
            hint=_("Set RELAY_CURRENCY to the organisation's currency, e.g. CNY, USD or EUR."),
            id="relay.E010",
        )
    ]


def fail_fast_on_start() -> None:
    """Called by the WSGI entry point, where Django runs no system checks: refuse to serve when
    a check that would make every page fail does."""
    errors = static_files_collected() + currency_is_iso_4217()
    if errors:
        raise ImproperlyConfigured(f"{errors[0].msg} {errors[0].hint}")
