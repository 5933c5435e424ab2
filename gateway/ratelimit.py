"""Fixed-window rate limits: in Redis when configured (shared by every gateway replica), else in memory.

Every request counts under exactly one limit, and only a verified token moves it off the per-address one:

- no token, a non-bearer Authorization header (``Basic ...``) or a bearer token that does not verify: the
  per-address limit (``anonymous_rate_limit_per_minute``; IPv6 counted per /64);
- a verified person's token (``typ`` "user"): per person (``user_rate_limit_per_minute``), never per
  address, so an office behind one NAT address does not share one budget;
- a verified API client's token (``typ`` "client"): per client, at the limit the token carries
  (``rate_limit_per_minute``, else ``client_rate_limit_per_minute``), and counted for its usage report.

The token is verified here only to learn who is calling; an invalid one passes on (after counting against
the address) and the service it reaches answers 401.
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
from gateway.state import gateway_edge
from services.common.auth import TokenVerifier
from services.common.errors import ProblemError, problem_bytes
from services.common.i18n import msg
from services.common.ratelimit import Limiter, client_address_key
from services.common.ratelimit import build_limiter as build_shared_limiter

log = logging.getLogger("asn.ratelimit")


def build_limiter(settings: GatewaySettings) -> Limiter:
    """The gateway's counters: Redis when a URL is configured, else memory."""
    return build_shared_limiter(settings.redis_url, prefix="asn:rl")


# Who a token says is calling: ("client", client id, its limit claim), ("user", subject, None), or None when
# the token does not verify (or is neither kind).
Caller = tuple[str, str, int | None] | None


class ClientIdentityCache:
    """Remembers who a verified token belongs to (bounded LRU keyed by the token's hash, until the token
    expires), so repeated calls with one token cost one signature check, not one per request. Tokens that
    do not verify are not remembered: each is checked again, and each counts against its address."""

    def __init__(self, verifier: TokenVerifier, max_entries: int = 4096) -> None:
        self.verifier = verifier
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, tuple[Caller, float]] = OrderedDict()

    async def caller_of(self, token: str) -> Caller:
        """The verified caller of ``token``; None for a token that does not verify."""
        key = hashlib.sha256(token.encode("latin-1", "replace")).digest()
        now = time.time()
        hit = self._entries.get(key)
        if hit is not None and hit[1] > now:
            self._entries.move_to_end(key)
            return hit[0]
        try:
            principal = await self.verifier.verify(token)
        except ProblemError:
            return None
        claims: dict[str, Any] = principal.claims
        caller: Caller
        if claims.get("typ") == "client":
            limit = claims.get("rate_limit_per_minute")
            limit = limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else None
            caller = ("client", principal.subject, limit)
        else:
            caller = ("user", principal.subject, None)
        expires = claims.get("exp")
        self._entries[key] = (caller, float(expires) if isinstance(expires, int | float) else now)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return caller


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
    """One limit per request: per person for a verified user token, per client for a verified client token
    (also counted for the usage report), per address for everything else; 429 with Retry-After."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._clients: ClientIdentityCache | None = None

    def _identities(self, verifier: TokenVerifier) -> ClientIdentityCache:
        if self._clients is None or self._clients.verifier is not verifier:
            self._clients = ClientIdentityCache(verifier)
        return self._clients

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ("/healthz", "/readyz"):
            await self.app(scope, receive, send)
            return
        state = gateway_edge(scope["app"])
        settings = state.settings
        token = _bearer_token(scope)
        caller: Caller = None
        if token and state.verifier is not None:
            caller = await self._identities(state.verifier).caller_of(token)
        if caller is None:
            key, limit = f"ip:{client_address_key(scope)}", settings.anonymous_rate_limit_per_minute
            detail = msg("Too many requests from this address; retry later.")
        elif caller[0] == "client":
            if state.client_usage is not None:
                state.client_usage.record(caller[1])
            key, limit = f"client:{caller[1]}", caller[2] or settings.client_rate_limit_per_minute
            detail = msg("This API client's rate limit is used up; retry later.")
        else:
            key, limit = f"user:{caller[1]}", settings.user_rate_limit_per_minute
            detail = msg("Too many requests with this account's tokens; retry later.")
        allowed, retry = await state.limiter.hit(key, limit)
        if not allowed:
            await _too_many(send, scope, detail, retry)
            return
        await self.app(scope, receive, send)
