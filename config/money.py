"""Money: the organisation's currency and the one way Relay writes an amount.

Every amount a person reads — on a page, in a chart's hover or axis, in an export's header —
goes through ``format_money`` (the ``money`` template filter is the same function), so the
symbol, the grouping and the sign agree everywhere. The organisation's currency is the setting
``RELAY_CURRENCY`` (an ISO 4217 code, default ``CNY``); an amount stored with another code (a
Salesforce row whose ``CurrencyIsoCode`` differs) is written with its own code and never
silently added to the organisation's.

Grouping and the decimal mark follow the active language through Django's format files
(``django.utils.formats``); a language whose format file writes no thousands mark (Chinese)
groups by thousands with a comma, as its business writing does.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, numberformat, translation
from django.utils.translation import gettext as _


def _codes(text: str) -> list[str]:
    return text.split()


# Active ISO 4217 codes (2026). Minor units are 2 unless listed in _MINOR_UNITS.
ISO_4217 = frozenset(
    _codes("""
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN
    BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
    FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU
    MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON
    RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP
    TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER
    ZAR ZMW ZWG
    """)
)
_MINOR_UNITS = {
    **dict.fromkeys(
        _codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"), 0
    ),
    **dict.fromkeys(_codes("BHD IQD JOD KWD LYD OMR TND"), 3),
    **dict.fromkeys(_codes("CLF UYW"), 4),
}
# Symbols as CLDR's English data writes them; a code not listed is written as the code.
_SYMBOLS = {
    "AUD": "A$",
    "BRL": "R$",
    "CAD": "CA$",
    "CNY": "CN¥",
    "EUR": "€",
    "GBP": "£",
    "HKD": "HK$",
    "ILS": "₪",
    "INR": "₹",
    "JPY": "¥",
    "KRW": "₩",
    "MXN": "MX$",
    "NZD": "NZ$",
    "PHP": "₱",
    "TWD": "NT$",
    "USD": "$",
    "VND": "₫",
    "XAF": "FCFA",
    "XCD": "EC$",
    "XOF": "F\u202fCFA",
}
# Where a language writes a currency differently (CLDR's zh data: ¥ is the yuan there).
_SYMBOLS_BY_LANGUAGE = {
    "zh-hans": {"CNY": "¥", "JPY": "JP¥", "USD": "US$"},
}
MINUS = "\u2212"
_CODE = re.compile(r"^[A-Z]{3}$")


def currency_code_error(code: str) -> str | None:
    """Why ``code`` is not an ISO 4217 currency code, or None when it is one."""
    if not _CODE.match(code):
        return _("must be a three-letter ISO 4217 code such as CNY, USD or EUR")
    if code not in ISO_4217:
        return _("%(code)s is not an ISO 4217 currency code") % {"code": code}
    return None


def normalise_currency(value: object) -> str:
    """A currency code as files write it (`` usd ``) in the stored form (``USD``)."""
    return str(value or "").strip().upper()


def organisation_currency() -> str:
    """The organisation's currency: ``RELAY_CURRENCY``, checked when read (so a test's
    ``override_settings`` takes effect) and by the system check ``relay.E010`` at start-up."""
    code = normalise_currency(settings.RELAY_CURRENCY)
    error = currency_code_error(code)
    if error:
        raise ImproperlyConfigured(f"RELAY_CURRENCY={settings.RELAY_CURRENCY!r}: {error}.")
    return code


def minor_units(code: str) -> int:
    return _MINOR_UNITS.get(code, 2)


def currency_symbol(code: str | None = None) -> str:
    """The symbol a reader in the active language knows ``code`` by (the code itself when
    there is no common symbol, as for CHF or SEK)."""
    code = normalise_currency(code) or organisation_currency()
    language = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    return _SYMBOLS_BY_LANGUAGE.get(language, {}).get(code) or _SYMBOLS.get(code, code)


def _grouping() -> tuple[int | tuple, str]:
    """The active language's grouping and thousands mark. Django's Chinese format file writes
    no thousands mark (grouping by 4 with ""), while Chinese business and finance pages write
    amounts as 1,234,567: a language with no mark groups by thousands with a comma."""
    separator = formats.get_format("THOUSAND_SEPARATOR")
    if not separator:
        return 3, ","
    return formats.get_format("NUMBER_GROUPING") or 3, separator


def format_number(value: object, decimals: int = 0) -> str:
    """A plain number with the active language's grouping and decimal mark, and a true minus
    sign: ``1234567.8`` → ``1,234,568``. Empty for None or a value that is not a number."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    if not number.is_finite():
        return ""
    # Half up, as invoices round (Python's round() would write 1,234.5 as 1,234).
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    negative = number < 0
    grouping, separator = _grouping()
    text = numberformat.format(
        abs(number),
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=decimals,
        grouping=grouping,
        thousand_sep=separator,
        force_grouping=True,
    )
    return f"{MINUS}{text}" if negative else text


def format_money(
    value: object, currency: str | None = None, *, decimals: int | None = 0, sign: bool = False
) -> str:
    """An amount with its currency's symbol: ``format_money(1234567)`` → ``CN¥1,234,567``
    (``¥1,234,567`` in Chinese), ``format_money(-50, "EUR")`` → ``−€50``, ``CHF 1,200``.

    ``currency`` defaults to the organisation's; ``decimals`` to whole units, which is what
    every page shows (``None``: the currency's minor units). ``sign=True`` writes ``+`` before
    a positive amount, for changes. Empty for None or a value that is not a number.
    """
    code = normalise_currency(currency) or organisation_currency()
    places = minor_units(code) if decimals is None else decimals
    number = format_number(value, places)
    if not number:
        return ""
    negative = number.startswith(MINUS)
    digits = number.removeprefix(MINUS)
    symbol = currency_symbol(code)
    # A symbol that ends in a letter (CHF, FCFA) needs a space before the digits.
    joined = f"{symbol}\u00a0{digits}" if symbol[-1].isalpha() else f"{symbol}{digits}"
    if negative and digits.strip("0.,\u00a0 ") != "":
        return f"{MINUS}{joined}"
    if sign and not negative and digits.strip("0.,\u00a0 ") != "":
        return f"+{joined}"
    return joined


# Units a large amount is written in where space is short (a dashboard figure), by language.
_SHORT_UNITS = {
    "zh-hans": ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万")),
}
_SHORT_UNITS_DEFAULT = ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))


def format_money_short(value: object, currency: str | None = None) -> str:
    """A large amount in three significant digits with the language's unit, for a figure that
    must fit a card: ``CN¥355M``, ``CN¥1.82B`` (``¥3.55亿`` in Chinese). Below the smallest unit
    it is ``format_money``'s. Pages give the full amount beside it (a ``title``)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    if not number.is_finite():
        return ""
    language = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    for size, unit in _SHORT_UNITS.get(language, _SHORT_UNITS_DEFAULT):
        if abs(number) >= size:
            scaled = number / size
            digits = 0 if abs(scaled) >= 100 else 1 if abs(scaled) >= 10 else 2
            text = format_money(scaled, currency, decimals=digits)
            if digits and "." in text:
                text = text.rstrip("0").rstrip(".")
            return f"{text}{unit}"
    return format_money(number, currency)


def spreadsheet_money_format(currency: str | None = None) -> str:
    """An Excel number format that shows an amount with its symbol and grouped thousands while
    the cell stays a number (``"CN¥"#,##0``): spreadsheets sum it, people read it."""
    symbol = currency_symbol(currency).replace('"', "")
    spacer = " " if symbol[-1].isalpha() else ""
    return f'"{symbol}{spacer}"#,##0;"{MINUS}{symbol}{spacer}"#,##0'


def plotly_money_axis(currency: str | None = None) -> dict:
    """Axis settings for a plotly axis of amounts: the symbol before each tick, grouped
    thousands. The figure's ``separators`` (``plotly_separators()``) set the marks."""
    symbol = currency_symbol(currency)
    return {
        "tickprefix": f"{symbol}\u00a0" if symbol[-1].isalpha() else symbol,
        "tickformat": ",.0f",
    }


def plotly_separators() -> str:
    """plotly's ``layout.separators``: the decimal mark then the thousands mark."""
    return f"{formats.get_format('DECIMAL_SEPARATOR')}{_grouping()[1]}"
