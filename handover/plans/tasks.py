"""Nightly coverage check: open an alert for each new gap, resolve closed ones, e-mail managers."""

import datetime as dt

from celery import shared_task
from django.db import transaction

from handover.plans.services import coverage_alerts_notify, coverage_gaps_sync


@shared_task(
    name="handover.coverage_gaps_sync",
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=60,
    soft_time_limit=15 * 60,
    time_limit=20 * 60,
)
def coverage_gaps_sync_task(as_of: str | None = None) -> dict[str, int]:
    """Idempotent: an open gap is unique per customer and kind, and each alert is claimed
    (``notified_at``) before it is e-mailed, so a rerun neither duplicates nor re-sends."""
    today = dt.date.fromisoformat(as_of) if as_of else None
    counts = coverage_gaps_sync(today=today)
    counts["notified"] = coverage_alerts_notify()
    return counts


def coverage_gaps_sync_queue(*, as_of: dt.date | None = None) -> None:
    """Queue the check once the current transaction commits."""
    transaction.on_commit(
        lambda: coverage_gaps_sync_task.delay(as_of.isoformat() if as_of else None)
    )
