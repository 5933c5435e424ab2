"""What every app's OpenAPI says beyond its routes, so that linters (Redocly, Spectral) and client generators
(openapi-python-client, openapi-typescript) take it as it is: servers, license and contact, an ``oauth2``
scheme that names ``/auth/token`` with the two grants the gateway issues, an explicit ``security: []`` on
public operations, the ``null``s of examples that FastAPI's export drops, and named schemas that no route model carries (an enum a form field is documented with).

``tools/openapi-lint`` and ``tests/contract/test_openapi_lint.py`` hold the linters that check the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from fastapi import FastAPI
from pydantic import TypeAdapter

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# The scheme FastAPI derives from the HTTPBearer dependency (services/common/auth.py).
BEARER_SCHEME = "HTTPBearer"
OAUTH2_SCHEME = "OAuth2"
# Relative to the server URL's host: the gateway issues every token (RFC 3986 absolute-path reference).
TOKEN_URL = "/auth/token"

CONTACT = {
    "name": "Badan Kepegawaian Daerah Provinsi Bengkulu — integrasi layanan ASN",
    "url": "https://asn.bengkuluprov.go.id",
}
# The API is the province's own service; no open-source licence covers it. Integrators use it under the
# province's terms of use, published with the integrator documentation.
LICENSE = {
    "name": "Proprietary — Pemerintah Provinsi Bengkulu (terms of use)",
    "url": "https://asn.bengkuluprov.go.id",
}
_GATEWAY_HOST = {
    "gateway": {
        "default": "asn.bengkuluprov.go.id",
        "description": "The host name of the gateway of your deployment.",
    }
}


def servers(prefix: str = "") -> list[dict[str, Any]]:
    """The gateway (production and a development machine), under the service's path ``prefix``
    (``/kinerja`` for kinerja: a service is reached only through the gateway)."""
    return [
        {
            "url": "https://{gateway}" + prefix,
            "description": "The gateway of a deployment",
            "variables": _GATEWAY_HOST,
        },
        {"url": "http://127.0.0.1:8000" + prefix, "description": "`make run` on a development machine"},
    ]


def oauth2_scheme() -> dict[str, Any]:
    """The token endpoint as OAuth 2.0 tooling reads it. Tokens carry roles, not scopes (none are defined)."""
    return {
        "type": "oauth2",
        "description": (
            "RS256 access tokens from the gateway's `POST /auth/token` (RFC 6749): the password grant for "
            "people, the client-credentials grant for systems. Send them as `Authorization: Bearer <token>`."
        ),
        "flows": {
            "password": {"tokenUrl": TOKEN_URL, "scopes": {}},
            "clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": {}},
        },
    }


def document_security(spec: dict[str, Any]) -> None:
    """Declare the ``oauth2`` scheme next to the bearer one, let every protected operation name either,
    and mark the operations without any requirement as public (``security: []``)."""
    components = spec.setdefault("components", {})
    schemes: dict[str, Any] = components.setdefault("securitySchemes", {})
    schemes.setdefault(OAUTH2_SCHEME, oauth2_scheme())
    for item in spec.get("paths", {}).values():
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            requirements = op.get("security")
            if not requirements:
                op["security"] = []
            elif {BEARER_SCHEME: []} in requirements and {OAUTH2_SCHEME: []} not in requirements:
                op["security"] = [{OAUTH2_SCHEME: []}, *requirements]


def _lift(node: Any, named: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_lift(v, named) for v in node]
    if not isinstance(node, dict):
        return node
    if "enum" in node and node.get("title") in named:
        own = named[node["title"]]
        rest = {
            k: v for k, v in node.items() if k in ("description", "default", "examples") and own.get(k) != v
        }
        return {"$ref": "#/components/schemas/" + node["title"], **rest}
    return {k: _lift(v, named) for k, v in node.items()}


def add_named_schemas(spec: dict[str, Any], types: Iterable[type[Enum]]) -> None:
    """Put each enum under ``components/schemas`` by its name, and refer to it wherever a field carries
    it inline (a field typed ``str`` at runtime but documented with ``WithJsonSchema`` of the enum), so
    generated clients get one named enum type."""
    schemas: dict[str, Any] = spec.setdefault("components", {}).setdefault("schemas", {})
    named = {type_.__name__: TypeAdapter(type_).json_schema() for type_ in types}
    for name, schema in named.items():
        schemas.setdefault(name, schema)
    if named:
        schemas.update(_lift({k: v for k, v in schemas.items() if k not in named}, named))
        spec["paths"] = _lift(spec.get("paths", {}), named)


def _resolve(spec: dict[str, Any], schema: Any) -> Any:
    for _ in range(20):
        if not (isinstance(schema, dict) and isinstance(schema.get("$ref"), str)):
            break
        target: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        schema = target
    return schema


def _admits_null(spec: dict[str, Any], schema: Any) -> bool:
    schema = _resolve(spec, schema)
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(_admits_null(spec, s) for s in schema.get("anyOf", []) + schema.get("oneOf", []))


def _restore(spec: dict[str, Any], schema: Any, value: Any, depth: int = 0) -> None:
    schema = _resolve(spec, schema)
    if depth > 12 or not isinstance(schema, dict):
        return
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        branch = _resolve(spec, branch)
        if isinstance(branch, dict) and (
            (isinstance(value, dict) and "properties" in branch)
            or (isinstance(value, list) and "items" in branch)
        ):
            _restore(spec, branch, value, depth + 1)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value and name in props and _admits_null(spec, props[name]):
                value[name] = None
        for name, child in value.items():
            if name in props:
                _restore(spec, props[name], child, depth + 1)
    elif isinstance(value, list) and "items" in schema:
        for child in value:
            _restore(spec, schema["items"], child, depth + 1)


def restore_example_nulls(spec: dict[str, Any]) -> None:
    """Put back the ``null``s FastAPI's export drops from examples (it encodes the whole spec with
    ``exclude_none``): an example of a required, nullable field then lacks the field and no longer matches
    its own schema, which linters and mock servers reject. Only required fields that admit null are
    restored, so an example that really leaves a field out still fails the linters."""
    schemas = spec.get("components", {}).get("schemas", {})
    for schema in schemas.values():
        for example in schema.get("examples", []) if isinstance(schema.get("examples"), list) else []:
            _restore(spec, schema, example)
    for item in spec.get("paths", {}).values():
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            bodies = [op.get("requestBody", {}), *op.get("responses", {}).values()]
            for body in bodies:
                for media in (body.get("content") or {}).values() if isinstance(body, dict) else []:
                    if "example" in media:
                        _restore(spec, media.get("schema"), media["example"])
                    for named in (media.get("examples") or {}).values():
                        if isinstance(named, dict) and "value" in named:
                            _restore(spec, media.get("schema"), named["value"])


def install_openapi_document(
    app: FastAPI, *, prefix: str = "", extra_schemas: Iterable[type[Enum]] = ()
) -> None:
    """Wrap ``app.openapi`` (after ``problem_openapi``) so the spec carries servers, license, contact,
    security and the extra schemas. FastAPI caches the result in ``app.openapi_schema``."""
    original = app.openapi
    extras = tuple(extra_schemas)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = original()
        spec["servers"] = servers(prefix)
        info = spec.setdefault("info", {})
        info["contact"] = dict(CONTACT)
        info["license"] = dict(LICENSE)
        document_security(spec)
        add_named_schemas(spec, extras)
        restore_example_nulls(spec)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
