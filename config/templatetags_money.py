"""The ``money`` and ``number`` filters, built into every template (settings ``builtins``).

``{{ amount|money }}`` writes an amount in the organisation's currency, ``{{ amount|money:code }}``
in another (a deal stored in USD), ``{{ change|signed_money }}`` with ``+`` before a gain;
``{{ count|number }}`` a plain grouped number, ``{{ amount|money_short }}`` a large amount in
millions or billions (万 and 亿 in Chinese) for a figure on a card. All are ``config.money``'s
functions.
"""

from django import template

from config.money import currency_symbol, format_money, format_money_short, format_number

register = template.Library()


@register.filter(name="money")
def money(value: object, currency: str | None = None) -> str:
    return format_money(value, currency or None)


@register.filter(name="money_short")
def money_short(value: object, currency: str | None = None) -> str:
    return format_money_short(value, currency or None)


@register.filter(name="signed_money")
def signed_money(value: object, currency: str | None = None) -> str:
    return format_money(value, currency or None, sign=True)


@register.filter(name="number")
def number(value: object, decimals: int = 0) -> str:
    return format_number(value, int(decimals))


@register.simple_tag(name="currency_symbol")
def currency_symbol_tag(currency: str | None = None) -> str:
    return currency_symbol(currency or None)
