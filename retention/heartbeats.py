"""The one rule for work a user waits for: its heartbeat, when it counts as stalled, and how a
reaper takes a stalled job over without racing another reaper.

Every such job (a scoring run, an import, a training or backtest) is a row with a ``status``,
a ``heartbeat_at`` written while it works and a ``resumes`` counter. Beat runs each area's
reaper every minute; a job whose heartbeat is older than RELAY_JOB_STALL_SECONDS is stalled,
and the reaper resumes it (at most RELAY_JOB_MAX_RESUMES times) or ends it with the reason.
Tasks claim their row by its status (and, where a job may be re-sent, its attempt number), so
a late redelivery of a stalled or failed job's message does nothing.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.utils import timezone


def stall_window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.RELAY_JOB_STALL_SECONDS)


def stall_minutes() -> int:
    """The stall window in whole minutes, as the reasons shown to people give it."""
    return max(1, int(stall_window().total_seconds() // 60))


def stale(cutoff: dt.datetime) -> Q:
    """Rows with no sign of work since ``cutoff``: a heartbeat older than it, or none at all
    and no change since."""
    return Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, updated_at__lt=cutoff)


def as_read[M: Model](row: M) -> QuerySet[M]:
    """The row, only if nobody has touched it since it was read (same status, heartbeat and
    resumes): a reaper updates through this, and its row count says whether it won."""
    return type(row)._default_manager.filter(
        pk=row.pk, status=row.status, heartbeat_at=row.heartbeat_at, resumes=row.resumes
    )


def heartbeat(model: type[Model], pk: int, **fields) -> int:
    """Write a sign of work (and ``fields``, such as progress) on one row."""
    now = timezone.now()
    return model._default_manager.filter(pk=pk).update(heartbeat_at=now, updated_at=now, **fields)


class Heartbeat:
    """A progress callback that writes the row's heartbeat and progress at most every
    ``every`` seconds (and always on a loop's first and last step, so a new stage shows at
    once), so a loop over thousands of steps costs a handful of writes. ``where`` narrows the
    rows it may write (say, only while this attempt runs)."""

    def __init__(
        self, model: type[Model], pk: int, *, every: float = 2.0, where: Q | None = None
    ) -> None:
        self.model, self.pk, self.every, self.where = model, pk, every, where or Q()
        self.last = 0.0

    def __call__(self, done: int, total: int, /, **fields) -> None:
        now = time.monotonic()
        if 1 < done < total and now - self.last < self.every:
            return
        self.last = now
        stamp = timezone.now()
        self.model._default_manager.filter(self.where, pk=self.pk).update(
            heartbeat_at=stamp, updated_at=stamp, **fields
        )
