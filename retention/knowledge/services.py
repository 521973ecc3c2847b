"""Writes of what is known about a customer: each edit adds a version, none is overwritten."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import ApplicationError
from retention import people
from retention.knowledge.selectors import PARTS, knowledge_current, part_labels
from retention.models import Customer, CustomerKnowledge

# Longest text one part may hold: a few pages, enough for any note, not a dumping ground.
MAX_PART_CHARS = 20_000


class KnowledgeError(ApplicationError):
    """A note Relay cannot save as asked; the message says why."""


class KnowledgeConflict(KnowledgeError):
    """Someone saved a newer version since the editor opened the note."""


def customer_knowledge_update(
    *,
    customer: Customer,
    author: User | None,
    parts: dict[str, str],
    source: str,
    context: str = "",
    context_data: dict | None = None,
    base_version: int | None = None,
) -> tuple[CustomerKnowledge | None, bool]:
    """Save what is known about the customer as a new version; parts not given stay as they
    are. Returns (the current version, whether a new one was written): text identical to the
    current version writes nothing. ``context_data`` is what a context Relay wrote is made
    of (:func:`knowledge_context_text` words it), ``context`` then its text as worded now.

    ``base_version`` is the version the editor started from (0 for "none yet"): if someone
    saved another since, nothing is written and :class:`KnowledgeConflict` names who and when,
    so no one's edit silently replaces another's. A version later than the latest was never
    written: refused too, saying which is the latest.
    """
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise KnowledgeError(
            _("Unknown part(s) of a customer note: %(parts)s. Known: %(known)s.")
            % {"parts": ", ".join(unknown), "known": ", ".join(PARTS)},
            field=unknown[0],
        )
    labels = part_labels()
    for part, text in parts.items():
        if len(text) > MAX_PART_CHARS:
            raise KnowledgeError(
                _("%(part)s: at most %(n)s characters (this has %(got)s).")
                % {"part": labels[part], "n": f"{MAX_PART_CHARS:,}", "got": f"{len(text):,}"},
                field=part,
            )
    if source not in CustomerKnowledge.Source.values:
        sources = ", ".join(f"{c.label} ({c.value})" for c in CustomerKnowledge.Source)
        raise KnowledgeError(
            _("The source of a customer note must be one of: %(sources)s.")
            % {"sources": sources},
            field="source",
        )
    try:
        with transaction.atomic():
            # One writer at a time per customer: the second waits and then sees the first's
            # version as current.
            Customer.objects.select_for_update().filter(pk=customer.pk).first()
            current = knowledge_current(customer=customer)
            current_version = current.version if current is not None else 0
            if base_version is not None and base_version > current_version:
                # No one saved a newer version: the editor names one that was never written.
                raise KnowledgeError(
                    _(
                        "%(customer)s: the note has no version %(version)s; the latest is "
                        "%(current)s. Nothing was saved: read it and save yours again."
                    )
                    % {
                        "customer": customer.name,
                        "version": base_version,
                        "current": current_version,
                    },
                    field="base_version",
                    extra={"current_version": current_version},
                )
            if base_version is not None and base_version != current_version:
                raise _conflict(customer=customer, current=current, viewer=author)
            text = {part: (getattr(current, part) if current is not None else "") for part in PARTS}
            wanted = {**text, **{part: value.strip() for part, value in parts.items()}}
            if wanted == text:
                return current, False
            row = CustomerKnowledge.objects.create(
                customer=customer,
                version=current_version + 1,
                author=author,
                source=source,
                context=context[:200],
                context_data=context_data or {},
                **wanted,
            )
    except IntegrityError as exc:
        # The unique version caught a writer the lock did not (a customer row locked by
        # neither, on SQLite's file lock): the other save stands.
        raise _conflict(
            customer=customer, current=knowledge_current(customer=customer), viewer=author
        ) from exc
    return row, True


def _conflict(
    *, customer: Customer, current: CustomerKnowledge | None, viewer: User | None
) -> KnowledgeConflict:
    who, when = "", ""
    if current is not None:
        when = timezone.localtime(current.created_at).strftime("%Y-%m-%d %H:%M")
    if current is not None and current.author_id and viewer is not None:
        who = people.user_labels(viewer=viewer, people=[current.author]).get(current.author_id, "")
    return KnowledgeConflict(
        _(
            "%(customer)s: someone saved a newer version of this note (version %(version)s, "
            "%(who)s, %(when)s) while you were editing. Nothing was saved: read theirs and "
            "save yours again."
        )
        % {
            "customer": customer.name,
            "version": current.version if current is not None else 0,
            "who": who or _("Relay"),
            "when": when,
        },
        field="base_version",
        extra={"current_version": current.version if current is not None else 0},
    )


HANDOVER_PLAN = "handover_plan"  # written in a handover plan's item


def knowledge_context(*, plan_id: int, rep_name: str) -> dict:
    """The context of a version written in a handover plan, as stored."""
    return {"code": HANDOVER_PLAN, "params": {"rep": rep_name, "id": plan_id}}


def knowledge_context_text(data: dict) -> str:
    """Where a version was written, worded in the active language from its context data."""
    if data.get("code") == HANDOVER_PLAN:
        return _("Handover of %(rep)s's customers (plan %(id)s)") % data["params"]
    raise ValueError(f"unknown knowledge context {data.get('code')!r}")
