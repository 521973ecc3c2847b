"""How callers prove who they are: the client address login protection counts, and API tokens."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.languages import user_saved_language


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


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The user name login protection counts a sign-in under (``AXES_USERNAME_CALLABLE``): the
    one given, cut to the length its record holds. Axes cuts the user agent and the path it
    records, not the name: a longer one, typed on the login page or the admin's, was a
    PostgreSQL error (a 500) instead of a failed sign-in."""
    from axes.models import AccessAttempt

    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        name = credentials.get(field)
    else:
        name = getattr(request, "data", request.POST).get(field)
    if name is None:
        return None
    return str(name)[: AccessAttempt._meta.get_field("username").max_length]


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` with a personal token from the tokens page.

    The request then acts as the token's user: the same role, rights and scope. A wrong key counts
    as a failed sign-in for login protection, so guessing keys locks the address out like
    guessing passwords.
    """

    keyword = "Token"

    def authenticate(self, request: Request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as 'Authorization: Token <key>', with no spaces in the key.")
            )
        django_request = request._request
        if settings.AXES_ENABLED and AxesProxyHandler.is_locked(django_request, {}):
            raise exceptions.Throttled(
                detail=_("Too many failed sign-ins from this address; try again later.")
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            key = ""
        # Imported here: DRF loads this class while rest_framework.views is still importing.
        from accounts.tokens import api_token_authenticate

        token = api_token_authenticate(key=key) if key else None
        if token is None:
            user_login_failed.send(
                sender=type(self),
                credentials={"username": f"api-token:{key[:10]}"},
                request=django_request,
            )
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        # The token user's saved language, as UserLanguageMiddleware does for a session.
        code = user_saved_language(token.user)
        if code:
            translation.activate(code)
            django_request.LANGUAGE_CODE = translation.get_language()
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """Axes' answer to a locked-out caller: JSON for the API, the styled page elsewhere (429)."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": _("Too many failed sign-ins; try again later."),
                "retry_after_minutes": minutes,
            },
            status=429,
        )
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
