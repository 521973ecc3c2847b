"""Writes of assignments: every change of who holds a customer goes through here.

Assignments are closed (``valid_to`` set), never deleted, so the history stays complete. Each
service is atomic: it refuses (``OwnershipError``, naming what is wrong) before it writes, and a
refusal by the database rolls back everything it did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import ApplicationError
from retention.models import Assignment, SalesRep


class OwnershipError(ApplicationError):
    """A change of who holds a customer that Relay refuses; the message says why."""


def _refuse_leaving(rep: SalesRep, *, what: str, field: str = "rep") -> None:
    """``what`` is the role refused: "an owner", "a backup" or "a temporary cover"."""
    values = {"name": rep.full_name, "day": rep.departure_date}
    if rep.status == SalesRep.Status.LEFT:
        left = {
            "an owner": _("%(name)s has left and cannot be an owner."),
            "a backup": _("%(name)s has left and cannot be a backup."),
            "a temporary cover": _("%(name)s has left and cannot be a temporary cover."),
        }
        raise OwnershipError(left[what] % values, field=field)
    if rep.is_departing:
        notice = {
            "an owner": _("%(name)s is serving notice (last day %(day)s) and cannot be an owner."),
            "a backup": _("%(name)s is serving notice (last day %(day)s) and cannot be a backup."),
            "a temporary cover": _(
                "%(name)s is serving notice (last day %(day)s) and cannot be a temporary cover."
            ),
        }
        raise OwnershipError(notice[what] % values, field=field)


def _open(
    *,
    customer_id: int,
    role: str,
    day: dt.date,
    created_by: User | None,
    source: str,
    rep: SalesRep | None = None,
    manager: User | None = None,
) -> Assignment:
    return Assignment.objects.create(
        customer_id=customer_id,
        rep=rep,
        manager=manager,
        role=role,
        valid_from=day,
        source=source,
        created_by=created_by,
    )


def assignment_make_owner(
    *,
    customer_id: int,
    rep: SalesRep,
    created_by: User | None,
    valid_from: dt.date | None = None,
    source: str = Assignment.Source.MANUAL,
) -> Assignment:
    """Make ``rep`` the customer's owner from ``valid_from``: the current owner's assignment
    closes, and so does the rep's own other role on the customer (a backup promoted)."""
    day = valid_from or timezone.localdate()
    _refuse_leaving(rep, what="an owner")
    with transaction.atomic():
        current = Assignment.objects.select_for_update().filter(
            customer_id=customer_id, valid_to__isnull=True
        )
        if current.filter(rep=rep, role=Assignment.Role.OWNER).exists():
            raise OwnershipError(
                _("%(name)s already owns this customer.") % {"name": rep.full_name}, field="rep"
            )
        current.filter(Q(role=Assignment.Role.OWNER) | Q(rep=rep)).update(
            valid_to=day, updated_at=timezone.now()
        )
        return _open(
            customer_id=customer_id,
            rep=rep,
            role=Assignment.Role.OWNER,
            day=day,
            created_by=created_by,
            source=source,
        )


def assignment_add_backup(
    *,
    customer_id: int,
    rep: SalesRep,
    created_by: User | None,
    valid_from: dt.date | None = None,
    source: str = Assignment.Source.MANUAL,
) -> Assignment:
    """Give a customer a backup rep, so it no longer depends on a single relationship.

    Refused if the rep has left, is serving notice, or already holds the customer.
    """
    _refuse_leaving(rep, what="a backup")
    with transaction.atomic():
        if (
            Assignment.objects.select_for_update()
            .filter(customer_id=customer_id, rep=rep, valid_to__isnull=True)
            .exists()
        ):
            raise OwnershipError(
                _("%(name)s already holds this customer.") % {"name": rep.full_name}, field="rep"
            )
        return _open(
            customer_id=customer_id,
            rep=rep,
            role=Assignment.Role.BACKUP,
            day=valid_from or timezone.localdate(),
            created_by=created_by,
            source=source,
        )


def assignment_cover_start(
    *,
    customer_id: int,
    created_by: User | None,
    rep: SalesRep | None = None,
    manager: User | None = None,
    valid_from: dt.date | None = None,
    source: str = Assignment.Source.MANUAL,
) -> Assignment:
    """Start a temporary cover of the customer by a rep, or a manager's cover."""
    if (rep is None) == (manager is None):
        raise OwnershipError(_("Name a rep or a manager to cover, not both."), field="rep")
    if rep is not None:
        _refuse_leaving(rep, what="a temporary cover")
    if manager is not None and not manager.is_active:
        raise OwnershipError(
            _("%(name)s is no longer active.") % {"name": manager}, field="manager"
        )
    with transaction.atomic():
        holder = {"rep": rep} if rep is not None else {"manager": manager}
        if (
            Assignment.objects.select_for_update()
            .filter(customer_id=customer_id, valid_to__isnull=True, **holder)
            .exists()
        ):
            raise OwnershipError(
                _("%(name)s already holds this customer.")
                % {"name": rep.full_name if rep is not None else manager},
                field="rep" if rep is not None else "manager",
            )
        role = Assignment.Role.TEMPORARY_COVER if rep else Assignment.Role.MANAGER_COVER
        return _open(
            customer_id=customer_id,
            rep=rep,
            manager=manager,
            role=role,
            day=valid_from or timezone.localdate(),
            created_by=created_by,
            source=source,
        )


def assignment_end(*, assignment: Assignment, valid_to: dt.date | None = None) -> Assignment:
    """Close an assignment (end a cover, drop a backup); it stays in the history."""
    day = valid_to or timezone.localdate()
    if assignment.valid_to is not None:
        raise OwnershipError(_("This assignment has already ended."))
    if day < assignment.valid_from:
        raise OwnershipError(
            _("The end date %(day)s is before the assignment began (%(began)s).")
            % {"day": day.isoformat(), "began": assignment.valid_from.isoformat()},
            field="valid_to",
        )
    closed = Assignment.objects.filter(pk=assignment.pk, valid_to__isnull=True).update(
        valid_to=day, updated_at=timezone.now()
    )
    if not closed:
        raise OwnershipError(_("This assignment has already ended."))
    assignment.valid_to = day
    return assignment


# --- moves in bulk: handover plans --------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """Hand over one assignment: ``source_assignment_id`` closes, the recipient (a rep or a
    manager) opens one in ``role``."""

    customer_id: int
    source_assignment_id: int
    role: str
    rep_id: int | None = None
    manager_id: int | None = None


@dataclass(frozen=True)
class Moved:
    opened_assignment_id: int
    # The recipient's own earlier role on the customer (a backup promoted), closed by the move.
    superseded_assignment_id: int | None


def customers_move(
    *,
    moves: Sequence[Move],
    from_rep_id: int,
    day: dt.date,
    created_by: User | None,
    source: str = Assignment.Source.HANDOVER,
) -> list[Moved]:
    """Move many customers at once, all or nothing (the caller's transaction, or its own).

    Refused if any source assignment is no longer ``from_rep_id``'s current one. A recipient who
    already holds the customer in another role has that assignment closed too. Three
    statements plus one insert, however many customers.
    """
    with transaction.atomic():
        source_ids = [m.source_assignment_id for m in moves]
        still_held = set(
            Assignment.objects.select_for_update()
            .filter(pk__in=source_ids, rep_id=from_rep_id, valid_to__isnull=True)
            .values_list("pk", flat=True)
        )
        for move in moves:
            if move.source_assignment_id not in still_held:
                raise OwnershipError(
                    _("Customer %(id)s is no longer held as it was.") % {"id": move.customer_id},
                    extra={"customer_id": move.customer_id},
                )
        now = timezone.now()
        customer_ids = [m.customer_id for m in moves]
        wanted = {(m.customer_id, m.rep_id) for m in moves if m.rep_id}
        wanted |= {(m.customer_id, -m.manager_id) for m in moves if m.manager_id}
        superseded: dict[int, int] = {}
        for pk, customer_id, rep_id, manager_id in (
            Assignment.objects.select_for_update()
            .filter(customer_id__in=customer_ids, valid_to__isnull=True)
            .exclude(rep_id=from_rep_id)
            .values_list("pk", "customer_id", "rep_id", "manager_id")
        ):
            holder = rep_id if rep_id else -manager_id
            if (customer_id, holder) in wanted:
                superseded[customer_id] = pk
        closing = [*superseded.values(), *source_ids]
        Assignment.objects.filter(pk__in=closing).update(valid_to=day, updated_at=now)
        created = Assignment.objects.bulk_create(
            [
                Assignment(
                    customer_id=m.customer_id,
                    rep_id=m.rep_id,
                    manager_id=m.manager_id,
                    role=m.role,
                    valid_from=day,
                    source=source,
                    created_by=created_by,
                )
                for m in moves
            ],
            batch_size=500,
        )
        return [
            Moved(opened_assignment_id=a.pk, superseded_assignment_id=superseded.get(m.customer_id))
            for m, a in zip(moves, created, strict=True)
        ]


@dataclass(frozen=True)
class Restore:
    """Undo one move: the assignment it opened closes; the holder's role (and the recipient's
    superseded one, if any) reopen as new rows."""

    customer_id: int
    opened_assignment_id: int
    rep_id: int
    role: str
    superseded: Assignment | None = None


def customers_move_reverse(
    *,
    restores: Sequence[Restore],
    day: dt.date,
    created_by: User | None,
    source: str = Assignment.Source.HANDOVER,
) -> None:
    """Reverse moves, all or nothing: refused if any assignment they opened has changed."""
    with transaction.atomic():
        opened_ids = [r.opened_assignment_id for r in restores]
        current = set(
            Assignment.objects.select_for_update()
            .filter(pk__in=opened_ids, valid_to__isnull=True)
            .values_list("pk", flat=True)
        )
        for restore in restores:
            if restore.opened_assignment_id not in current:
                raise OwnershipError(
                    _("Customer %(id)s has changed hands since.") % {"id": restore.customer_id},
                    extra={"customer_id": restore.customer_id},
                )
        Assignment.objects.filter(pk__in=opened_ids).update(valid_to=day, updated_at=timezone.now())
        reopened = []
        for restore in restores:
            reopened.append(
                Assignment(
                    customer_id=restore.customer_id,
                    rep_id=restore.rep_id,
                    role=restore.role,
                    valid_from=day,
                    source=source,
                    created_by=created_by,
                )
            )
            previous = restore.superseded
            if previous is not None:
                reopened.append(
                    Assignment(
                        customer_id=previous.customer_id,
                        rep_id=previous.rep_id,
                        manager_id=previous.manager_id,
                        role=previous.role,
                        valid_from=day,
                        source=source,
                        created_by=created_by,
                    )
                )
        Assignment.objects.bulk_create(reopened, batch_size=500)
