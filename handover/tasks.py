"""Celery tasks of handover: each area keeps its own module, and Celery finds them here."""

from handover.plans.tasks import coverage_gaps_sync_task  # noqa: F401
