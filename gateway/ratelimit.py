"""Fixed-window rate limits: in Redis when configured (shared by every gateway replica), else in memory."""

from __future__ import annotations

import logging
import math
import time
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.config import GatewaySettings
from services.common.errors import problem_bytes

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


class RateLimitMiddleware:
    """Per-IP limit for anonymous callers (no Authorization header): 429 with Retry-After."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ("/healthz", "/readyz"):
            await self.app(scope, receive, send)
            return
        if not any(name == b"authorization" for name, _ in scope["headers"]):
            state = scope["app"].state
            settings: GatewaySettings = state.settings
            limiter: Limiter = state.limiter
            allowed, retry = await limiter.hit(
                f"ip:{client_ip(scope)}", settings.anonymous_rate_limit_per_minute
            )
            if not allowed:
                body = problem_bytes(429, "Too many requests from this address; retry later.")
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
                return
        await self.app(scope, receive, send)
