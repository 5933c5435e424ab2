"""Webhook signatures: the Standard Webhooks scheme (https://www.standardwebhooks.com/), the legacy scheme
of endpoints registered before it, and the multi-signature header during a secret rotation. No I/O here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from gateway.webhooks.models import LEGACY, STANDARD_WEBHOOKS, WebhookEndpoint

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in standard base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign_standard(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One Standard Webhooks signature, ``v1,<base64>``, over ``msg_id.timestamp.body``."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def sign_legacy(secret: str, timestamp: int, body: bytes) -> str:
    """The legacy signature, ``v1=<hex>`` over ``timestamp.body`` keyed with the whole secret string (endpoints
    registered before the Standard Webhooks scheme, until their secret is rotated; ends 2027-06-30)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def _sign(scheme: str, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    if scheme == STANDARD_WEBHOOKS:
        return sign_standard(secret, msg_id, timestamp, body)
    return sign_legacy(secret, timestamp, body)


def signature_header(
    endpoint: WebhookEndpoint, msg_id: str, timestamp: int, body: bytes, now: datetime
) -> str:
    """The ``webhook-signature`` value: the current secret's signature, then, while a rotation overlaps, the
    previous secret's (space-separated, the specification's multi-signature form). The current one comes
    first, so a receiver with the new secret matches before reaching a legacy ``v1=`` value (which the
    specification's libraries cannot parse) during the overlap of a legacy endpoint's switch."""
    signatures = [_sign(endpoint.signing_scheme, endpoint.secret, msg_id, timestamp, body)]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_expires_at is not None
        and endpoint.previous_secret_expires_at > now
    ):
        scheme = endpoint.previous_signing_scheme or LEGACY
        signatures.append(_sign(scheme, endpoint.previous_secret, msg_id, timestamp, body))
    return " ".join(signatures)
