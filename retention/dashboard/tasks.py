from celery import shared_task

from retention.dashboard.services import dashboard_cache_warm


@shared_task(
    name="retention.dashboard.cache_warm",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=180,
    ignore_result=True,
)
def dashboard_cache_warm_task(run_id: int) -> bool:
    """Warm the dashboard's organisation-wide cache for a run just published (idempotent)."""
    return dashboard_cache_warm(run_id=run_id)
