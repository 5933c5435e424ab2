"""Abuse guards of the SKM survey: a per-IP fixed-window limit (Redis when configured, so every replica
shares the count; memory otherwise) and the client IP as seen behind the trusted gateway."""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
import time
from typing import Protocol

from starlette.requests import Request

log = logging.getLogger("asn.publik.limits")


class Limiter(Protocol):
    """Counts hits per key and window."""

    async def hit(self, key: str, limit: int, window_s: int) -> tuple[bool, int]:
        """Count one hit; (allowed, seconds until the window resets)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MemoryLimiter:
    """Per-process counters (one replica, or development)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._window = -1

    async def hit(self, key: str, limit: int, window_s: int) -> tuple[bool, int]:
        """Count one hit in the current window."""
        now = time.time()
        window = int(now // window_s)
        if window != self._window:
            self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            self._window = window
        count = self._counts.get((key, window), 0) + 1
        self._counts[(key, window)] = count
        return count <= limit, max(1, math.ceil((window + 1) * window_s - now))

    async def close(self) -> None:
        """Nothing to release."""


class RedisLimiter:
    """Counters in Redis; fails open (logged) so a Redis outage cannot stop citizens from answering."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    async def hit(self, key: str, limit: int, window_s: int) -> tuple[bool, int]:
        """Count one hit in the current window, shared by every replica."""
        now = time.time()
        window = int(now // window_s)
        rkey = f"asn:publik:rl:{key}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(rkey)
                pipe.expire(rkey, window_s + 1)
                count, _ = await pipe.execute()
        except Exception:
            log.warning("survey limiter unavailable; allowing", exc_info=True)
            return True, 0
        return int(count) <= limit, max(1, math.ceil((window + 1) * window_s - now))

    async def close(self) -> None:
        """Close the Redis pool."""
        await self._redis.aclose()


def build_limiter(redis_url: str | None) -> Limiter:
    """Redis when a URL is configured, else memory."""
    return RedisLimiter(redis_url) if redis_url else MemoryLimiter()


@functools.lru_cache(maxsize=1024)
def _trusted(peer: str, trusted_proxies: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in trusted_proxies)


def client_ip(request: Request, trusted_proxies: list[str]) -> str:
    """The caller's IP: the peer, or behind a trusted proxy (the gateway) the last X-Forwarded-For hop,
    which the gateway appends itself (earlier hops are whatever the client claimed)."""
    peer = request.client.host if request.client else "unknown"
    if _trusted(peer, tuple(trusted_proxies)):
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[-1].strip() or peer
    return peer
