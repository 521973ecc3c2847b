"""API rate limits per caller, with the rates read from settings on each request (so they can be
changed per site, and in tests, without restarting)."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonymousThrottle(AnonRateThrottle):
    """Callers that are not signed in, counted per address (``RELAY_API_THROTTLE_ANON``)."""

    def get_rate(self) -> str | None:
        return settings.RELAY_API_THROTTLE_ANON or None


class UserThrottle(UserRateThrottle):
    """Signed-in callers, session or token, counted per user (``RELAY_API_THROTTLE_USER``)."""

    def get_rate(self) -> str | None:
        return settings.RELAY_API_THROTTLE_USER or None
