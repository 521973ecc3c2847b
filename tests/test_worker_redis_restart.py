"""A real worker survives its Redis restarting while a task is in flight, and keeps working.

With ``worker_cancel_long_running_tasks_on_connection_loss`` a prefork worker cancels the
task in flight when the broker goes (its late ack could not be sent; the message comes back);
Relay's own jobs are then resumed by the reaper from their database records. What must not
happen is the worker process dying, as kombu's Redis transport once made it, or the worker
staying up and taking nothing: a redis-py retry once reconnected the pub/sub connection behind
kombu's back and left the event loop in a read that never returns (``retry_on_timeout``,
config/settings.py).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import ROOT, wait_for
from tests.test_redis_outage import OwnRedis, _free_port

pytestmark = [pytest.mark.redis, pytest.mark.celery_worker]


def _start_worker(
    pool: str, redis_server: OwnRedis, tmp_path: Path
) -> tuple[subprocess.Popen, IO[str]]:
    """A real worker on the test's own Redis, logging to ``tmp_path / "worker.log"``; returns
    the process and the open log (the caller stops the one and closes the other)."""
    env = {
        **os.environ,
        "REDIS_URL": redis_server.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
        "SECRET_KEY": "relay-tests-only-not-a-secret-0123456789-abcdefghijklmnop",
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
    }
    celery = str(Path(sys.executable).parent / "celery")
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [celery, "-A", "config", "worker", f"--pool={pool}", "--concurrency=1",
         "-I", "tests.workers.fault_tasks", "--loglevel=INFO", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    return worker, log


def _stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.mark.parametrize("pool", ["prefork", "solo"])
def test_worker_survives_a_redis_restart_with_a_task_in_flight(pool, needs_redis, tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("needs the redis-server program")
    from celery import Celery

    redis_server = OwnRedis(port=_free_port())
    redis_server.start()
    worker, log = _start_worker(pool, redis_server, tmp_path)
    client = Celery(broker=redis_server.url)
    try:
        first = str(tmp_path / "first")
        client.send_task("tests.work_then_mark", args=[first, 4])
        assert wait_for(lambda: Path(first + ".started").exists(), timeout=60), "task never started"

        redis_server.stop()
        time.sleep(2)
        redis_server.start()

        if pool == "solo":  # the task runs in the worker's own process: it cannot be cancelled
            finished = wait_for(lambda: Path(first).exists(), timeout=30)
            assert finished, "the task in flight did not finish"
        time.sleep(5)
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]

        second = str(tmp_path / "second")
        # The restarted Redis kept nothing (no persistence here), not even kombu's queue
        # bindings, which the worker declares again once it has reconnected: a message sent
        # before that is dropped by the broker. So send until one is taken, for a while.
        took = None
        for _attempt in range(18):
            client.send_task("tests.work_then_mark", args=[second, 0])
            took = wait_for(lambda: Path(second).exists(), timeout=10)
            if took:
                break
        log_tail = (tmp_path / "worker.log").read_text()[-3000:]
        assert took, f"the worker took no task after the restart:\n{log_tail}"
        assert worker.poll() is None
        assert "Unrecoverable error" not in (tmp_path / "worker.log").read_text()
    finally:
        _stop_worker(worker)
        log.close()
        redis_server.stop()


@pytest.mark.parametrize("pool", ["prefork", "solo"])
def test_worker_keeps_taking_tasks_after_redis_drops_its_pubsub_connection(
    pool, needs_redis, tmp_path
):
    """Redis stays up and drops only the worker's pub/sub (remote control) connection, as a
    CLIENT KILL, a proxy's idle timeout or a failover does. The worker must notice and
    reconnect, not sit in a read on a connection that no longer subscribes to anything."""
    if not shutil.which("redis-server"):
        pytest.skip("needs the redis-server program")
    import redis
    from celery import Celery

    redis_server = OwnRedis(port=_free_port())
    redis_server.start()
    worker, log = _start_worker(pool, redis_server, tmp_path)
    server = redis.Redis(port=redis_server.port)
    client = Celery(broker=redis_server.url)
    try:
        def subscribed() -> bool:
            return any(int(c["psub"]) for c in server.client_list())

        assert wait_for(subscribed, timeout=60), "the worker never subscribed to its control topic"
        first = str(tmp_path / "first")
        client.send_task("tests.work_then_mark", args=[first, 0])
        assert wait_for(lambda: Path(first).exists(), timeout=60), "the worker took no task"

        assert server.client_kill_filter(_type="pubsub") == 1

        second = str(tmp_path / "second")
        client.send_task("tests.work_then_mark", args=[second, 0])
        took = wait_for(lambda: Path(second).exists(), timeout=60)
        log_tail = (tmp_path / "worker.log").read_text()[-3000:]
        assert took, f"the worker took no task after losing its pub/sub connection:\n{log_tail}"
        assert wait_for(subscribed, timeout=60), "the worker did not subscribe again"
        assert worker.poll() is None
    finally:
        _stop_worker(worker)
        log.close()
        redis_server.stop()
