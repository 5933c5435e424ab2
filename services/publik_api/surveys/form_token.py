"""Signed, short-lived SKM form tokens: the server's answer to "one answer per form" without trusting the client.

A token is ``<unit hex>.<expiry, unix seconds>.<nonce hex>.<signature>``; the signature is HMAC-SHA256 under
``PUBLIK_SURVEY_FORM_KEY`` over the first three parts (with a version prefix), base64url without padding.
Nothing is stored when a token is issued: the nonce is stored with the answer it brought, under a unique
constraint, so a second answer with the same token is refused by the database itself, whichever replica
takes it. The token names the unit it was issued for, so it cannot be spent on another unit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

_PREFIX = b"skm-form:v1:"
_SHAPE = re.compile(r"^([0-9a-f]{32})\.(\d{1,12})\.([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$")


class FormTokenError(ValueError):
    """The token is malformed, forged, expired or for another unit (the message says which, for the citizen)."""


@dataclass(frozen=True)
class FormToken:
    """A verified token's contents."""

    unit_id: uuid.UUID
    expires_at: datetime
    nonce: str


def _sign(key: bytes, payload: str) -> str:
    mac = hmac.new(key, _PREFIX + payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def issue(key: bytes, unit_id: uuid.UUID, now: datetime, ttl_s: int) -> tuple[str, datetime]:
    """A fresh token for one answer about ``unit_id``, valid ``ttl_s`` seconds from ``now``."""
    expires = int(now.timestamp()) + ttl_s
    payload = f"{unit_id.hex}.{expires}.{secrets.token_hex(16)}"
    return f"{payload}.{_sign(key, payload)}", datetime.fromtimestamp(expires, UTC)


def verify(key: bytes, token: str, unit_id: uuid.UUID, now: datetime) -> FormToken:
    """The token's contents when it is genuine, unexpired and for ``unit_id``; FormTokenError otherwise."""
    match = _SHAPE.match(token)
    if match is None:
        raise FormTokenError("malformed form token")
    unit_hex, expires, nonce, signature = match.groups()
    if not hmac.compare_digest(_sign(key, f"{unit_hex}.{expires}.{nonce}"), signature):
        raise FormTokenError("invalid form token")
    if int(expires) <= now.timestamp():
        raise FormTokenError("form token expired; reload the form")
    if unit_hex != unit_id.hex:
        raise FormTokenError("form token was issued for another unit")
    return FormToken(
        unit_id=uuid.UUID(unit_hex), expires_at=datetime.fromtimestamp(int(expires), UTC), nonce=nonce
    )
