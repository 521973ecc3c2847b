"""Dates, numbers, money and charts follow the active language: zh-Hans writes 2026年12月1日,
groups by thousands with a comma, writes the yuan as ¥ and large amounts in 万/亿, and charts get
plotly's zh-CN locale (served from static/vendor, no CDN) and the same separators."""

import datetime as dt
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

from accounts.services import user_language_set
from config.money import format_money, format_money_short, format_number, plotly_separators

ROOT = Path(__file__).resolve().parent.parent.parent
DAY = dt.date(2026, 12, 1)


def test_chinese_dates_numbers_and_money():
    with translation.override("zh-hans"):
        assert formats.date_format(DAY) == "2026年12月1日"
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == "2026年12月1日"
        assert formats.date_format(DAY, "MONTH_DAY_FORMAT") == "12月1日"
        assert formats.date_format(dt.date(2026, 9, 5), "MONTH_DAY_FORMAT") == "9月5日"
        assert formats.date_format(DAY, "YEAR_MONTH_FORMAT") == "2026年12月"
        assert formats.number_format(1234567, force_grouping=True) == "1,234,567"
        assert format_number(1234567.8) == "1,234,568"
        assert format_money(1234567) == "¥1,234,567"
        assert format_money_short(355_000_000) == "¥3.55亿"
        assert format_money_short(82_000) == "¥8.2万"
        assert plotly_separators() == ".,"
        rendered = Template("{{ day }} {{ n|floatformat:'2g' }}").render(
            Context({"day": DAY, "n": 1234567.891})
        )
        assert rendered == "2026年12月1日 1,234,567.89"


def test_english_is_unchanged():
    with translation.override("en"):
        assert formats.date_format(DAY) == "Dec. 1, 2026"
        assert format_money(1234567) == "CN¥1,234,567"
        assert format_money_short(355_000_000) == "CN¥355M"


def test_the_plotly_locale_is_vendored_and_registers_itself():
    locale = (ROOT / "static" / "vendor" / "plotly-locale-zh-cn.js").read_text()
    assert 'name:"zh-CN"' in locale
    assert "window.PlotlyLocales" in locale and "Plotly.register(locale)" in locale
    readme = (ROOT / "static" / "vendor" / "README.md").read_text()
    assert "plotly-locale-zh-cn.js" in readme and "MIT" in readme
    charts = (ROOT / "static" / "js" / "charts.js").read_text()
    assert "locale: page.plotlyLocale" in charts and "page.plotlySeparators" in charts


@pytest.mark.django_db
def test_a_chinese_page_loads_the_locale_and_hands_it_to_the_charts(client, manager_a):
    client.force_login(manager_a)
    english = client.get(reverse("preferences")).content.decode()
    assert 'data-plotly-locale="en"' in english
    assert "plotly-locale-zh-cn.js" not in english
    user_language_set(user=manager_a, language="zh-hans")
    chinese = client.get(reverse("preferences")).content.decode()
    assert 'data-plotly-locale="zh-CN" data-plotly-separators=".,"' in chinese
    locale_at = chinese.index("vendor/plotly-locale-zh-cn.js")
    assert "//" not in chinese[chinese.rindex('src="', 0, locale_at) : locale_at]  # no CDN
    assert client.get("/static/vendor/plotly-locale-zh-cn.js").status_code == 200


@pytest.mark.django_db
def test_the_javascript_catalog_is_served_from_relay_itself(client):
    answer = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert "django.gettext" in answer.content.decode()
    again = client.get(
        reverse("javascript-catalog"), HTTP_IF_MODIFIED_SINCE=answer["Last-Modified"]
    )
    assert again.status_code == 304
