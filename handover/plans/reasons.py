"""A plan item's reasons worded in the reader's language, from what they are made of.

An item stores its reasons as data (``importance_reason_data``, ``suggestion_reason_data``:
``{"code": ..., "params": {...}}``) beside the text written when it was drafted, in whatever
language was active then. Pages, the API, exports and e-mails read them through here, so a
plan drafted in English reads in Chinese for a zh-hans reader. Each wording keeps its one home:
the importance in ``handover.plans.suggestions``, a recipient's reason in the ownership policy,
a successor's in the plan service. Items drafted before the data was kept show their text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handover.plans.suggestions import importance_text
from retention.ownership.policy import reason_text
from retention.ownership.selectors import role_label

if TYPE_CHECKING:
    from handover.models import HandoverItem

SUCCESSOR = "successor"  # a successor's plan: "X was hired to succeed Y."


def item_importance_reason(item: HandoverItem) -> str:
    data = item.importance_reason_data
    if not data:
        return item.importance_reason
    try:
        return importance_text(data)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return item.importance_reason  # data this version cannot read: the text as drafted


def item_suggestion_reason(item: HandoverItem) -> str:
    data = item.suggestion_reason_data
    if not data:
        return item.suggestion_reason
    try:
        if data.get("code") == SUCCESSOR:
            from handover.plans.services import successor_reason_text

            return successor_reason_text(data["params"])
        return reason_text(data, role_label=role_label)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return item.suggestion_reason  # data this version cannot read: the text as drafted

