"""Celery tasks of retention: each area keeps its own module, and Celery finds them here."""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import DatabaseError

from retention.dashboard.tasks import dashboard_cache_warm_task  # noqa: F401
from retention.imports.tasks import import_job_process  # noqa: F401
from retention.outbox import outbox_flush
from retention.risk.tasks import (  # noqa: F401
    model_evaluate,
    model_job_run,
    model_jobs_reap,
    model_retrain,
    scoring_chunk,
    scoring_nightly,
    scoring_run_execute,
    scoring_run_finish,
    scoring_runs_reap,
)

logger = logging.getLogger(__name__)


@shared_task(name="retention.outbox_flush", soft_time_limit=60, time_limit=90, max_retries=0)
def outbox_flush_task() -> int:
    """Send what waited in the outbox while the broker was away (beat, every minute)."""
    return outbox_flush()


@worker_ready.connect
def _outbox_flush_on_worker_start(**_kwargs) -> None:
    # A worker starting is the first sign the queue is back: send what waited. Never let it
    # stop the worker (a database not migrated yet, say): beat's sweep comes a minute later.
    try:
        outbox_flush()
    except DatabaseError:
        logger.exception("outbox sweep at worker start failed; beat will retry")
