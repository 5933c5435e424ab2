"""Request bodies larger than ``max_body_bytes``: one table, read by the services and by the gateway.

A service caps each of these paths at the size given here (``services/common/app.py`` hands the table
to its edge middleware); the gateway caps the same paths, under the service's prefix, at the same size
(``gateway/main.py``). One table, so the two caps cannot drift apart: a body the service accepts is never
refused with 413 one hop earlier, and a body the gateway forwards is never one the service refuses.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

_MIB = 1024 * 1024

# Service name -> {path as the service sees it: largest body in bytes}.
LARGE_BODY_PATHS: Final = MappingProxyType(
    {
        # The employee CSV import: a 10,000-employee file is about 1.1 MB; 20 MiB leaves room for the
        # province's largest agencies plus long names and positions.
        "kinerja": MappingProxyType({"/v1/employees/import": 20 * _MIB}),
    }
)


def service_body_limits(service: str) -> dict[str, int]:
    """The per-path caps of one app, keyed by the paths it serves (the gateway's: the services' paths under
    their prefix)."""
    if service == "gateway":
        return gateway_body_limits()
    return dict(LARGE_BODY_PATHS.get(service, {}))


def gateway_body_limits() -> dict[str, int]:
    """The same caps keyed by the gateway's paths (``/kinerja/v1/employees/import``)."""
    return {
        f"/{service}{path}": limit
        for service, paths in LARGE_BODY_PATHS.items()
        for path, limit in paths.items()
    }
