"""The merged OpenAPI of the gateway: its own routes plus every service's, with paths carrying their
``/kinerja`` (etc.) prefix. ``/internal/`` paths are left out because the gateway never forwards them."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from gateway.state import gateway_state
from services.common.apps import SERVICE_NAMES
from services.common.errors import problem_json_only

log = logging.getLogger("asn.openapi")
_CACHE_TTL_S = 60.0
_SCHEMA_REF = "#/components/schemas/"


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
            merged_schema = _rewrite_refs(schema, renames)
            if schema_name in renames and "title" in merged_schema:
                # Generators name the model after the title: with the old one kept, the renamed schema and
                # the one it collided with would make one model, and one of them is dropped.
                merged_schema["title"] = renames[schema_name]
            schemas[renames.get(schema_name, schema_name)] = merged_schema
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
    _drop_unused_schemas(merged)
    return merged


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_SCHEMA_REF):
                yield value.removeprefix(_SCHEMA_REF)
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _drop_unused_schemas(spec: dict[str, Any]) -> None:
    """Remove schemas only the left-out ``/internal/`` routes used (event envelopes): the merged spec
    would otherwise advertise models no public operation sends or answers."""
    schemas: dict[str, Any] = spec.get("components", {}).get("schemas", {})
    outside = {k: v for k, v in spec.items() if k != "components"}
    outside["components"] = {k: v for k, v in spec.get("components", {}).items() if k != "schemas"}
    todo = list(_refs(outside))
    used: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in used and name in schemas:
            used.add(name)
            todo.extend(_refs(schemas[name]))
    for name in [n for n in schemas if n not in used]:
        del schemas[name]


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
                upstreams = gateway_state(request.app).upstreams
                async with httpx.AsyncClient(timeout=3.0, trust_env=False) as client:
                    results = await asyncio.gather(
                        *(fetch(client, upstreams.base_urls(name)[0]) for name in SERVICE_NAMES)
                    )
                specs = {n: s for n, s in zip(SERVICE_NAMES, results, strict=True) if s is not None}
                cache["body"] = json.dumps(merge_specs(app.openapi(), specs)).encode()
                # A partial merge (a service down) is retried soon rather than cached for a minute.
                cache["at"] = time.monotonic() - (0 if len(specs) == len(SERVICE_NAMES) else _CACHE_TTL_S - 5)
        return JSONResponse(content=json.loads(cache["body"]))
