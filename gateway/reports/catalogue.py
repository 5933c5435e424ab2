"""The report catalogue, built from the merged OpenAPI so it cannot drift from the code: every operation
carrying the ``x-report`` extension (set by ``services.common.reports.ReportSpec`` on each report route) is a
report. The merged spec is fetched from the upstreams through the report clients and cached like
``gateway/openapi.py`` caches it (60 s; a partial merge is retried after 5 s)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

from gateway.openapi import merge_specs
from gateway.reports.clients import ReportClients, UpstreamUnavailable
from gateway.reports.schemas import Catalogue, CatalogueEntry, CatalogueParameter
from services.common import clock
from services.common.apps import SERVICE_NAMES

log = logging.getLogger("asn.reports")
CACHE_TTL_S = 60.0
PARTIAL_TTL_S = 5.0
METHODS = ("get", "post", "put", "patch", "delete")


def _type_of(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        kinds = [_type_of(s) for s in schema["anyOf"] if s.get("type") != "null"]
        return " | ".join(kinds) or "null"
    kind = str(schema.get("type", "object"))
    if "format" in schema:
        kind += f" ({schema['format']})"
    if "pattern" in schema:
        kind += f" matching {schema['pattern']}"
    return kind


def entries(spec: dict[str, Any]) -> list[CatalogueEntry]:
    """Every ``x-report`` operation of a merged spec, in path order."""
    out: list[CatalogueEntry] = []
    for path in sorted(spec.get("paths", {})):
        item = spec["paths"][path]
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict) or "x-report" not in op:
                continue
            ext = op["x-report"]
            segment = path.strip("/").split("/", 1)[0]
            params = [
                CatalogueParameter(
                    name=p["name"],
                    location=p.get("in", "query"),
                    required=bool(p.get("required", False)),
                    type=_type_of(p.get("schema", {})),
                    description=p.get("description") or p.get("schema", {}).get("description"),
                )
                for p in op.get("parameters", [])
                if p.get("in") in ("query", "path")
            ]
            out.append(
                CatalogueEntry(
                    name=ext.get("name", op.get("operationId", path)),
                    service=segment if segment in SERVICE_NAMES else "gateway",
                    path=path,
                    method=method.upper(),
                    operation_id=op.get("operationId", ""),
                    summary=op.get("summary", ""),
                    description=op.get("description", ""),
                    parameters=params,
                    media_types=list(ext.get("media_types", [])),
                    roles=list(ext.get("roles", [])),
                    schema_version=str(ext.get("schema_version", "")),
                    rows=ext.get("rows"),
                    columns=ext.get("columns", []),
                    data_as_of=ext.get("data_as_of", ""),
                )
            )
    return out


class CatalogueCache:
    """The merged spec's reports, rebuilt at most once a minute (every 5 s while a service is missing)."""

    def __init__(self, gateway_spec: Any) -> None:
        self._gateway_spec = gateway_spec  # a callable returning the gateway's own spec
        self._lock = asyncio.Lock()
        self._at = 0.0
        self._ttl = 0.0
        self._body: Catalogue | None = None

    async def _fetch(self, clients: ReportClients, name: str) -> dict[str, Any] | None:
        try:
            resp = await clients.get(name, "/openapi.json", {}, {})
            resp.raise_for_status()
            body: dict[str, Any] = resp.json()
            return body
        except (UpstreamUnavailable, httpx.HTTPError, ValueError) as exc:  # that service is missing
            log.warning("report catalogue: no OpenAPI from %s (%s)", name, type(exc).__name__)
            return None

    async def get(self, clients: ReportClients) -> Catalogue:
        async with self._lock:
            if self._body is None or time.monotonic() - self._at > self._ttl:
                results = await asyncio.gather(*(self._fetch(clients, n) for n in SERVICE_NAMES))
                specs = {n: s for n, s in zip(SERVICE_NAMES, results, strict=True) if s is not None}
                merged = merge_specs(self._gateway_spec(), specs)
                now = clock.now()
                missing = [n for n in SERVICE_NAMES if n not in specs]
                self._body = Catalogue(
                    schema_version="1",
                    generated_at=now,
                    data_as_of=now,
                    reports=entries(merged),
                    missing_services=missing,
                )
                self._at = time.monotonic()
                self._ttl = PARTIAL_TTL_S if missing else CACHE_TTL_S
            return self._body
