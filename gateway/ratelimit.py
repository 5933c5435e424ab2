"""Fixed-window rate limits: in Redis when configured (shared by every gateway replica), else in memory.

Anonymous requests are limited per address. Requests carrying a token of an API client (``typ`` "client")
are limited per client, at the limit the token carries (``rate_limit_per_minute``, else the default
setting), and counted for the client's usage report. The token is verified here only to learn who is
calling; an invalid one passes on untouched, and the service it reaches answers 401.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import OrderedDict
from typing import Any, Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.config import GatewaySettings
from services.common.auth import TokenVerifier
from services.common.errors import ProblemError, problem_bytes

log = logging.getLogger("asn.ratelimit")


class Limiter(Protocol):
    """Counts hits per key and window."""

    async def hit(self, key: str, limit: int, window_s: int = 60) -> tuple[bool, int]:
        """Count one hit; returns (allowed, seconds until the window resets)."""
        ...

    async def reset(self, key: str, window_s: int = 60) -> None: ...

    async def close(self) -> None: ...


class MemoryLimiter:
    """Per-process counters (one replica, or development)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._last_sweep = 0

    async def hit(self, key: str, limit: int, window_s: int = 60) -> tuple[bool, int]:
        now = time.time()
        window = int(now // window_s)
        if window != self._last_sweep:
            # Drop past windows so memory stays bounded by the keys of the current one.
            self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            self._last_sweep = window
        count = self._counts.get((key, window), 0) + 1
        self._counts[(key, window)] = count
        retry = max(1, math.ceil((window + 1) * window_s - now))
        return count <= limit, retry

    async def reset(self, key: str, window_s: int = 60) -> None:
        self._counts.pop((key, int(time.time() // window_s)), None)

    async def close(self) -> None:
        return None


class RedisLimiter:
    """Counters in Redis, so every gateway replica shares them. Fails open (logged) if Redis is down:
    an outage of the limiter must not take the API down."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    async def hit(self, key: str, limit: int, window_s: int = 60) -> tuple[bool, int]:
        now = time.time()
        window = int(now // window_s)
        rkey = f"asn:rl:{key}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(rkey)
                pipe.expire(rkey, window_s + 1)
                count, _ = await pipe.execute()
        except Exception:
            log.warning("rate limiter unavailable; allowing request", exc_info=True)
            return True, 0
        retry = max(1, math.ceil((window + 1) * window_s - now))
        return int(count) <= limit, retry

    async def reset(self, key: str, window_s: int = 60) -> None:
        try:
            await self._redis.delete(f"asn:rl:{key}:{int(time.time() // window_s)}")
        except Exception:
            log.warning("rate limiter unavailable on reset", exc_info=True)

    async def close(self) -> None:
        await self._redis.aclose()


def build_limiter(settings: GatewaySettings) -> Limiter:
    """Redis when a URL is configured, else memory."""
    if settings.redis_url:
        return RedisLimiter(settings.redis_url)
    return MemoryLimiter()


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


async def _too_many(send: Send, detail: str, retry: int) -> None:
    body = problem_bytes(429, detail)
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RateLimitMiddleware:
    """Per-IP limit for anonymous callers (no Authorization header) and per-client limit for API clients'
    tokens: 429 with Retry-After. Client requests are also counted for the usage report."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._clients: ClientIdentityCache | None = None

    def _identities(self, state: Any) -> ClientIdentityCache:
        if self._clients is None or self._clients.verifier is not state.verifier:
            self._clients = ClientIdentityCache(state.verifier)
        return self._clients

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ("/healthz", "/readyz"):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        settings: GatewaySettings = state.settings
        limiter: Limiter = state.limiter
        token = _bearer_token(scope)
        if token is None:
            allowed, retry = await limiter.hit(
                f"ip:{client_ip(scope)}", settings.anonymous_rate_limit_per_minute
            )
            if not allowed:
                await _too_many(send, "Too many requests from this address; retry later.", retry)
                return
        elif token and getattr(state, "verifier", None) is not None:
            client_id, limit = await self._identities(state).client_of(token)
            if client_id is not None:
                usage = getattr(state, "client_usage", None)
                if usage is not None:
                    usage.record(client_id)
                allowed, retry = await limiter.hit(
                    f"client:{client_id}", limit or settings.client_rate_limit_per_minute
                )
                if not allowed:
                    await _too_many(send, "This API client's rate limit is used up; retry later.", retry)
                    return
        await self.app(scope, receive, send)
