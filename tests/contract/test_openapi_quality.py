"""The OpenAPI is good enough to generate working clients from (issue 6, part 5).

Checked on the committed ``openapi/*.json`` and on the specs the code builds right now:

- every operation has a summary and a description;
- an operation with a body shows a request example, and its success response a JSON example (on the
  media type, or on the schema it refers to; a list envelope counts when its items have one);
- every declared error response is ``application/problem+json``; protected operations declare 401,
  writes and role-restricted reads declare 403, operations with a path id declare 404, operations
  with any input declare 422;
- operation ids are snake_case, unique, and not FastAPI's generated ``name_path_method`` form;
- every enum is a named schema under ``components/schemas`` (so generated clients get enum types);
- the merged gateway spec validates with openapi-spec-validator.

When a check fails, fix the route's decorator metadata (``summary=``, docstring, ``responses=``,
``openapi_extra``) or the schema's examples, then run ``make openapi`` and commit ``openapi/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts import export_openapi
from services.common.apps import APP_NAMES, SERVICE_NAMES
from tests.support.routes import api_routes, dependants

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
WRITES = ("put", "post", "delete", "patch")
OPERATION_ID = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
PROBLEM_JSON = "application/problem+json"

Spec = dict[str, Any]

# Exceptions, each with its reason, keyed by the service-local operationId (the gateway spec prefixes it).
# Bodies defined in services/common/app.py (the platform skeleton), which carries no examples yet.
NO_EXAMPLE_YET: set[str] = set()
# The readiness probe's 503 is the readiness report itself (Kubernetes reads it), not a problem.
NOT_A_PROBLEM = {
    ("readyz", "503"),
    # The token endpoint answers errors per RFC 6749 §5.2 (application/json), the contract's one exception.
    ("issue_token", "400"),
    ("issue_token", "401"),
    ("issue_token", "429"),
}
# A path parameter that names a resource; these routes answer for any value and so never 404.
PATH_ID = re.compile(r"^(.*_id|nip|number|username|n)$")
NEVER_404 = {
    "ledger_get": "pelatihan has no employee registry: any NIP has a (possibly empty) ledger; others get 403",
    "enrolments_list_for_employee": "any NIP has a (possibly empty) list; others get 403",
    "embed_unit_page": "a static page; the widget inside it reports an unknown unit",
}
# Writes open to any authenticated caller, who gets 404 for what is not theirs (api-contract §1).
NEVER_403 = {"enrolments_cancel": "the employee or a training admin; anyone else gets 404"}
# Inline enums in models this part does not own (services/common/changelog.py).
INLINE_ENUM_OWNED_ELSEWHERE: set[str] = set()


# ------------------------------------------------------------------------------------------ spec walking


def operations(spec: Spec) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation, in a stable order."""
    for path in sorted(spec.get("paths", {})):
        item = spec["paths"][path]
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield path, method, op


def resolve(spec: Spec, node: Any) -> Any:
    """Follow local ``$ref``s until a concrete node."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 20:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
        seen += 1
    return node


def _is_json(media: str) -> bool:
    media = media.split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def schema_has_example(spec: Spec, schema: Any, depth: int = 0) -> bool:
    """The schema (or what it refers to) carries an example. An array counts when its items do; a list
    envelope (``{items: [...], next_cursor}``) counts when its items do; ``anyOf``/``oneOf`` when every
    non-null branch does."""
    if not isinstance(schema, dict) or depth > 6:
        return False
    if "example" in schema or schema.get("examples"):
        return True
    if "$ref" in schema:
        return schema_has_example(spec, resolve(spec, schema), depth + 1)
    if schema.get("type") == "array":
        return schema_has_example(spec, schema.get("items"), depth + 1)
    branches = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if branches:
        concrete = [b for b in branches if not (isinstance(b, dict) and b.get("type") == "null")]
        return bool(concrete) and all(schema_has_example(spec, b, depth + 1) for b in concrete)
    props = schema.get("properties") or {}
    if "items" in props and props["items"].get("type") == "array":
        return schema_has_example(spec, props["items"], depth + 1)
    return False


def media_has_example(spec: Spec, media: dict[str, Any]) -> bool:
    if "example" in media or media.get("examples"):
        return True
    return schema_has_example(spec, media.get("schema"))


def local_id(path: str, op: dict[str, Any]) -> str:
    """The operationId as the service names it (without the gateway's ``kinerja_`` etc. prefix)."""
    op_id = str(op.get("operationId", ""))
    for svc in SERVICE_NAMES:
        if path.startswith(f"/{svc}/"):
            return op_id.removeprefix(f"{svc}_")
    return op_id


def success_status(op: dict[str, Any]) -> str | None:
    codes = sorted(code for code in op.get("responses", {}) if str(code).startswith("2"))
    return codes[0] if codes else None


# -------------------------------------------------------------------------------------------- the checks


def check_docs(spec: Spec) -> list[str]:
    out = []
    for path, method, op in operations(spec):
        where = f"{method.upper()} {path}"
        if not str(op.get("summary", "")).strip():
            out.append(f"{where}: no summary")
        if not str(op.get("description", "")).strip():
            out.append(f"{where}: no description (write the endpoint's docstring)")
    return out


def _generated_id_suffixes(path: str, method: str) -> set[str]:
    """The tails FastAPI's generate_unique_id gives ``path`` (with and without a gateway prefix)."""
    candidates = {path}
    for svc in SERVICE_NAMES:
        if path.startswith(f"/{svc}/"):
            candidates.add(path.removeprefix(f"/{svc}"))
    return {re.sub(r"\W", "_", p) + "_" + method for p in candidates}


def check_operation_ids(spec: Spec) -> list[str]:
    out = []
    seen: dict[str, str] = {}
    for path, method, op in operations(spec):
        where = f"{method.upper()} {path}"
        op_id = op.get("operationId")
        if not isinstance(op_id, str):
            out.append(f"{where}: no operationId")
            continue
        if not OPERATION_ID.match(op_id):
            out.append(f"{where}: operationId {op_id!r} is not snake_case")
        if "_v1_" in op_id or any(op_id.endswith(s) for s in _generated_id_suffixes(path, method)):
            out.append(f"{where}: operationId {op_id!r} is FastAPI's generated form; name it")
        if op_id in seen:
            out.append(f"{where}: operationId {op_id!r} also used by {seen[op_id]}")
        seen[op_id] = where
    return out


def check_examples(spec: Spec) -> list[str]:
    out = []
    for path, method, op in operations(spec):
        where = f"{method.upper()} {path}"
        body = resolve(spec, op.get("requestBody"))
        if isinstance(body, dict):
            for media_type, media in body.get("content", {}).items():
                if not media_has_example(spec, media):
                    out.append(f"{where}: request body {media_type} has no example")
        code = success_status(op)
        if code is None:
            out.append(f"{where}: no success response")
            continue
        if local_id(path, op) in NO_EXAMPLE_YET:
            continue
        for media_type, media in op["responses"][code].get("content", {}).items():
            if _is_json(media_type) and not media_has_example(spec, media):
                out.append(f"{where}: {code} {media_type} response has no example")
    return out


def _has_input(op: dict[str, Any]) -> bool:
    return bool(op.get("parameters")) or "requestBody" in op


def _has_path_id(op: dict[str, Any]) -> bool:
    return any(p.get("in") == "path" and PATH_ID.match(p.get("name", "")) for p in op.get("parameters", []))


def check_problems(spec: Spec, *, strict_media: bool = False) -> list[str]:
    """``strict_media``: error responses declare problem+json only (the gateway's merged spec; the
    services' own specs also list application/json, from FastAPI's handling of ``model=``)."""
    out = []
    for path, method, op in operations(spec):
        where = f"{method.upper()} {path}"
        name = local_id(path, op)
        responses = op.get("responses", {})
        for code, response in responses.items():
            if str(code)[0] not in "45" or (name, str(code)) in NOT_A_PROBLEM:
                continue
            content = resolve(spec, response).get("content", {})
            if PROBLEM_JSON not in content:
                out.append(f"{where}: {code} is not declared as {PROBLEM_JSON}")
            if strict_media and "application/json" in content:
                out.append(f"{where}: {code} also claims application/json")
        protected = bool(op.get("security"))
        if protected and "401" not in responses:
            out.append(f"{where}: protected but 401 is not declared")
        if protected and method in WRITES and "403" not in responses and name not in NEVER_403:
            out.append(f"{where}: a protected write without 403 declared")
        if _has_path_id(op) and "404" not in responses and name not in NEVER_404:
            out.append(f"{where}: has a path id but 404 is not declared")
        if _has_input(op) and "422" not in responses:
            out.append(f"{where}: takes input but 422 is not declared")
    return out


def _inline_enums(node: Any, pointer: str) -> Iterator[str]:
    if isinstance(node, dict):
        if "enum" in node and not re.fullmatch(r"/components/schemas/[^/]+", pointer):
            yield pointer
        for key, value in node.items():
            yield from _inline_enums(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _inline_enums(value, f"{pointer}/{i}")


def check_enums(spec: Spec) -> list[str]:
    return [
        f"inline enum at {pointer}: make it an Enum class so it becomes a named schema"
        for pointer in _inline_enums(spec, "")
        if pointer not in INLINE_ENUM_OWNED_ELSEWHERE
    ]


CHECKS = {
    "docs": check_docs,
    "operation_ids": check_operation_ids,
    "examples": check_examples,
    "problems": check_problems,
    "enums": check_enums,
}


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def code_specs() -> dict[str, Spec]:
    specs, reason = export_openapi.build_specs()
    assert reason is None, reason
    return specs


def _committed(app: str) -> Spec:
    path = ROOT / "openapi" / f"{app}.json"
    if not path.exists():
        pytest.fail(f"openapi/{app}.json is missing: run `make openapi`")
    spec: Spec = json.loads(path.read_text())
    return spec


@pytest.mark.parametrize("check", sorted(CHECKS))
@pytest.mark.parametrize("app", APP_NAMES)
@pytest.mark.parametrize("source", ["committed", "code"])
def test_quality(source: str, app: str, check: str, code_specs: dict[str, Spec]) -> None:
    spec = _committed(app) if source == "committed" else code_specs[app]
    problems = check_problems(spec, strict_media=True) if check == "problems" else []
    problems = problems or CHECKS[check](spec)
    assert not problems, f"{len(problems)} {check} problem(s) in {source} {app} spec:\n" + "\n".join(problems)


@pytest.mark.parametrize("source", ["committed", "code"])
def test_gateway_spec_validates(source: str, code_specs: dict[str, Spec]) -> None:
    from openapi_spec_validator import validate

    validate(_committed("gateway") if source == "committed" else code_specs["gateway"])


# ---------------------------------------------------------------- 403 on reads restricted by a role check


def _checks_a_role(dependant: Any) -> bool:
    return any("require_roles" in getattr(d.call, "__qualname__", "") for d in dependants(dependant))


def test_role_restricted_routes_declare_403() -> None:
    """A route behind ``require_roles`` (AdminDep and friends) answers 403 to the wrong role: say so."""
    missing = []
    checked = 0
    for name, app in export_openapi.placeholder_apps().items():
        for route in api_routes(app):
            if not route.include_in_schema:
                continue
            checked += 1
            declared = {str(code) for code in route.responses}
            if _checks_a_role(route.dependant) and "403" not in declared:
                missing.append(f"{name}: {sorted(route.methods or ())} {route.path}")
    assert checked > 150, checked  # the walk reached the included routers' routes
    assert not missing, "role-restricted routes without 403 declared:\n" + "\n".join(missing)


# ----------------------------------------------------------------------------- the checkers themselves


def _op(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "operationId": "things_get",
        "summary": "Get a thing",
        "description": "One thing.",
        "responses": {"200": {"content": {"application/json": {"schema": {"type": "object"}}}}},
    }
    return {**base, **extra}


def _spec(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> Spec:
    return {"openapi": "3.1.0", "paths": paths, "components": {"schemas": schemas or {}}}


def test_checker_flags_generated_and_duplicate_ids() -> None:
    spec = _spec(
        {
            "/kinerja/v1/things/{thing_id}": {
                "get": _op(operationId="kinerja_get_thing_v1_things__thing_id__get"),
                "post": _op(operationId="kinerja_things_get"),
            },
            "/other": {"get": _op(operationId="kinerja_things_get")},
            "/camel": {"get": _op(operationId="getThing")},
        }
    )
    found = "\n".join(check_operation_ids(spec))
    assert "generated form" in found
    assert "also used by" in found
    assert "'getThing' is not snake_case" in found


def test_checker_flags_missing_examples_and_accepts_envelopes() -> None:
    schemas = {
        "Thing": {"type": "object", "examples": [{"id": 1}]},
        "Bare": {"type": "object"},
        "Page_Thing_": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
                "next_cursor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
        },
    }
    ok = {"application/json": {"schema": {"$ref": "#/components/schemas/Page_Thing_"}}}
    bare = {"application/json": {"schema": {"$ref": "#/components/schemas/Bare"}}}
    spec = _spec(
        {
            "/ok": {"get": _op(responses={"200": {"content": ok}})},
            "/bare": {
                "post": _op(
                    operationId="bare_create",
                    requestBody={"content": bare},
                    responses={"201": {"content": bare}},
                )
            },
        },
        schemas,
    )
    assert check_examples(spec) == [
        "POST /bare: request body application/json has no example",
        "POST /bare: 201 application/json response has no example",
    ]


def test_checker_flags_undeclared_errors_and_inline_enums() -> None:
    problem = {"content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    spec = _spec(
        {
            "/things/{thing_id}": {
                "patch": _op(
                    security=[{"HTTPBearer": []}],
                    parameters=[{"name": "thing_id", "in": "path"}],
                    responses={
                        "200": {"content": {}},
                        "401": problem,
                        "422": {"content": {"application/json": {}}},
                    },
                )
            }
        },
        {"Kind": {"type": "string", "enum": ["A", "B"]}, "X": {"properties": {"k": {"enum": ["A"]}}}},
    )
    found = check_problems(spec, strict_media=True)
    assert "PATCH /things/{thing_id}: 422 also claims application/json" in found
    assert "PATCH /things/{thing_id}: a protected write without 403 declared" in found
    assert "PATCH /things/{thing_id}: has a path id but 404 is not declared" in found
    assert f"PATCH /things/{{thing_id}}: 422 is not declared as {PROBLEM_JSON}" in found
    assert check_enums(spec) == [
        "inline enum at /components/schemas/X/properties/k: make it an Enum class so it becomes a named schema"
    ]
