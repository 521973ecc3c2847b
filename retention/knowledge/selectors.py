"""Reads of what is known about a customer: the current version, the history, and suggestions
drawn from Relay's own data for the parts nobody has written yet."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from retention import people
from retention.models import Customer, CustomerKnowledge, Deal, ServiceRecord

PARTS = CustomerKnowledge.PARTS


def part_labels() -> dict[str, str]:
    """Each part's name for people, from the model's field labels (one wording)."""
    return {
        part: str(CustomerKnowledge._meta.get_field(part).verbose_name).capitalize()
        for part in PARTS
    }


def knowledge_current_for(*, customer_ids: Iterable[int]) -> dict[int, CustomerKnowledge]:
    """The latest version for each of these customers that has one (one query)."""
    ids = list(set(customer_ids))
    if not ids:
        return {}
    latest = (
        CustomerKnowledge.objects.filter(customer=OuterRef("customer"))
        .order_by("-version")
        .values("version")[:1]
    )
    rows = CustomerKnowledge.objects.select_related("author").filter(
        customer_id__in=ids, version=Subquery(latest)
    )
    return {row.customer_id: row for row in rows}


def knowledge_current(*, customer: Customer) -> CustomerKnowledge | None:
    return (
        CustomerKnowledge.objects.select_related("author")
        .filter(customer=customer)
        .order_by("-version")
        .first()
    )


def knowledge_history(*, customer: Customer) -> QuerySet[CustomerKnowledge]:
    """Every version, newest first. The caller has fetched the customer in scope."""
    return (
        CustomerKnowledge.objects.select_related("author")
        .filter(customer=customer)
        .order_by("-version")
    )


@dataclass
class Version:
    """A version as pages and the API show it: its author worded for the viewer, and which
    parts it changed from the version before."""

    row: CustomerKnowledge
    author_label: str
    author_id: int | None  # None when the viewer may not see the author named
    changed: list[str] = field(default_factory=list)

    @property
    def changed_labels(self) -> list[str]:
        labels = part_labels()
        return [labels[part] for part in self.changed]

    @property
    def parts(self) -> list[tuple[str, str, str]]:
        """(part, label, text) in the order pages show them."""
        labels = part_labels()
        return [(part, labels[part], getattr(self.row, part)) for part in PARTS]


def versions_for_viewer(
    *, viewer: User, rows: list[CustomerKnowledge], previous: CustomerKnowledge | None = None
) -> list[Version]:
    """``rows`` newest first; ``previous`` is the version just older than the last row (for a
    page of the history), so its changes are known too."""
    if not rows:
        return []
    labels = people.user_labels(viewer=viewer, people=[r.author for r in rows])
    out = []
    older = [*rows[1:], previous]
    for row, before in zip(rows, older, strict=True):
        changed = [
            part
            for part in PARTS
            if getattr(row, part) != (getattr(before, part) if before is not None else "")
        ]
        label = labels.get(row.author_id, "") if row.author_id else _("Relay")
        shown = row.author_id if label and label != people.unnamed_user() else None
        out.append(Version(row=row, author_label=label, author_id=shown, changed=changed))
    return out


def version_before(*, row: CustomerKnowledge) -> CustomerKnowledge | None:
    return (
        CustomerKnowledge.objects.filter(customer_id=row.customer_id, version__lt=row.version)
        .order_by("-version")
        .first()
    )


def knowledge_suggestions(
    *, customer_ids: Iterable[int], today: dt.date
) -> dict[int, dict[str, str]]:
    """What Relay's own records say, as a starting point for parts nobody has written: open
    deals for the next steps, deals past their close date and recent complaints for the open
    issues. A person checks them before they count."""
    ids = list(set(customer_ids))
    if not ids:
        return {}
    deal_lines: dict[int, list[str]] = defaultdict(list)
    issue_lines: dict[int, list[str]] = defaultdict(list)
    for deal in Deal.objects.open().filter(customer_id__in=ids).order_by(
        "close_date", "id"
    ):
        close = deal.close_date.isoformat() if deal.close_date else _("no close date")
        deal_lines[deal.customer_id].append(
            _("- %(deal)s: %(stage)s, %(amount)s, %(close)s")
            % {
                "deal": deal.name or _("Deal"),
                "stage": deal.stage or _("no stage"),
                "amount": f"{deal.amount:,.0f}",
                "close": close,
            }
        )
        if deal.close_date and deal.close_date < today:
            issue_lines[deal.customer_id].append(
                "- "
                + _("%(deal)s was due to close on %(day)s and is open.")
                % {"deal": deal.name or _("A deal"), "day": deal.close_date.isoformat()}
            )
    complaints: dict[int, int] = defaultdict(int)
    for customer_id in ServiceRecord.objects.filter(
        customer_id__in=ids, is_complaint=True, date__gte=today - dt.timedelta(days=365)
    ).values_list("customer_id", flat=True):
        complaints[customer_id] += 1
    for customer_id, n in complaints.items():
        issue_lines[customer_id].append(
            "- "
            + ngettext(
                "%(n)d complaint in the last 12 months.",
                "%(n)d complaints in the last 12 months.",
                n,
            )
            % {"n": n}
        )
    suggestions: dict[int, dict[str, str]] = defaultdict(dict)
    for customer_id, lines in deal_lines.items():
        suggestions[customer_id]["next_steps"] = "\n".join(lines)
    for customer_id, lines in issue_lines.items():
        suggestions[customer_id]["open_issues"] = "\n".join(lines)
    return dict(suggestions)


def knowledge_initial(
    *, current: CustomerKnowledge | None, suggested: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """What a note form starts with: the current text of each part, or Relay's suggestion where
    the part is blank. Returns (initial, the parts holding a suggestion)."""
    initial, from_suggestion = {}, []
    for part in PARTS:
        text = getattr(current, part) if current is not None else ""
        if not text.strip() and suggested.get(part):
            text = suggested[part]
            from_suggestion.append(part)
        initial[part] = text
    return initial, from_suggestion
