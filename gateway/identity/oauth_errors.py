"""Errors of the token endpoint, in the one format OAuth client libraries read (RFC 6749 §5.2).

``POST /auth/token`` is the one exception to the problem+json rule (docs/integrators.md, the API contract):
its errors are ``application/json`` objects ``{"error", "error_description"}`` with 400, or 401 with a
``WWW-Authenticate`` challenge when the client failed to authenticate, and 429 (with ``Retry-After``) when
failed attempts are rate limited. Strict clients (oauth4webapi, Authlib) refuse anything else, so every
error of that path — the grant's own, a malformed form, the edge rate limiter's — is rendered here.
No FastAPI here: the service raises these, the route and the rate-limit middleware render them.
"""

from __future__ import annotations

import json
from typing import Any

from services.common.request_id import current_request_id

TOKEN_PATH = "/auth/token"
# RFC 6749 §5.1 asks for these on token responses; errors get them too, so no cache keeps a refusal.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Sent with every invalid_client (RFC 6749 §5.2: required when the client used HTTP Basic, allowed always).
BASIC_CHALLENGE = 'Basic realm="asn"'


class OAuthError(Exception):
    """A token-endpoint error: ``error`` is the RFC 6749 code, ``status`` the HTTP status it is sent with."""

    status: int = 400
    error: str = "invalid_request"

    def __init__(self, description: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.headers = headers or {}


class InvalidRequest(OAuthError):
    """A parameter is missing, repeated, malformed, or two client authentication methods were used."""

    status, error = 400, "invalid_request"


class UnsupportedGrantType(OAuthError):
    """A grant type this server does not issue tokens for."""

    status, error = 400, "unsupported_grant_type"


class InvalidGrant(OAuthError):
    """The resource owner's credentials are wrong (or the account is locked or disabled)."""

    status, error = 400, "invalid_grant"


class InvalidScope(OAuthError):
    """The ``scope`` parameter is malformed (RFC 6749 §3.3)."""

    status, error = 400, "invalid_scope"


class UnauthorizedClient(OAuthError):
    """The client authenticated but may not use this grant type."""

    status, error = 400, "unauthorized_client"


class InvalidClient(OAuthError):
    """Client authentication failed: unknown client, wrong secret, revoked, or none where one is needed."""

    status, error = 401, "invalid_client"

    def __init__(self, description: str) -> None:
        super().__init__(description, headers={"WWW-Authenticate": BASIC_CHALLENGE})


class SlowDown(OAuthError):
    """Too many attempts from one address (``slow_down``, the registered OAuth code for "back off")."""

    status, error = 429, "slow_down"

    def __init__(self, retry_after_s: int, description: str) -> None:
        super().__init__(description, headers={"Retry-After": str(retry_after_s)})


def error_body(error: str, description: str) -> dict[str, Any]:
    """The JSON object of a token error; ``request_id`` (an extension member clients ignore) helps support."""
    body: dict[str, Any] = {"error": error, "error_description": description}
    rid = current_request_id()
    if rid:
        body["request_id"] = rid
    return body


def render(exc: OAuthError) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers (content type included) of a token error, for routes and middleware."""
    body = json.dumps(error_body(exc.error, exc.description), ensure_ascii=False).encode()
    return exc.status, body, {"Content-Type": "application/json", **NO_STORE, **exc.headers}
