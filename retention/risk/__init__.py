"""Departure risk inside Django: frames from the database (selectors), runs, models and alerts
(services), Celery tasks, pages and API. The arithmetic lives in ``retention.scoring``."""
