"""Redis down or hung, pages up: a Redis of the test's own on its own port, stopped and
paused mid-test, while a manager browses and starts work that needs the queue."""

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import override_settings

from config.background import broker_state_forget
from config.caches import redis_caches
from retention.models import OutboxMessage
from retention.outbox import outbox_enqueue, outbox_flush
from tests.conftest import skip_or_fail


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OwnRedis:
    port: int
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        for _ in range(100):
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        pytest.fail("the test's own Redis did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def pause(self, seconds: int) -> None:
        import redis

        redis.Redis(port=self.port).execute_command("CLIENT", "PAUSE", seconds * 1000, "ALL")

    def queued(self) -> int:
        import redis

        return redis.Redis(port=self.port).llen("celery")


@pytest.fixture
def own_redis(needs_redis) -> Iterator[OwnRedis]:
    if not shutil.which("redis-server"):
        skip_or_fail("needs the redis-server program")
    server = OwnRedis(port=_free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app_on_own_redis(own_redis) -> Iterator[OwnRedis]:
    """Django's cache and Celery's broker pointed at the test's own Redis."""
    from config.celery import app

    caches = redis_caches(own_redis.url, timeout=0.3)
    before = app.conf.broker_url, app.conf.broker_transport_options

    def point_celery_at(url: str, options: dict) -> None:
        app.conf.broker_url = url
        app.conf.broker_transport_options = options
        app._pool = None
        app.amqp._producer_pool = None

    with override_settings(REDIS_URL=own_redis.url, CACHES=caches):
        point_celery_at(own_redis.url, {"socket_connect_timeout": 0.5, "socket_timeout": 1})
        broker_state_forget()
        try:
            yield own_redis
        finally:
            point_celery_at(*before)
            broker_state_forget()


def _get(client, url: str) -> tuple[int, str]:
    """GET in a thread, so a hang shows as a failure instead of stalling the suite."""
    result: dict = {}

    def fetch() -> None:
        response = client.get(url)
        result["status"] = response.status_code
        result["body"] = response.content.decode()

    worker = threading.Thread(target=fetch)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), f"{url} hung with Redis unavailable"
    return result["status"], result["body"]


PAGES = ("/dashboard/", "/reps/{rep}/", "/coverage/", "/vacancies/")
BANNER = "Background work is paused"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("outage", ["stopped", "paused"])
def test_pages_stay_up_with_a_banner_when_redis_is_down_or_hung(
    outage, app_on_own_redis, client, manager_a, rep_a
):
    client.force_login(manager_a)
    pages = [page.format(rep=rep_a.pk) for page in PAGES]
    for url in pages:
        status, body = _get(client, url)
        assert status == 200, url
        assert BANNER not in body

    if outage == "stopped":
        app_on_own_redis.stop()
    else:
        app_on_own_redis.pause(30)
    broker_state_forget()
    for url in pages:
        status, body = _get(client, url)
        assert status == 200, f"{url} with Redis {outage}"
        assert BANNER in body, url

    status, body = _get(client, "/healthz")
    assert status == 503
    assert '"broker": false' in body


@pytest.mark.django_db(transaction=True)
def test_work_queued_while_redis_is_down_is_delivered_when_it_returns(app_on_own_redis):
    app_on_own_redis.stop()
    broker_state_forget()
    message = outbox_enqueue(task_name="retention.outbox_flush", args=[])
    message.refresh_from_db()
    assert message.sent_at is None, "nothing can be sent with the broker down"

    app_on_own_redis.start()
    broker_state_forget()
    assert outbox_flush() == 1
    message.refresh_from_db()
    assert message.sent_at is not None
    assert app_on_own_redis.queued() == 1, "the broker holds the message"
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0
