"""FastAPI reads parameters the same with its per-declaration facts remembered (services/common/fastapi_params.py).

- For every path, query, header and cookie parameter of every route of the four apps, the remembered answers
  are what FastAPI's own functions answer.
- Every parameter list of every dependency of every app, given the same values (each name absent, valid,
  invalid, repeated), reads to the same values and errors from FastAPI's ``request_params_to_args`` and from the
  plan that replaces it.
- A request with list, model, aliased, header and cookie parameters, good and bad, gets the same answer, byte
  for byte, from FastAPI as it ships and with the facts remembered and the plan.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

import fastapi.dependencies.utils as fastapi_utils
import httpx
import pytest
from fastapi import Cookie, FastAPI, Header, Query
from pydantic import BaseModel, Field
from starlette.datastructures import Headers, QueryParams

from scripts.export_openapi import placeholder_apps
from services.common import fastapi_params
from tests.support.routes import api_routes, dependants

REMEMBERED = ("field_annotation_is_sequence", "_get_param_model")
REPLACED = (*REMEMBERED, "request_params_to_args")


def _fields(app: FastAPI) -> Iterator[Any]:
    for route in api_routes(app):
        for d in dependants(route.dependant):
            yield from (*d.path_params, *d.query_params, *d.header_params, *d.cookie_params)


def test_installed_by_every_app_and_only_once() -> None:
    apps = placeholder_apps()
    for name in REMEMBERED:
        function = getattr(fastapi_utils, name)
        assert fastapi_params.original(name) is not function, (
            f"{name} is not remembered after building the apps"
        )
    before = [getattr(fastapi_utils, name) for name in REMEMBERED]
    assert fastapi_params.install()
    assert [getattr(fastapi_utils, name) for name in REMEMBERED] == before, "install() wrapped twice"
    assert apps


def test_every_parameter_of_every_app_gets_fastapis_own_answers() -> None:
    apps = placeholder_apps()  # installs it
    sequence, model = getattr(fastapi_utils, REMEMBERED[0]), getattr(fastapi_utils, REMEMBERED[1])
    own_sequence = fastapi_params.original("field_annotation_is_sequence")
    own_model = fastapi_params.original("_get_param_model")
    assert sequence is not own_sequence
    assert model is not own_model
    checked = 0
    for name, app in apps.items():
        for field in _fields(app):
            annotation = field.field_info.annotation
            for _ in range(2):  # worked out, then remembered
                assert sequence(annotation) == own_sequence(annotation), (name, field.name)
                assert model(field) is own_model(field), (name, field.name)
            checked += 1
    assert checked > 100  # every app's parameters were found


class Filters(BaseModel):
    kind: Annotated[str, Field(pattern="^[a-z]+$")] = "all"
    size: int = 10


_STAMPS = [itertools.count(1)]


def _next_stamp() -> int:
    """A default made by a factory, which FastAPI calls for each request (a new count per app)."""
    return next(_STAMPS[0])


def _app() -> FastAPI:
    app = FastAPI()
    _STAMPS[0] = itertools.count(1)

    @app.get("/items/{item_id}")
    async def items(
        item_id: uuid.UUID,
        tag: Annotated[list[str] | None, Query()] = None,
        status_: Annotated[str | None, Query(alias="status", pattern="^(A|B)$")] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
        required: Annotated[int | None, Query()] = None,
        x_trace: Annotated[str | None, Header()] = None,
        session: Annotated[str | None, Cookie()] = None,
    ) -> dict[str, Any]:
        return {
            "id": str(item_id), "tag": tag, "status": status_, "limit": limit, "required": required,
            "trace": x_trace, "session": session,
        }  # fmt: skip

    @app.get("/defaults")
    async def defaults(
        n: Annotated[int, Query(validate_default=True)] = "5",  # type: ignore[assignment]
        note: Annotated[str | None, Query(alias="catatan", max_length=5)] = None,
    ) -> dict[str, Any]:
        return {"n": n, "note": note}

    @app.get("/stamped")
    async def stamped(stamp: Annotated[int, Query(default_factory=_next_stamp)]) -> dict[str, Any]:
        return {"stamp": stamp}

    @app.get("/filtered")
    async def filtered(filters: Annotated[Filters, Query()], must: Annotated[int, Query()]) -> dict[str, Any]:
        return {"filters": filters.model_dump(), "must": must}

    return app


REQUESTS = [
    ("/items/" + str(uuid.UUID(int=7)), {}, {}),
    (
        "/items/" + str(uuid.UUID(int=7)) + "?tag=a&tag=b&status=A&limit=3",
        {"x-trace": "t1"},
        {"session": "s"},
    ),
    ("/items/" + str(uuid.UUID(int=7)) + "?tag=&status=C&limit=0&required=x", {}, {}),
    ("/items/not-a-uuid?limit=101", {}, {}),
    ("/items/" + str(uuid.UUID(int=7)) + "?status_=A&limit=2&limit=4", {"x_trace": "underscored"}, {}),
    ("/defaults", {}, {}),
    ("/defaults?n=7&catatan=abc", {}, {}),
    ("/defaults?n=x&catatan=toolong&note=y", {}, {}),
    ("/stamped", {}, {}),
    ("/stamped", {}, {}),
    ("/stamped?stamp=0", {}, {}),
    ("/filtered?kind=abc&size=3&must=1", {}, {}),
    ("/filtered?kind=ABC&size=x", {}, {}),
    ("/filtered?must=2&extra=1", {}, {}),
]


async def _answers(app: FastAPI) -> list[tuple[int, bytes]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        out = []
        for path, headers, cookies in REQUESTS:
            client.cookies.clear()
            client.cookies.update(cookies)
            resp = await client.get(path, headers=headers)
            out.append((resp.status_code, resp.content))
        return out


def test_requests_read_the_same_as_with_fastapis_own_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fastapi_params.install()
    remembered = asyncio.run(_answers(_app()))
    with monkeypatch.context() as m:
        for name in REPLACED:
            m.setattr(fastapi_utils, name, fastapi_params.original(name))
        own = asyncio.run(_answers(_app()))
    assert remembered == own
    statuses = [status for status, _ in own]
    assert 200 in statuses  # both the accepted and the refused paths were taken
    assert 422 in statuses
    assert b'"tag":["a","b"]' in own[1][1]  # the list parameter took both values
    assert [body for _, body in own if b"stamp" in body][:2] == [b'{"stamp":1}', b'{"stamp":2}']


SAMPLES = [
    None,  # the name absent
    "",
    "x",
    "1",
    "0",
    "-5",
    "101",
    "2026-Q1",
    "2026",
    "196503161989031001",
    str(uuid.UUID(int=7)),
    "DRAFT",
    "FINAL",
    "true",
    "BAIK",
    "a" * 300,
]


def _lists(app: FastAPI) -> Iterator[tuple[str, list[Any]]]:
    for route in api_routes(app):
        for d in dependants(route.dependant):
            for where in ("path_params", "query_params", "header_params", "cookie_params"):
                fields = getattr(d, where)
                if fields:
                    yield where, fields


def _received(where: str, fields: list[Any], rng: random.Random) -> Any:
    """Values for ``fields`` as a request would hand them over: each name absent or one of SAMPLES, and in a
    query now and then given twice."""
    pairs: list[tuple[str, str]] = []
    for field in fields:
        names = [pair[1] for pair in fastapi_utils._get_param_aliases(field)] + [field.name]
        value = rng.choice(SAMPLES)
        if value is not None:
            pairs.append((rng.choice(names), value))
            if where == "query_params" and rng.random() < 0.2:
                pairs.append((pairs[-1][0], rng.choice(SAMPLES) or "again"))
    if where == "query_params":
        return QueryParams(pairs)
    if where == "header_params":
        return Headers(raw=[(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in pairs])
    return dict(pairs)


def test_every_parameter_list_of_every_app_reads_as_with_fastapis_own_function() -> None:
    apps = placeholder_apps()  # installs it
    planned = fastapi_utils.request_params_to_args
    own = fastapi_params.original("request_params_to_args")
    assert planned is not own
    rng = random.Random(21)
    lists = planned_lists = 0
    for name, app in apps.items():
        for where, fields in _lists(app):
            lists += 1
            for _ in range(40):
                received = _received(where, fields, rng)
                got = planned(fields, received)
                expected = own(fields, received)
                assert repr(got) == repr(expected), (name, where, [f.name for f in fields], received)
            if fastapi_params.plan_for(fields) is not None:
                planned_lists += 1
    assert lists > 100  # every app's parameter lists were found
    assert planned_lists > 0.8 * lists, (planned_lists, lists)  # and most were read from a plan


def test_a_list_the_plan_cannot_read_goes_to_fastapi() -> None:
    app = _app()
    route = next(r for r in api_routes(app) if r.path == "/items/{item_id}")
    filtered = next(r for r in api_routes(app) if r.path == "/filtered")
    fastapi_params.install()
    planned = fastapi_utils.request_params_to_args
    assert fastapi_params.plan_for(route.dependant.query_params) is None  # a list parameter (tag)
    assert fastapi_params.plan_for(filtered.dependant.query_params) is None  # a parameter model
    received = QueryParams("tag=a&tag=b&status=A")
    values, errors = planned(route.dependant.query_params, received)
    assert values["tag"] == ["a", "b"]
    assert errors == []


def test_a_default_fastapi_validates_is_validated_by_the_plan_too() -> None:
    fastapi_params.install()
    route = next(r for r in api_routes(_app()) if r.path == "/defaults")
    fields = route.dependant.query_params
    planned = fastapi_utils.request_params_to_args
    assert planned(fields, QueryParams("")) == ({"n": 5, "note": None}, [])  # "5" validated to 5
    assert fastapi_params.plan_for(fields) is not None
