"""Celery tasks for departure risk. Each takes ids and calls a service; the services'
compare-and-set on the run status makes a second delivery a no-op."""

from __future__ import annotations

import logging

from celery import chord, shared_task
from django.db import OperationalError

from retention.risk import services

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
    """Claim the run and fan its chunks out as a chord; the chord's body publishes it."""
    chunks = services.scoring_run_start(run_id=run_id)
    if chunks is None:
        return 0
    finish = scoring_run_finish.si(run_id)
    if not chunks:
        finish.delay()
        return 0
    chord(
        [scoring_chunk.si(run_id, chunk) for chunk in chunks],
        finish.on_error(scoring_run_fail.si(run_id)),
    ).delay()
    return len(chunks)


@shared_task(name="retention.risk.scoring_chunk", soft_time_limit=600, time_limit=660, **RETRY)
def scoring_chunk(run_id: int, rep_ids: list[int]) -> int:
    return services.scoring_chunk_score(run_id=run_id, rep_ids=rep_ids)


@shared_task(name="retention.risk.scoring_run_finish", soft_time_limit=300, time_limit=360, **RETRY)
def scoring_run_finish(run_id: int) -> bool:
    return services.scoring_run_finish(run_id=run_id)


@shared_task(name="retention.risk.scoring_run_fail", soft_time_limit=60, time_limit=90, **RETRY)
def scoring_run_fail(run_id: int) -> bool:
    return services.scoring_run_fail(run_id=run_id, error="A chunk of the run failed.")


@shared_task(name="retention.risk.scoring_nightly", soft_time_limit=60, time_limit=90, **RETRY)
def scoring_nightly() -> int:
    return services.scoring_run_request().pk


@shared_task(
    name="retention.risk.model_retrain", soft_time_limit=1800, time_limit=1900, max_retries=0
)
def model_retrain() -> int:
    """Retrain (or stay on the rules), then backtest the model now in use."""
    model = services.risk_model_train()
    services.risk_model_evaluate(model=model)
    return model.pk


@shared_task(
    name="retention.risk.model_evaluate", soft_time_limit=1800, time_limit=1900, max_retries=0
)
def model_evaluate(model_id: int) -> int:
    from retention.models import RiskModel

    model = RiskModel.objects.filter(pk=model_id).first()
    if model is None:
        return 0
    services.risk_model_evaluate(model=model)
    return model.pk
