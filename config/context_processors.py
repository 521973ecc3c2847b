from django.http import HttpRequest
from django.utils import translation

from config.background import broker_available
from config.money import plotly_separators

# plotly.js locales Relay serves (static/vendor/README.md), by Django language code: plotly's
# name for it and its file. English is plotly's built-in.
PLOTLY_LOCALES = {"zh-hans": ("zh-CN", "vendor/plotly-locale-zh-cn.js")}


def background_status(request: HttpRequest) -> dict:
    """``background_paused`` for the banner every page shows while the queue is unreachable."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"background_paused": not broker_available()}


def chart_locale(request: HttpRequest) -> dict:
    """The page language's plotly locale (month names, the modebar's tips) and separators,
    which base.html hands to static/js/charts.js."""
    locale, script = PLOTLY_LOCALES.get(translation.get_language() or "", ("en", None))
    return {
        "plotly_locale": locale,
        "plotly_locale_script": script,
        "plotly_separators": plotly_separators(),
    }
