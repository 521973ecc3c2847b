"""Celery tasks of retention: each area keeps its own module, and Celery finds them here."""
