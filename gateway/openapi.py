"""The merged OpenAPI of the gateway: its own routes plus every service's, with paths carrying their
``/kinerja`` (etc.) prefix. ``/internal/`` paths are left out because the gateway never forwards them."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.common.errors import problem_json_only

log = logging.getLogger("asn.openapi")
SERVICES = ("kinerja", "pelatihan", "publik")
_CACHE_TTL_S = 60.0


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/"):
                name = value.rsplit("/", 1)[1]
                out[key] = "#/components/schemas/" + renames.get(name, name)
            else:
                out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, renames) for v in node]
    return node


def merge_specs(gateway_spec: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Merge service specs into the gateway's. A schema name two apps define differently is prefixed
    with the service name; identical definitions are shared."""
    merged = copy.deepcopy(gateway_spec)
    schemas: dict[str, Any] = merged.setdefault("components", {}).setdefault("schemas", {})
    paths: dict[str, Any] = merged.setdefault("paths", {})
    for own in [p for p in paths if p.startswith("/internal/")]:  # the gateway's own, if ever in its schema
        del paths[own]
    tags: list[dict[str, Any]] = merged.setdefault("tags", [])
    known_tags = {t["name"] for t in tags}
    for name in sorted(services):
        spec = services[name]
        prefix = name.capitalize()
        renames: dict[str, str] = {}
        for schema_name, schema in spec.get("components", {}).get("schemas", {}).items():
            if schema_name in schemas and schemas[schema_name] != schema:
                renames[schema_name] = prefix + schema_name
        for schema_name, schema in spec.get("components", {}).get("schemas", {}).items():
            schemas[renames.get(schema_name, schema_name)] = _rewrite_refs(schema, renames)
        for path, item in spec.get("paths", {}).items():
            if path.startswith("/internal/"):
                continue
            item = _rewrite_refs(item, renames)
            for op in item.values():
                if isinstance(op, dict) and "operationId" in op:
                    op["operationId"] = f"{name}_{op['operationId']}"
                    op["tags"] = [t if t != "ops" else f"{name}-ops" for t in op.get("tags", [name])]
            paths[f"/{name}{path}"] = item
        for tag in spec.get("tags", []):
            tag_name = tag["name"] if tag["name"] != "ops" else f"{name}-ops"
            if tag_name not in known_tags:
                tags.append({**tag, "name": tag_name})
                known_tags.add(tag_name)
        for scheme, value in spec.get("components", {}).get("securitySchemes", {}).items():
            merged["components"].setdefault("securitySchemes", {}).setdefault(scheme, value)
    problem_json_only(paths)
    return merged


def install_merged_openapi(app: FastAPI) -> None:
    """Replace the gateway's /openapi.json with the merged spec, fetched from the upstreams and cached."""
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != "/openapi.json"]
    cache: dict[str, Any] = {"at": 0.0, "body": None}
    lock = asyncio.Lock()

    async def fetch(client: httpx.AsyncClient, url: str) -> dict[str, Any] | None:
        try:
            resp = await client.get(url + "/openapi.json")
            resp.raise_for_status()
            body: dict[str, Any] = resp.json()
            return body
        except (httpx.HTTPError, ValueError):
            log.warning("could not fetch the OpenAPI of %s", url)
            return None

    @app.get("/openapi.json", include_in_schema=False)
    async def merged_openapi(request: Request) -> JSONResponse:
        async with lock:
            if cache["body"] is None or time.monotonic() - cache["at"] > _CACHE_TTL_S:
                upstreams = request.app.state.upstreams
                async with httpx.AsyncClient(timeout=3.0, trust_env=False) as client:
                    results = await asyncio.gather(
                        *(fetch(client, upstreams.base_urls(name)[0]) for name in SERVICES)
                    )
                specs = {n: s for n, s in zip(SERVICES, results, strict=True) if s is not None}
                cache["body"] = json.dumps(merge_specs(app.openapi(), specs)).encode()
                # A partial merge (a service down) is retried soon rather than cached for a minute.
                cache["at"] = time.monotonic() - (0 if len(specs) == len(SERVICES) else _CACHE_TTL_S - 5)
        return JSONResponse(content=json.loads(cache["body"]))
