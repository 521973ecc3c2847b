"""The one way an amount is written: symbol from the code, the language's grouping, a true minus."""

import pytest
from django.core.checks.registry import registry
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from config.checks import currency_is_iso_4217
from config.money import (
    currency_code_error,
    format_money,
    format_money_short,
    format_number,
    organisation_currency,
    plotly_money_axis,
)


@override_settings(RELAY_CURRENCY="USD")
def test_amount_in_the_organisation_currency_has_its_symbol_and_grouping():
    with translation.override("en"):
        assert format_money(1234567.4) == "$1,234,567"
        assert format_money("2500.50", decimals=None) == "$2,500.50"


@override_settings(RELAY_CURRENCY="CNY")
def test_yuan_is_cn_yen_in_english_and_yen_sign_in_chinese():
    with translation.override("en"):
        assert format_money(98000) == "CN¥98,000"
    with translation.override("zh-hans"):
        # Django's Chinese format file sets no grouping; business writing groups by thousands.
        assert format_money(98000) == "¥98,000"
        assert format_money(1500, "USD") == "US$1,500"


@override_settings(RELAY_CURRENCY="EUR")
def test_german_grouping_and_decimal_mark_follow_the_language():
    with translation.override("de"):
        assert format_money(1234567.891, decimals=2) == "€1.234.567,89"


def test_negative_amounts_use_a_minus_sign_and_zero_has_none():
    with translation.override("en"):
        assert format_money(-3833497, "USD") == "\u2212$3,833,497"
        assert format_money(-0.2, "USD") == "$0"
        assert format_money(1200, "USD", sign=True) == "+$1,200"


def test_a_code_without_a_symbol_is_written_before_the_amount_with_a_space():
    with translation.override("en"):
        assert format_money(1200, "chf") == "CHF\u00a01,200"


def test_minor_units_come_from_the_currency_when_asked():
    with translation.override("en"):
        assert format_money(1234.5, "JPY", decimals=None) == "¥1,235"
        assert format_money(1.2345, "KWD", decimals=None) == "KWD\u00a01.235"


def test_nothing_is_written_for_a_missing_or_unreadable_amount():
    assert format_money(None) == ""
    assert format_money("") == ""
    assert format_money("n/a") == ""
    assert format_number(float("nan")) == ""


def test_currency_codes_are_checked_against_iso_4217():
    assert currency_code_error("USD") is None
    assert "three-letter" in currency_code_error("US$")
    assert "not an ISO 4217" in currency_code_error("XYZ")


@override_settings(RELAY_CURRENCY="dollars")
def test_a_bad_organisation_currency_is_a_system_check_error_and_a_clear_exception():
    # The check itself (all of run_checks() would also run the database checks, which need a
    # connection this test has no business opening), and that it is registered to run.
    assert currency_is_iso_4217 in registry.registered_checks
    errors = [message for message in currency_is_iso_4217() if message.id == "relay.E010"]
    assert errors and "RELAY_CURRENCY='dollars'" in errors[0].msg
    with pytest.raises(ImproperlyConfigured, match="RELAY_CURRENCY"):
        organisation_currency()


@override_settings(RELAY_CURRENCY="usd")
def test_the_setting_is_read_case_insensitively():
    assert organisation_currency() == "USD"


@override_settings(RELAY_CURRENCY="EUR")
def test_templates_have_the_money_filter_without_loading_it():
    with translation.override("en"):
        rendered = Template(
            "{{ a|money }} {{ b|money:'USD' }} {{ c|signed_money }} {{ n|number }}"
        ).render(Context({"a": 1500, "b": 99.6, "c": 10, "n": 12345}))
    assert rendered == "€1,500 $100 +€10 12,345"


@override_settings(RELAY_CURRENCY="GBP")
def test_chart_axes_of_amounts_carry_the_symbol():
    with translation.override("en"):
        assert plotly_money_axis() == {"tickprefix": "£", "tickformat": ",.0f"}


@override_settings(RELAY_CURRENCY="CNY")
def test_large_amounts_on_cards_are_short_in_the_languages_units():
    with translation.override("en"):
        assert format_money_short(354_591_000) == "CN¥355M"
        assert format_money_short(1_823_800_000) == "CN¥1.82B"
        assert format_money_short(87_600_000) == "CN¥87.6M"
        assert format_money_short(2_000_000) == "CN¥2M"
        assert format_money_short(950_000) == "CN¥950,000"
        assert format_money_short(-12_500_000, "USD") == "\u2212$12.5M"
    with translation.override("zh-hans"):
        assert format_money_short(354_591_000) == "¥3.55亿"
        assert format_money_short(1_823_800) == "¥182万"
