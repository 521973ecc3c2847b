"""Celery tasks of retention: each area keeps its own module, and Celery finds them here."""

from retention.dashboard.tasks import dashboard_cache_warm_task  # noqa: F401
from retention.imports.tasks import import_job_process  # noqa: F401
from retention.risk.tasks import (  # noqa: F401
    model_evaluate,
    model_retrain,
    scoring_chunk,
    scoring_nightly,
    scoring_run_execute,
    scoring_run_fail,
    scoring_run_finish,
)
