"""Relay's one error type for refusals a user can act on, and the API's one handler for it.

A service raises :class:`ApplicationError` (or a subclass) with a message for people and,
where one input is to blame, the ``field`` it names. Pages show the message; the API answers
400 with ``{"detail": message, "field": field}`` through :func:`api_exception_handler`, set as
DRF's ``EXCEPTION_HANDLER``. Nothing else turns a service error into a 400.
"""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A request Relay refuses for a reason the user can fix or should know."""

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": self.message}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus :class:`ApplicationError` as a 400 naming its field."""
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=400)
    return exception_handler(exc, context)
