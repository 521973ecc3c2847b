"""How callers prove who they are: the client address login protection counts, and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address for login protection.

    Without a proxy (``RELAY_PROXY_COUNT=0``) that is ``REMOTE_ADDR``. Behind N trusted proxies it
    is the address the outermost of them saw, the Nth entry from the right of
    ``X-Forwarded-For``; entries further left are the client's own claims and are ignored.
    """
    proxies = settings.RELAY_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
