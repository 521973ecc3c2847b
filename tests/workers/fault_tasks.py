"""Tasks only the fault tests load into a real worker (``celery worker -I``): a task that
works for a while and leaves a mark on disk, so a test can pull the broker away under it."""

import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.work_then_mark", acks_late=True)
def work_then_mark(path: str, seconds: float) -> str:
    Path(path + ".started").write_text("started")
    time.sleep(seconds)
    Path(path).write_text("done")
    return path
