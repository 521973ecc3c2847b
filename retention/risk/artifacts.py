"""Stored model artifacts are signed, and verified before they are unpickled.

A trained model is a joblib pickle kept in the database, and unpickling runs code: whoever could
write that column could run anything in the worker. Each artifact is therefore stored as
``MAGIC + HMAC-SHA256(key, payload) + payload`` and loaded only when the signature matches.
The key is ``RELAY_MODEL_SIGNING_KEY``, or one derived from ``SECRET_KEY`` when that is unset
(so changing either makes stored models unreadable: retrain them).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext as _

MAGIC = b"RELAY-HMAC-SHA256\x00"
_DIGEST_SIZE = hashlib.sha256().digest_size


class ArtifactRefused(Exception):
    """The artifact is unsigned, altered, or signed with another key; it was not loaded."""


def _key() -> bytes:
    configured = settings.RELAY_MODEL_SIGNING_KEY
    if configured:
        return configured.encode()
    return hashlib.sha256(b"relay.model-signing:" + settings.SECRET_KEY.encode()).digest()


def _signature(payload: bytes) -> bytes:
    return hmac.new(_key(), payload, hashlib.sha256).digest()


def sign(payload: bytes) -> bytes:
    """The payload with its signature in front, ready to store."""
    return MAGIC + _signature(payload) + payload


def verify(stored: bytes | memoryview | None) -> bytes:
    """The payload of a stored artifact, or ArtifactRefused when it is not signed by our key."""
    data = bytes(stored or b"")
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + _DIGEST_SIZE:
        raise ArtifactRefused(
            _(
                "The stored model is not signed, so it was not loaded. Retrain the model "
                "(Risk model page, or the model_retrain task) to store a signed one."
            )
        )
    signature = data[len(MAGIC) : len(MAGIC) + _DIGEST_SIZE]
    payload = data[len(MAGIC) + _DIGEST_SIZE :]
    if not hmac.compare_digest(signature, _signature(payload)):
        raise ArtifactRefused(
            _(
                "The stored model's signature does not match: it was altered, or signed with "
                "another RELAY_MODEL_SIGNING_KEY / SECRET_KEY. It was not loaded; retrain the "
                "model."
            )
        )
    return payload
