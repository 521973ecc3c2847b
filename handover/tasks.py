"""Celery tasks of handover: each area keeps its own module, and Celery finds them here."""
