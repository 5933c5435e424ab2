"""Fixed-window counters for rate limits: in Redis when configured (shared by every replica), else in memory.

Used by the gateway (anonymous callers, API clients, failed logins) and by publik (citizen surveys).
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
import time
from collections.abc import Sequence
from typing import Protocol

from starlette.datastructures import Headers
from starlette.types import Scope

log = logging.getLogger("asn.ratelimit")

# One IPv6 customer (a home, a cloud VM) gets a whole /64 and picks any address in it at will, so a limit
# keyed on the full address is 2**64 limits. Every per-address limit keys on the /64 instead.
IPV6_PREFIX = 64


@functools.lru_cache(maxsize=4096)
def address_key(host: str) -> str:
    """The key a per-address limit counts ``host`` under: an IPv4 address as is, an IPv6 address as its
    /64 network (an IPv4-mapped IPv6 address as the IPv4 address), anything unparsable as given."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


@functools.lru_cache(maxsize=1024)
def _trusted(peer: str, trusted_proxies: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in trusted_proxies)


def client_address_key(scope: Scope, trusted_proxies: Sequence[str] = ()) -> str:
    """The key a per-address limit counts the caller of an ASGI connection under (:func:`address_key`: the
    /64 for IPv6): the peer's address ("unknown" when the server names none) or, when the peer is one of
    ``trusted_proxies`` (addresses or networks: publik behind the gateway), the last X-Forwarded-For hop,
    which that proxy appends itself (earlier hops are whatever the client claimed). The gateway, the edge,
    trusts no proxy."""
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    if trusted_proxies and _trusted(peer, tuple(trusted_proxies)):
        forwarded = Headers(scope=scope).get("x-forwarded-for")
        if forwarded:
            return address_key(forwarded.split(",")[-1].strip() or peer)
    return address_key(peer)


class Limiter(Protocol):
    """Counts hits per key and window."""

    async def hit(self, key: str, limit: int, window_s: int = 60) -> tuple[bool, int]:
        """Count one hit; returns (allowed, seconds until the window resets)."""
        ...

    async def reset(self, key: str, window_s: int = 60) -> None:
        """Forget the current window's count of ``key``."""
        ...

    async def count(self, key: str, window_s: int = 60) -> int:
        """The current window's count of ``key`` (counting nothing)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


def _retry_after(window: int, window_s: int, now: float) -> int:
    return max(1, math.ceil((window + 1) * window_s - now))


class MemoryLimiter:
    """Per-process counters (one replica, or development)."""

    @staticmethod
    def clock() -> float:
        """The clock the windows are counted on: the wall clock. The tests pin it (tests/conftest.py): a
        window aligned to the wall clock starts its count again at its edge, so on a loaded machine a
        test's burst could fall on both sides of one."""
        return time.time()

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._last_sweep = -1

    async def hit(self, key: str, limit: int, window_s: int = 60) -> tuple[bool, int]:
        """Count one hit in the current window."""
        now = self.clock()
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
        self._counts.pop((key, int(self.clock() // window_s)), None)

    async def count(self, key: str, window_s: int = 60) -> int:
        """The current window's count of ``key``."""
        return self._counts.get((key, int(self.clock() // window_s)), 0)

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

    async def count(self, key: str, window_s: int = 60) -> int:
        """The current window's count of ``key``, shared by every replica (0 when Redis is down)."""
        try:
            value = await self._redis.get(f"{self.prefix}:{key}:{int(time.time() // window_s)}")
        except Exception:
            log.warning("rate limiter unavailable on count", exc_info=True)
            return 0
        return int(value or 0)

    async def close(self) -> None:
        """Close the Redis pool."""
        await self._redis.aclose()


def build_limiter(redis_url: str | None, *, prefix: str) -> Limiter:
    """Redis when a URL is configured, else memory."""
    return RedisLimiter(redis_url, prefix=prefix) if redis_url else MemoryLimiter()
