"""Abuse guards of the SKM survey: a per-address fixed-window limit (Redis when configured, so every replica
shares the count; memory otherwise). The address is services.common.ratelimit.client_address_key's, with the
gateway as a trusted proxy (``PUBLIK_TRUSTED_PROXIES``)."""

from __future__ import annotations

from services.common.ratelimit import Limiter
from services.common.ratelimit import build_limiter as build_shared_limiter


def build_limiter(redis_url: str | None) -> Limiter:
    """The survey counters: Redis when configured (shared by every replica), else memory."""
    return build_shared_limiter(redis_url, prefix="asn:publik:rl")
