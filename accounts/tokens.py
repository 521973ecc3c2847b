"""Personal API tokens: create (the key is returned once), authenticate, list, revoke."""

from __future__ import annotations

import hashlib
import secrets

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from config.errors import ApplicationError

KEY_PREFIX = "rly_"
# Writing last_used_at on every request would make each API call a write; once a minute is enough
# to tell an admin whether a token is still in use.
LAST_USED_RESOLUTION_SECONDS = 60


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its key, which is not stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise ApplicationError(
            _("Give the token a name, such as the script that will use it."), field="name"
        )
    if len(name) > 100:
        raise ApplicationError(_("The name is longer than 100 characters."), field="name")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=_hash(key), prefix=key[: len(KEY_PREFIX) + 6]
    )
    return token, key


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The active token of an active user with this key, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (404 for anyone else's). Revoking twice is a no-op."""
    token = get_object_or_404(ApiToken, pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
