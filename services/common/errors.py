"""RFC 9457 problem+json for every error: domain errors, HTTP errors, validation errors, crashes.

Titles come from the problem type and details from their English template (``msg(...)``), both said in the
request's language from the app's catalogue (services/common/i18n.py); docs/errors.md lists every type."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.common.i18n import current_catalogue, current_language, msg
from services.common.links import link
from services.common.messages import COMMON, GENERIC
from services.common.request_id import current_request_id

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://asn.bengkuluprov.go.id/problems/"
log = logging.getLogger("asn.errors")


class ValidationItem(BaseModel):
    """One bad input location."""

    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(examples=["https://asn.bengkuluprov.go.id/problems/not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["No employee with NIP 198609262015051001"])
    instance: str | None = Field(default=None, examples=["/v1/employees/198609262015051001"])
    errors: list[ValidationItem] | None = None
    request_id: str = Field(
        description="The request's `X-Request-ID` (every error carries it): quote it when reporting a problem.",
        examples=["5f0c2a9e-8d1b-4c3a-9e7f-2b6d4a1c8e90"],
    )


class ProblemError(Exception):
    """Raise anywhere (services included) to answer with a problem document.

    Subclasses set ``status`` and ``slug``; services raise them without importing FastAPI.
    """

    status: int = 400
    slug: str = "bad-request"
    title: str | None = None

    def __init__(
        self,
        detail: str | None = None,
        *,
        status: int | None = None,
        slug: str | None = None,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or "")
        self.detail = detail
        if status is not None:
            self.status = status
        if slug is not None:
            self.slug = slug
        if title is not None:
            self.title = title
        self.errors = errors
        self.headers = headers or {}


class NotFound(ProblemError):
    status, slug = 404, "not-found"


class Conflict(ProblemError):
    status, slug = 409, "conflict"


class Forbidden(ProblemError):
    status, slug = 403, "forbidden"


class Unauthorized(ProblemError):
    status, slug = 401, "unauthorized"

    def __init__(self, detail: str | None = msg("Missing or invalid bearer token")) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="asn"'})


class PreconditionFailed(ProblemError):
    status, slug = 412, "precondition-failed"


class PreconditionRequired(ProblemError):
    status, slug = 428, "precondition-required"


class InvalidInput(ProblemError):
    status, slug = 422, "validation-error"


class ServiceUnavailable(ProblemError):
    status, slug = 503, "service-unavailable"


def problem_response(
    status: int,
    *,
    detail: str | None = None,
    slug: str | None = None,
    title: str | None = None,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Render one problem document with the right media type, in the request's language.

    The title is the problem type's (an explicit ``title`` wins); a detail built with ``msg()`` is translated
    from the app's catalogue, and anything the catalogue does not know stays English."""
    slug = slug or _default_slug(status)
    language = current_language()
    catalogue = current_catalogue() or COMMON
    if title:
        title = catalogue.detail(title, language)
    else:
        title = catalogue.title(slug, status, language) or catalogue.title(
            _default_slug(status), status, language
        )
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title or "Error",
        "status": status,
    }
    if detail:
        body["detail"] = catalogue.detail(detail, language)
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    rid = current_request_id()
    if rid:
        body["request_id"] = rid
    response = JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
    response.headers["Content-Language"] = language
    return response


def problem_bytes(status: int, detail: str | None = None, *, slug: str | None = None) -> bytes:
    """A problem body as bytes, for pure-ASGI code (middleware, the gateway proxy)."""
    return bytes(problem_response(status, detail=detail, slug=slug).body)


def _default_slug(status: int) -> str:
    generic = GENERIC.get(status)
    return generic.slug if generic is not None else "error"


def _loc(loc: tuple[Any, ...] | list[Any]) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in loc]


async def _problem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        detail=exc.detail,
        slug=exc.slug,
        title=exc.title,
        instance=link(request.scope, request.url.path),
        errors=exc.errors,
        headers=exc.headers,
    )


# FastAPI's answer to a body it cannot even decode (not UTF-8, say); JSON syntax errors already get a 422.
_UNPARSABLE_BODY = "There was an error parsing the body"
_MALFORMED = msg("The request is malformed; see errors.")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 400 and detail == _UNPARSABLE_BODY:
        # A malformed payload is a 422 like any other (api-contract §1), with the body as its location.
        return problem_response(
            422,
            detail=_MALFORMED,
            slug="validation-error",
            instance=link(request.scope, request.url.path),
            errors=[{"loc": ["body"], "msg": "The body is not valid JSON."}],
        )
    return problem_response(
        exc.status_code,
        detail=detail,
        instance=link(request.scope, request.url.path),
        headers=dict(exc.headers or {}),
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": _loc(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()]
    return problem_response(
        422,
        detail=_MALFORMED,
        slug="validation-error",
        instance=link(request.scope, request.url.path),
        errors=errors,
    )


_DB_DOWN = (OperationalError, InterfaceError, PoolTimeoutError, ConnectionError, OSError)
# SQLSTATE classes that mean "the server is not available right now", not "the request is wrong":
# 08 connection exception, 53 insufficient resources, 57P01-57P03 admin shutdown / crash shutdown /
# cannot connect now (a restart in progress).
# 57014 is a statement that hit statement_timeout: the server is overloaded for that query right now.
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57014", "57P01", "57P02", "57P03")


def _sqlstate(exc: BaseException) -> str | None:
    seen: BaseException | None = exc
    for _ in range(4):  # SQLAlchemy wraps the driver's error, which may wrap asyncpg's
        if seen is None:
            return None
        for attr in ("sqlstate", "pgcode"):
            value = getattr(seen, attr, None)
            if isinstance(value, str):
                return value
        seen = getattr(seen, "orig", None) or seen.__cause__
    return None


def _database_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, _DB_DOWN):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        state = _sqlstate(exc)
        return state is not None and state.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES)
    return False


def exception_to_problem(exc: BaseException, path: str) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers for an exception nothing else handled: 503 when the database (or
    another dependency) is down or timed out, else a 500 that shows no internals."""
    if _database_unavailable(exc):
        log.warning("database unavailable on %s: %s", path, type(exc).__name__)
        resp = problem_response(
            503,
            detail=msg("The database is unavailable; retry shortly."),
            instance=path,
            headers={"Retry-After": "2"},
        )
    elif isinstance(exc, DBAPIError) and (_sqlstate(exc) or "").startswith("22"):
        # SQLSTATE class 22, data exception: a value the schema let through but PostgreSQL cannot store
        # (a NUL character in a text, a number out of range). Bad input, not a server fault.
        log.warning("data exception on %s: %s", path, _sqlstate(exc))
        resp = problem_response(
            422,
            detail=msg("A value cannot be stored (for example a NUL character in a text)."),
            slug="validation-error",
            instance=path,
        )
    elif isinstance(exc, asyncio.TimeoutError | TimeoutError):
        log.warning("dependency timed out on %s", path)
        resp = problem_response(
            503, detail=msg("A dependency timed out."), instance=path, headers={"Retry-After": "2"}
        )
    else:
        log.error("unhandled error on %s", path, exc_info=exc)
        resp = problem_response(500, detail=msg("An unexpected error occurred."), instance=path)
    headers = {k: v for k, v in resp.headers.items() if k.lower() in ("retry-after", "content-language")}
    return resp.status_code, bytes(resp.body), headers


async def _unexpected(request: Request, exc: Exception) -> Response:
    status, body, headers = exception_to_problem(exc, link(request.scope, request.url.path))
    return Response(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error answer application/problem+json."""
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Declare error responses on a route so they appear in OpenAPI."""
    return {
        s: {
            "model": Problem,
            "description": GENERIC[s].title if s in GENERIC else "Error",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in statuses
    }


_FASTAPI_422_SCHEMAS = ("HTTPValidationError", "ValidationError")


def problem_openapi(app: FastAPI) -> None:
    """Declare every 422 as the problem+json it is answered with (``_validation_error``), in place of
    FastAPI's default ``application/json`` HTTPValidationError, which no route ever sends; and list every
    declared error under problem+json only."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        schema = original()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        if "Problem" not in schemas:
            problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in problem.pop("$defs", {}).items():
                schemas.setdefault(name, sub)
            schemas["Problem"] = problem
        for item in schema.get("paths", {}).values():
            for op in item.values():
                response = op.get("responses", {}).get("422") if isinstance(op, dict) else None
                if response is not None:
                    response["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for name in _FASTAPI_422_SCHEMAS:
            text = json.dumps(schema.get("paths", {})) + json.dumps(schemas)
            if name in schemas and f"#/components/schemas/{name}" not in text:
                del schemas[name]
        problem_json_only(schema.get("paths", {}))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def problem_json_only(paths: dict[str, Any]) -> None:
    """Error responses that declare problem+json keep only it: FastAPI also lists the model under
    application/json, which no error is ever sent as, and generated clients would offer both."""
    for item in paths.values():
        for op in item.values():
            if not isinstance(op, dict):
                continue
            for code, response in op.get("responses", {}).items():
                content = response.get("content") if isinstance(response, dict) else None
                if str(code)[:1] in "45" and content and PROBLEM_JSON in content:
                    content.pop("application/json", None)
