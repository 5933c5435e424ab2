"""FastAPI reads parameters the same with its per-declaration facts remembered (services/common/fastapi_params.py).

- For every path, query, header and cookie parameter of every route of the four apps, the remembered answers
  are what FastAPI's own functions answer.
- A request with list, model, aliased, header and cookie parameters, good and bad, gets the same answer, byte
  for byte, from FastAPI as it ships and with the facts remembered.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

import fastapi.dependencies.utils as fastapi_utils
import httpx
import pytest
from fastapi import Cookie, FastAPI, Header, Query
from pydantic import BaseModel, Field

from scripts.export_openapi import placeholder_apps
from services.common import fastapi_params
from tests.support.routes import api_routes, dependants

REMEMBERED = ("field_annotation_is_sequence", "_get_param_model")


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


def _app() -> FastAPI:
    app = FastAPI()

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
        for name in REMEMBERED:
            m.setattr(fastapi_utils, name, fastapi_params.original(name))
        own = asyncio.run(_answers(_app()))
    assert remembered == own
    statuses = [status for status, _ in own]
    assert 200 in statuses  # both the accepted and the refused paths were taken
    assert 422 in statuses
    assert b'"tag":["a","b"]' in own[1][1]  # the list parameter took both values
