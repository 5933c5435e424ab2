"""Every error is RFC 9457 application/problem+json with type/title/status and the request id, and no body
ever shows a stack trace or SQL (architecture.md §3.5; api-contract §1). 429 is the gateway's and is tested
with it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict
from sqlalchemy import text

from services.common.app import ServiceSpec, create_service_app
from services.common.auth import Principal, Role, require_roles
from services.common.db import SessionDep
from services.common.errors import PROBLEM_JSON, NotFound, problem_responses
from services.common.routing import ServiceRouter
from services.common.settings import AppSettings
from tests.support.fixtures import Tokens, running

MAX_BODY = 2048
LEAKS = ("Traceback", 'File "', "SELECT", "sqlalchemy", "asyncpg", "secret-table", "RuntimeError")


class ErrSettings(AppSettings):
    """A settings class of its own, so no real app's environment leaks in."""

    model_config = SettingsConfigDict(env_prefix="ASN_ERRTEST_", extra="ignore")


class Item(BaseModel):
    """A body with constraints, for 422."""

    name: str = Field(min_length=1)
    count: int = Field(ge=0)


router = ServiceRouter(prefix="/v1/test")


@router.get("/boom", responses=problem_responses(500))
async def boom() -> dict[str, str]:
    """Crashes with internals in the message."""
    raise RuntimeError("SELECT password FROM secret-table WHERE 1=1")


@router.get("/items/{item_id}", responses=problem_responses(404))
async def get_item(item_id: int) -> dict[str, int]:
    """Never finds anything."""
    raise NotFound(f"No item {item_id}")


@router.post("/items", responses=problem_responses(413, 422))
async def create_item(item: Item) -> Item:
    """Echoes a valid item."""
    return item


@router.get("/admin", responses=problem_responses(401, 403))
async def admin_only(principal: Annotated[Principal, Depends(require_roles(Role.ADMIN))]) -> dict[str, str]:
    """Admins only."""
    return {"subject": principal.subject}


@router.get("/db", responses=problem_responses(503))
async def touches_db(session: SessionDep) -> dict[str, int]:
    """Needs the database."""
    return {"one": int((await session.execute(text("SELECT 1"))).scalar_one())}


def build_app(settings: AppSettings) -> FastAPI:
    # name/schema of a real app: readiness reads that app's migration head from migrations/.
    spec = ServiceSpec(name="publik", schema="publik", title="errors test", description="", routers=[router])
    return create_service_app(settings, spec)


@pytest.fixture
async def client(db: str, tokens: Tokens) -> AsyncIterator[httpx.AsyncClient]:
    settings = ErrSettings(
        environment="test",
        database_url=db,
        jwt_public_keys_pem=tokens.signer.public_pem,
        max_body_bytes=MAX_BODY,
    )
    async with running(build_app(settings)) as c:
        yield c


def assert_problem(resp: httpx.Response, status: int, *, request_id: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = resp.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert isinstance(body["title"], str)
    assert body["title"]
    assert body["request_id"] == resp.headers["x-request-id"]
    if request_id is not None:
        assert body["request_id"] == request_id
    for leak in LEAKS:
        assert leak not in resp.text, f"{leak!r} leaked into a {status} body: {resp.text}"
    return body


async def test_401_without_or_with_a_bad_token(client: httpx.AsyncClient) -> None:
    resp = await client.get("/v1/test/admin", headers={"X-Request-ID": "req-401"})
    assert_problem(resp, 401, request_id="req-401")
    assert resp.headers["www-authenticate"].startswith("Bearer")
    assert_problem(await client.get("/v1/test/admin", headers={"Authorization": "Bearer not.a.token"}), 401)
    assert_problem(await client.get("/v1/test/admin", headers={"Authorization": "Basic YTpi"}), 401)


async def test_403_without_the_role(client: httpx.AsyncClient, tokens: Tokens) -> None:
    resp = await client.get("/v1/test/admin", headers=tokens.pegawai("198609262015051001"))
    assert_problem(resp, 403)
    ok = await client.get("/v1/test/admin", headers=tokens.admin())
    assert ok.status_code == 200


async def test_404_unknown_path_and_unknown_thing(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/test/nowhere"), 404)
    body = assert_problem(await client.get("/v1/test/items/7"), 404)
    assert body["detail"] == "No item 7"
    assert body["instance"] == "/v1/test/items/7"


async def test_405_wrong_method(client: httpx.AsyncClient) -> None:
    resp = await client.delete("/v1/test/items/7")
    assert_problem(resp, 405)
    assert "GET" in resp.headers.get("allow", "")


async def test_422_lists_each_bad_field(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/v1/test/items", json={"name": "", "count": -1}), 422)
    locs = {tuple(e["loc"]) for e in body["errors"]}
    assert locs == {("body", "name"), ("body", "count")}
    assert all(isinstance(e["msg"], str) and e["msg"] for e in body["errors"])
    assert all(set(e) == {"loc", "msg"} for e in body["errors"]), "no input echo, no internals"
    bad_json = await client.post(
        "/v1/test/items", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code in (400, 422)
    assert_problem(bad_json, bad_json.status_code)
    assert_problem(await client.get("/v1/test/items/not-a-number"), 422)


async def test_413_with_content_length(client: httpx.AsyncClient) -> None:
    big = {"name": "x" * (MAX_BODY + 10), "count": 1}
    resp = await client.post("/v1/test/items", json=big)
    assert_problem(resp, 413)
    fits = await client.post("/v1/test/items", json={"name": "x" * 100, "count": 1})
    assert fits.status_code == 200


async def test_413_when_streamed_without_content_length(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * 512
        yield b'", "count": 1}'

    resp = await client.post("/v1/test/items", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in {k.lower() for k in resp.request.headers}
    assert_problem(resp, 413)


async def test_500_shows_no_internals(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/v1/test/boom", headers={"X-Request-ID": "req-500"}), 500)
    assert body["request_id"] == "req-500"
    assert body["detail"] == "An unexpected error occurred."


async def test_503_when_the_database_is_unreachable(tokens: Tokens) -> None:
    settings = ErrSettings(
        environment="test",
        database_url="postgresql://127.0.0.1:1/unreachable",
        jwt_public_keys_pem=tokens.signer.public_pem,
        db_pool_timeout_s=2.0,
    )
    async with running(build_app(settings)) as c:
        resp = await c.get("/v1/test/db")
        assert_problem(resp, 503)
        assert resp.headers.get("retry-after")
        assert "127.0.0.1" not in resp.text, "no connection details in the body"
        ready = await c.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["database"] == "unreachable"
        assert (await c.get("/healthz")).status_code == 200


async def test_problem_responses_are_declared_in_openapi(settings_for: Callable[..., Any]) -> None:
    spec = build_app(settings_for(ErrSettings)).openapi()
    responses = spec["paths"]["/v1/test/items"]["post"]["responses"]
    assert PROBLEM_JSON in responses["413"]["content"]
    assert "Problem" in spec["components"]["schemas"]


def test_a_restarting_database_is_503_not_500() -> None:
    import asyncpg
    from sqlalchemy.exc import DBAPIError

    from services.common.errors import exception_to_problem

    starting = asyncpg.exceptions.CannotConnectNowError("the database system is starting up")
    wrapper = RuntimeError("driver error")
    wrapper.__cause__ = starting
    status, _, headers = exception_to_problem(DBAPIError("SELECT 1", {}, wrapper), "/v1/x")
    assert status == 503
    assert headers.get("retry-after") == "2"
    # A real constraint violation is not an outage.
    dup = DBAPIError("INSERT", {}, asyncpg.exceptions.UniqueViolationError("duplicate key"))
    assert exception_to_problem(dup, "/v1/x")[0] == 500
