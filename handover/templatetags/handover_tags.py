"""Template tags that let other apps' pages show handover figures without importing handover.

``retention`` must not import ``handover``; its templates may still load this library:
``{% load handover_tags %}{% coverage_counts as counts %}`` or
``{% rep_single_threaded_share rep as share %}``.
"""

from django import template
from django.utils import timezone

from handover.plans.coverage import coverage_counts as _coverage_counts
from handover.plans.coverage import rep_single_threaded_share as _rep_share

register = template.Library()


@register.simple_tag(takes_context=True)
def coverage_counts(context) -> dict[str, int]:
    """Coverage gaps per kind in the requesting user's scope."""
    return _coverage_counts(user=context["request"].user, today=timezone.localdate())


@register.simple_tag
def rep_single_threaded_share(rep) -> dict:
    """Key-account revenue the rep holds, how much of it is single-threaded, and the share."""
    return _rep_share(rep=rep)
