"""The import job task: takes a job id, claims it with compare-and-set, runs the service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from retention.imports import services


@shared_task(
    bind=True,
    name="retention.imports.import_job_process",
    max_retries=3,
    soft_time_limit=services.IMPORT_TIME_LIMIT_SECONDS - 300,
    time_limit=services.IMPORT_TIME_LIMIT_SECONDS,
    acks_late=True,
)
def import_job_process(self, job_id: int) -> str:
    """Check or apply an import job. A second delivery finds it claimed or done and does nothing."""
    try:
        job = services.import_job_run(job_id=job_id)
    except (OperationalError, InterfaceError) as exc:
        if self.request.retries >= self.max_retries:
            services.import_job_fail(job_id=job_id, message=f"{type(exc).__name__}: {exc}")
            raise
        # The database went away: the transaction rolled back, so the job can run again whole.
        services.import_job_release(job_id=job_id)
        raise self.retry(exc=exc, countdown=30 * (self.request.retries + 1)) from exc
    except Exception as exc:
        services.import_job_fail(job_id=job_id, message=f"{type(exc).__name__}: {exc}")
        raise
    return job.status if job else "skipped"


@shared_task(name="retention.imports.files_purge", soft_time_limit=30 * 60, time_limit=35 * 60)
def import_files_purge() -> int:
    """Nightly: delete uploads of imports finished longer ago than RELAY_IMPORT_RETENTION_DAYS.
    Running it twice deletes nothing more the second time."""
    from retention.imports.storage import import_files_purge as purge

    return purge()


@shared_task(name="retention.imports.jobs_reap", soft_time_limit=60, time_limit=90, max_retries=0)
def import_jobs_reap() -> dict[str, list[int]]:
    """Every minute (beat): re-queue or stall imports with no heartbeat for the stall window."""
    reaped = services.import_jobs_reap()
    return {"requeued": reaped.requeued, "stalled": reaped.stalled}
