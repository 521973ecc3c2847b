"""Celery tasks for departure risk. Each takes ids and calls a service; the services'
compare-and-set on the run status makes a second delivery a no-op."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from retention.risk import model_jobs, services

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "max_retries": 3,
}


@shared_task(
    name="retention.risk.scoring_run_execute", soft_time_limit=120, time_limit=180, **RETRY
)
def scoring_run_execute(run_id: int) -> int:
    """Claim the run and send one task per chunk; the chunk that completes the run publishes
    it. No chord: which chunks are done is recorded in the database, not in the broker."""
    todo = services.scoring_run_start(run_id=run_id)
    if todo is None:
        return 0
    if not todo:
        services.scoring_run_finish(run_id=run_id)
        return 0
    for index in todo:
        scoring_chunk.delay(run_id, index)
    return len(todo)


@shared_task(name="retention.risk.scoring_chunk", soft_time_limit=600, time_limit=660, **RETRY)
def scoring_chunk(run_id: int, index: int) -> bool:
    """Score one chunk; the one that completes the run publishes it. A database hiccup is
    retried (RETRY); any other error fails the run at once, with the reason."""
    try:
        last = services.scoring_chunk_run(run_id=run_id, index=index)
    except OperationalError:
        raise
    except Exception as exc:
        services.scoring_run_fail(run_id=run_id, error=f"Chunk {index} failed: {exc!r}")
        raise
    if last:
        services.scoring_run_finish(run_id=run_id)
    return last


@shared_task(name="retention.risk.scoring_run_finish", soft_time_limit=300, time_limit=360, **RETRY)
def scoring_run_finish(run_id: int) -> bool:
    return services.scoring_run_finish(run_id=run_id)


@shared_task(name="retention.risk.scoring_runs_reap", soft_time_limit=60, time_limit=90, **RETRY)
def scoring_runs_reap() -> dict[str, list[int]]:
    """Every minute (beat): resume or fail runs with no sign of work for the stall window."""
    reaped = services.scoring_runs_reap()
    return {"resumed": reaped.resumed, "failed": reaped.failed}


@shared_task(name="retention.risk.scoring_nightly", soft_time_limit=60, time_limit=90, **RETRY)
def scoring_nightly() -> int:
    return services.scoring_run_request().pk


@shared_task(name="retention.risk.model_retrain", soft_time_limit=60, time_limit=90, **RETRY)
def model_retrain() -> int:
    """Weekly (beat): ask for a training, then a backtest of the model in use (the training in
    flight, if there is one). The work is ``model_job_run``'s."""
    job, _created = model_jobs.model_job_request(kind=model_jobs.Kind.TRAIN)
    return job.pk


@shared_task(name="retention.risk.model_evaluate", soft_time_limit=60, time_limit=90, **RETRY)
def model_evaluate(model_id: int) -> int:
    """Ask for a backtest of one model (the one in flight, if there is one)."""
    from retention.models import RiskModel

    model = RiskModel.objects.filter(pk=model_id).first()
    if model is None:
        return 0
    job, _created = model_jobs.model_job_request(kind=model_jobs.Kind.EVALUATE, model=model)
    return job.pk


@shared_task(
    name=model_jobs.TASK,
    soft_time_limit=model_jobs.TIME_LIMIT_SECONDS,
    time_limit=model_jobs.TIME_LIMIT_SECONDS + 100,
    max_retries=0,
)
def model_job_run(job_id: int, attempt: int = 0) -> str:
    """Claim a training or backtest job for ``attempt`` and do it. No retries: a job that
    stops is resumed by the reaper, as a new attempt; this attempt's late redelivery is refused
    by the claim."""
    job = model_jobs.model_job_run(job_id=job_id, attempt=attempt)
    return job.status if job is not None else "refused"


@shared_task(name="retention.risk.model_jobs_reap", soft_time_limit=60, time_limit=90, **RETRY)
def model_jobs_reap() -> dict[str, list[int]]:
    """Every minute (beat): resume, re-send or stall trainings and backtests with no sign of
    work for the stall window."""
    reaped = model_jobs.model_jobs_reap()
    return {"resumed": reaped.resumed, "resent": reaped.resent, "stalled": reaped.stalled}
