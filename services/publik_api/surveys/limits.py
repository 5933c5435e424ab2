"""Abuse guards of the SKM survey: a per-IP fixed-window limit (Redis when configured, so every replica
shares the count; memory otherwise) and the client IP as seen behind the trusted gateway."""

from __future__ import annotations

import functools
import ipaddress
import logging

from starlette.requests import Request

from services.common.ratelimit import Limiter, address_key
from services.common.ratelimit import build_limiter as build_shared_limiter

log = logging.getLogger("asn.publik.limits")


def build_limiter(redis_url: str | None) -> Limiter:
    """The survey counters: Redis when configured (shared by every replica), else memory."""
    return build_shared_limiter(redis_url, prefix="asn:publik:rl")


@functools.lru_cache(maxsize=1024)
def _trusted(peer: str, trusted_proxies: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in trusted_proxies)


def client_ip(request: Request, trusted_proxies: list[str]) -> str:
    """The caller's address key (services.common.ratelimit.address_key: the /64 for IPv6): the peer, or
    behind a trusted proxy (the gateway) the last X-Forwarded-For hop, which the gateway appends itself
    (earlier hops are whatever the client claimed)."""
    peer = request.client.host if request.client else "unknown"
    if _trusted(peer, tuple(trusted_proxies)):
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return address_key(forwarded.split(",")[-1].strip() or peer)
    return address_key(peer)
