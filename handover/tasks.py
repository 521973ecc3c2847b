"""Celery tasks of handover. Each area keeps its tasks in its own module; Celery finds them here."""
