"""Fixed-window rate limits: in Redis when configured (shared by every gateway replica), else in memory.

Anonymous requests are limited per address. Requests carrying a token of an API client (``typ`` "client")
are limited per client, at the limit the token carries (``rate_limit_per_minute``, else the default
setting), and counted for the client's usage report. The token is verified here only to learn who is
calling; an invalid one passes on untouched, and the service it reaches answers 401.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.config import GatewaySettings
from gateway.identity import oauth_errors
from gateway.state import GatewayEdge, gateway_edge
from services.common.auth import TokenVerifier
from services.common.errors import ProblemError, problem_bytes
from services.common.i18n import msg
from services.common.ratelimit import Limiter, address_key
from services.common.ratelimit import build_limiter as build_shared_limiter

log = logging.getLogger("asn.ratelimit")


def build_limiter(settings: GatewaySettings) -> Limiter:
    """The gateway's counters: Redis when a URL is configured, else memory."""
    return build_shared_limiter(settings.redis_url, prefix="asn:rl")


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class ClientIdentityCache:
    """Remembers which API client a verified token belongs to (bounded LRU keyed by the token's hash), so a
    client's repeated calls with one token cost one signature check, not one per request."""

    def __init__(self, verifier: TokenVerifier, max_entries: int = 4096) -> None:
        self.verifier = verifier
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, tuple[str | None, int | None, float]] = OrderedDict()

    async def client_of(self, token: str) -> tuple[str | None, int | None]:
        """(client id, its limit claim) for a valid client token; (None, None) for any other token."""
        key = hashlib.sha256(token.encode("latin-1", "replace")).digest()
        now = time.time()
        hit = self._entries.get(key)
        if hit is not None and hit[2] > now:
            self._entries.move_to_end(key)
            return hit[0], hit[1]
        try:
            principal = await self.verifier.verify(token)
        except ProblemError:
            return None, None
        claims: dict[str, Any] = principal.claims
        client_id: str | None = principal.subject if claims.get("typ") == "client" else None
        limit = claims.get("rate_limit_per_minute")
        limit = limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else None
        expires = claims.get("exp")
        self._entries[key] = (client_id, limit, float(expires) if isinstance(expires, int | float) else now)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return client_id, limit


def _bearer_token(scope: Scope) -> str | None:
    """The bearer token of the request; None when there is no Authorization header, "" when it is not
    a bearer token."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return None


async def _too_many(send: Send, scope: Scope, detail: str, retry: int) -> None:
    if scope["path"] == oauth_errors.TOKEN_PATH:
        # The token endpoint answers in RFC 6749's format even here, so OAuth libraries see `slow_down`.
        status, body, extra = oauth_errors.render(oauth_errors.SlowDown(retry, detail))
        headers = [(k.lower().encode(), v.encode()) for k, v in extra.items()]
    else:
        status, body = 429, problem_bytes(429, detail)
        headers = [(b"content-type", b"application/problem+json"), (b"retry-after", str(retry).encode())]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RateLimitMiddleware:
    """Per-IP limit for anonymous callers (no Authorization header) and per-client limit for API clients'
    tokens: 429 with Retry-After. Client requests are also counted for the usage report."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._clients: ClientIdentityCache | None = None

    def _identities(self, state: GatewayEdge) -> ClientIdentityCache:
        if state.verifier is None:
            raise RuntimeError("the gateway verifies no tokens")
        if self._clients is None or self._clients.verifier is not state.verifier:
            self._clients = ClientIdentityCache(state.verifier)
        return self._clients

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ("/healthz", "/readyz"):
            await self.app(scope, receive, send)
            return
        state = gateway_edge(scope["app"])
        settings = state.settings
        limiter = state.limiter
        token = _bearer_token(scope)
        if token is None:
            allowed, retry = await limiter.hit(
                f"ip:{address_key(client_ip(scope))}", settings.anonymous_rate_limit_per_minute
            )
            if not allowed:
                await _too_many(send, scope, msg("Too many requests from this address; retry later."), retry)
                return
        elif token and state.verifier is not None:
            client_id, limit = await self._identities(state).client_of(token)
            if client_id is not None:
                usage = state.client_usage
                if usage is not None:
                    usage.record(client_id)
                allowed, retry = await limiter.hit(
                    f"client:{client_id}", limit or settings.client_rate_limit_per_minute
                )
                if not allowed:
                    await _too_many(
                        send, scope, msg("This API client's rate limit is used up; retry later."), retry
                    )
                    return
        await self.app(scope, receive, send)
