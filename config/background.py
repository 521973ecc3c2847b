"""Is the queue reachable? Asked by /healthz and by every page's "background work is paused"
banner, always within a bounded time, whatever the broker does (down, or up but hung)."""

from __future__ import annotations

import threading
import time

_lock = threading.Lock()
_last: tuple[float, bool] | None = None


def _probe(timeout: float) -> bool:
    from config.celery import app

    url = app.conf.broker_url or ""
    if url.startswith(("redis://", "rediss://")):
        # A plain PING with socket timeouts: kombu's own check can hang on a Redis that
        # accepts connections but does not answer (CLIENT PAUSE).
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return True
    except Exception:
        return False


def broker_available(*, max_age: float = 10.0, timeout: float = 1.0) -> bool:
    """Whether the broker answered a ping within ``timeout`` seconds, remembered per process
    for ``max_age`` seconds so a page asks at most that often."""
    global _last
    now = time.monotonic()
    with _lock:
        if _last is not None and now - _last[0] < max_age:
            return _last[1]
    ok = _probe(timeout)
    with _lock:
        _last = (time.monotonic(), ok)
    return ok


def broker_state_forget() -> None:
    """Drop the remembered answer (tests, and the outbox after a successful send)."""
    global _last
    with _lock:
        _last = None
