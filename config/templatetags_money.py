"""The ``money``, ``number`` and ``chance`` filters, built into every template (settings
``builtins``).

``{{ amount|money }}`` writes an amount in the organisation's currency, ``{{ amount|money:code }}``
in another (a deal stored in USD), ``{{ change|signed_money }}`` with ``+`` before a gain;
``{{ count|number }}`` a plain grouped number, ``{{ amount|money_short }}`` a large amount in
millions or billions (万 and 亿 in Chinese) for a figure on a card. All are ``config.money``'s
functions. ``{{ probability|chance }}`` writes a chance of leaving as pages show it ("37%",
">99%", "<1%"), and ``{{ probability|chance_in_100 }}`` its "about N in 100": ``config.chance``.
"""

from django import template

from config.chance import chance_in_100, format_chance
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


@register.filter(name="chance")
def chance(value: float | None) -> str:
    return format_chance(value)


@register.filter(name="chance_in_100")
def chance_in_100_filter(value: float | None) -> int | None:
    return chance_in_100(value)
