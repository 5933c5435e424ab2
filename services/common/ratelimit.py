"""Fixed-window counters for rate limits: in Redis when configured (shared by every replica), else in memory.

Used by the gateway (anonymous callers, API clients, failed logins) and by publik (citizen surveys).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from typing import Protocol

log = logging.getLogger("asn.ratelimit")


class Limiter(Protocol):
    """Counts hits per key and window."""

    async def hit(self, key: str, limit: int, window_s: int = 60) -> tuple[bool, int]:
        """Count one hit; returns (allowed, seconds until the window resets)."""
        ...

    async def reset(self, key: str, window_s: int = 60) -> None:
        """Forget the current window's count of ``key``."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def address_key(ip: str) -> str:
    """The rate-limit key of a client address: an IPv4 address as it is, an IPv6 address as its /64.

    One IPv6 subscriber usually holds a whole /64 (often far more) and picks any address in it at will, so a
    per-address count would let one household open 2**64 fresh buckets. IPv4-mapped IPv6 addresses count as
    the IPv4 address they carry; anything that is not an address (``"unknown"``) is its own key."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _retry_after(window: int, window_s: int, now: float) -> int:
    return max(1, math.ceil((window + 1) * window_s - now))


class MemoryLimiter:
    """Per-process counters (one replica, or development)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._last_sweep = -1

    async def hit(self, key: str, limit: int, window_s: int = 60) -> tuple[bool, int]:
        """Count one hit in the current window."""
        now = time.time()
        window = int(now // window_s)
        if window != self._last_sweep:
            # Drop past windows so memory stays bounded by the keys of the current one.
            self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            self._last_sweep = window
        count = self._counts.get((key, window), 0) + 1
        self._counts[(key, window)] = count
        return count <= limit, _retry_after(window, window_s, now)

    async def reset(self, key: str, window_s: int = 60) -> None:
        """Forget the current window's count of ``key``."""
        self._counts.pop((key, int(time.time() // window_s)), None)

    async def close(self) -> None:
        """Nothing to release."""


class RedisLimiter:
    """Counters in Redis, so every replica shares them. Fails open (logged) if Redis is down: an outage of
    the limiter must not take the API down, nor stop citizens from answering a survey."""

    def __init__(self, url: str, *, prefix: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = prefix

    async def hit(self, key: str, limit: int, window_s: int = 60) -> tuple[bool, int]:
        """Count one hit in the current window, shared by every replica."""
        now = time.time()
        window = int(now // window_s)
        rkey = f"{self.prefix}:{key}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(rkey)
                pipe.expire(rkey, window_s + 1)
                count, _ = await pipe.execute()
        except Exception:
            log.warning("rate limiter unavailable; allowing the request", exc_info=True)
            return True, 0
        return int(count) <= limit, _retry_after(window, window_s, now)

    async def reset(self, key: str, window_s: int = 60) -> None:
        """Forget the current window's count of ``key``."""
        try:
            await self._redis.delete(f"{self.prefix}:{key}:{int(time.time() // window_s)}")
        except Exception:
            log.warning("rate limiter unavailable on reset", exc_info=True)

    async def close(self) -> None:
        """Close the Redis pool."""
        await self._redis.aclose()


def build_limiter(redis_url: str | None, *, prefix: str) -> Limiter:
    """Redis when a URL is configured, else memory."""
    return RedisLimiter(redis_url, prefix=prefix) if redis_url else MemoryLimiter()
