"""Links a client can follow from wherever it called us: every path a service writes into an answer
(``Location``, task links, a problem's ``instance``, ``next`` URLs) goes through :func:`link`.

A service is mounted below a prefix at the gateway (``/kinerja``, ``/pelatihan``, ``/publik``); the gateway
strips it when forwarding and says so in ``X-Forwarded-Prefix``, which it always sets itself (a client's copy
is dropped). A service called directly (tests, service-to-service) gets no header and writes bare paths.
The value is accepted only when it is a plain absolute path of safe segments, so a stray header can never turn
a link into another origin (``//evil.example``) or inject anything into a header.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from starlette.types import Scope

PREFIX_HEADER = "X-Forwarded-Prefix"
PREFIX_HEADER_RAW = PREFIX_HEADER.lower().encode()
# One or more "/segment" of unreserved characters; nothing else (no "//", no "..", no scheme, no query).
_SAFE_PREFIX = re.compile(r"^(?:/(?!\.\.?(?:/|$))[A-Za-z0-9._~-]+)+$")


def clean_prefix(value: str | None) -> str:
    """The prefix to put in front of links, or "" when the value is absent or not a safe path."""
    if not value:
        return ""
    value = value.strip().rstrip("/")
    return value if _SAFE_PREFIX.match(value) else ""


def scope_prefix(scope: Scope) -> str:
    """The forwarded prefix of an ASGI request (the last copy wins; the gateway sends exactly one)."""
    found: bytes | None = None
    for name, value in scope.get("headers", ()):
        if name == PREFIX_HEADER_RAW:
            found = value
    return clean_prefix(found.decode("latin-1")) if found is not None else ""


def link(scope: Scope, path: str) -> str:
    """``path`` (a service path such as ``/v1/evaluations/7``) as the caller must request it."""
    return scope_prefix(scope) + path


async def request_prefix(request: Request) -> str:
    """Dependency: the prefix of this request, for service functions that build links (they never see the
    request themselves)."""
    return scope_prefix(request.scope)


LinkPrefix = Annotated[str, Depends(request_prefix)]
