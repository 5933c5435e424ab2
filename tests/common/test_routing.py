"""ServiceRouter's early "not mine" never changes which route answers a request (services/common/routing.py).

For every app, every route's path with sample values, with each of its methods and one it does not have, a
few paths that are no route, and each of those with a trailing slash (what the redirect looks for): the app's
route list is asked in order, as Starlette's router does, once with the prefix check and once with FastAPI's
own ``APIRouter.matches`` alone, and both must pick the same entry with the same match and child scope.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match

from scripts.export_openapi import placeholder_apps
from services.common.routing import RouteMemo, ServiceRouter, install_route_memo
from tests.support.routes import every_route

SAMPLES = {"int": "7", "uuid": str(uuid.uuid4()), "path": "a/b.txt", "float": "1.5"}
NOT_ROUTES = [
    "/",
    "/v1",
    "/v1/",
    "/v1/nothing-here",
    "/v1/employees/x/y/z",
    "/kinerja/v1/whoami",
    "/internal",
]


def _concrete(path: str) -> str:
    """``path`` with each ``{name}`` / ``{name:convertor}`` replaced by a value its convertor accepts."""
    return re.sub(r"\{[^}:]+(?::(\w+))?\}", lambda m: SAMPLES.get(m.group(1) or "", "x1"), path)


def _routes(app: FastAPI) -> Iterator[tuple[str, set[str]]]:
    """Every route's path and methods (the app's own and those of every included router)."""
    for r in every_route(app):
        path = getattr(r, "path", None)
        if isinstance(path, str):
            yield path, set(getattr(r, "methods", None) or {"GET"})


def _resolve(routes: list[BaseRoute], path: str, method: str) -> tuple[int, str, Any] | None:
    """The first full match, else the first partial one (Starlette's router): entry index, match, child scope."""
    scope: dict[str, Any] = {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}
    partial = None
    for i, route in enumerate(routes):
        match, child = route.matches(scope)
        if match == Match.FULL:
            return i, match.name, child
        if match == Match.PARTIAL and partial is None:
            partial = (i, match.name, child)
    return partial


def test_every_router_of_every_app_is_a_service_router() -> None:
    for name, app in placeholder_apps().items():
        for route in app.routes:
            router = getattr(route, "original_router", None)
            if router is not None:
                assert isinstance(router, ServiceRouter), (
                    f"{name}: {router.prefix or route} is a plain APIRouter"
                )


def test_the_prefix_check_never_changes_the_route_that_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = 0
    for name, app in placeholder_apps().items():
        requests: set[tuple[str, str]] = set()
        for path, methods in _routes(app):
            concrete = _concrete(path)
            for method in {*methods, "PATCH" if "PATCH" not in methods else "PUT"}:
                requests |= {(concrete, method), (concrete.rstrip("/") + "/", method)}
        requests |= {(p, "GET") for p in NOT_ROUTES}
        for path, method in sorted(requests):
            with monkeypatch.context() as plain:
                plain.setattr(ServiceRouter, "matches", APIRouter.matches)
                expected = _resolve(app.routes, path, method)
            got = _resolve(app.routes, path, method)
            assert got == expected, f"{name} {method} {path}: {got} != {expected}"
            checked += 1
    assert checked > 400  # every route of four apps, not an empty loop


def test_a_router_refuses_a_foreign_path_without_asking_its_routes() -> None:
    router = ServiceRouter(prefix="/v1/employees")

    @router.get("/{nip}")
    async def one(nip: str) -> str:
        return nip

    app = FastAPI()
    app.include_router(router)
    included = app.routes[-1]
    asked: list[str] = []
    original = APIRoute.matches

    def spy(self: APIRoute, scope: Any) -> Any:
        asked.append(scope["path"])
        return original(self, scope)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(APIRoute, "matches", spy)
        assert (
            included.matches({"type": "http", "path": "/v1/units/1", "method": "GET", "root_path": ""})[0]
            is Match.NONE
        )
        assert asked == []
        match, _ = included.matches(
            {"type": "http", "path": "/v1/employees/1", "method": "GET", "root_path": ""}
        )
        assert match is Match.FULL
        assert asked == ["/v1/employees/1"]


# ------------------------------------------------------------------------------------- RouteMemo


def _memo(app: FastAPI) -> RouteMemo:
    memo = app.router.middleware_stack
    assert isinstance(memo, RouteMemo), f"{type(memo)}: create_service_app put no RouteMemo in front"
    return memo


def test_the_memo_hands_every_static_request_to_the_entry_fastapi_picks() -> None:
    """For every app, every request the prefix test checks: the memo holds an entry exactly for the static
    paths and methods, and it is the entry the app's own walk fully matches first."""
    remembered = 0
    for name, app in placeholder_apps().items():
        memo = _memo(app)
        memo._find()
        static = {(m, p) for p, methods in _routes(app) if "{" not in p for m in methods}
        requests: set[tuple[str, str]] = set(static)
        for path, methods in _routes(app):
            concrete = _concrete(path)
            for method in {*methods, "PATCH" if "PATCH" not in methods else "PUT", "HEAD"}:
                requests |= {(method, concrete), (method, concrete.rstrip("/") + "/")}
        requests |= {("GET", p) for p in NOT_ROUTES}
        for method, path in sorted(requests):
            resolved = _resolve(app.routes, path, method)
            expected = app.routes[resolved[0]] if resolved and resolved[1] == "FULL" else None
            entry = memo.entries.get((method, path))
            if (method, path) in static:
                assert entry is not None, f"{name} {method} {path} not remembered"
                assert entry is expected, f"{name} {method} {path}: {entry} != {expected}"
                remembered += 1
            else:
                assert entry is None, f"{name} {method} {path} remembered, but it is not a static route"
    assert remembered > 100  # the static routes of four apps, not an empty loop


def _two_routers_app() -> tuple[FastAPI, ServiceRouter, list[str]]:
    """An app with a route of its own and two included routers; each endpoint notes what it was handed."""
    seen: list[str] = []
    first = ServiceRouter(prefix="/v1/a")
    second = ServiceRouter(prefix="/v1")

    @first.get("/one")
    async def a_one() -> str:
        seen.append("a_one")
        return "a_one"

    @second.get("/b/two")
    async def b_two(request: Request, q: int = 0) -> dict[str, Any]:
        seen.append("b_two")
        return {
            "q": q,
            "route": request.scope["route"].path,
            "endpoint": request.scope["endpoint"].__name__,
            "router": request.scope["router"] is app.router,
            "path_params": request.path_params,
        }

    @second.post("/b/two")
    async def b_two_post() -> str:
        return "posted"

    @second.get("/b/{key}")
    async def b_key(key: str) -> str:
        seen.append(f"b_key {key}")
        return key

    app = FastAPI()

    @app.get("/own")
    async def own(request: Request) -> str:
        seen.append("own")
        return str(request.scope["endpoint"].__name__)

    app.include_router(first)
    app.include_router(second)
    assert install_route_memo(app) is not None
    return app, first, seen


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_a_static_request_skips_the_walk_and_is_handed_what_fastapi_hands_it() -> None:
    app, _, seen = _two_routers_app()
    paths = ("/own", "/v1/a/one", "/v1/b/two?q=3", "/v1/b/x")
    asked: list[str] = []
    original = ServiceRouter.matches

    def spy(self: ServiceRouter, scope: Any) -> Any:
        asked.append(self.prefix)
        return original(self, scope)

    async with _client(app) as client:
        answers = {path: (await client.get(path)).json() for path in paths}
        with pytest.MonkeyPatch.context() as m:
            m.setattr(ServiceRouter, "matches", spy)
            got = await client.get("/v1/b/two?q=3")
            assert asked == []  # neither the first router nor the second's matches() was asked
            assert got.json() == {
                "q": 3,
                "route": "/v1/b/two",
                "endpoint": "b_two",
                "router": True,
                "path_params": {},
            }
            assert (await client.get("/v1/b/x")).json() == "x"  # a path with a parameter: FastAPI's walk
            assert asked == ["/v1/a", "/v1"]
        with pytest.MonkeyPatch.context() as plain:  # the same answers with FastAPI's walk alone
            plain.setattr(app.router, "middleware_stack", _memo(app).walk)
            assert {path: (await client.get(path)).json() for path in paths} == answers
        assert (await client.get("/own")).json() == "own"
    assert seen.count("b_two") == 3


async def test_requests_the_memo_does_not_hold_get_fastapis_answers() -> None:
    app, _, _ = _two_routers_app()
    async with _client(app) as client:
        for method, path in [("DELETE", "/v1/b/two"), ("HEAD", "/v1/b/two"), ("GET", "/v1/b/two/"),
                             ("GET", "/nothing"), ("POST", "/v1/b/two"), ("GET", "/v1/a/one/")]:  # fmt: skip
            got = await client.request(method, path)
            with pytest.MonkeyPatch.context() as plain:
                plain.setattr(app.router, "middleware_stack", _memo(app).walk)
                expected = await client.request(method, path)
            assert (got.status_code, got.headers.get("location"), got.content) == (
                expected.status_code,
                expected.headers.get("location"),
                expected.content,
            ), f"{method} {path}"


async def test_a_route_added_while_serving_is_seen_at_the_next_request() -> None:
    """The memo is found again when any router gains a route: an earlier router's new route for a path a
    later router answered now answers it, as FastAPI's walk would pick it."""
    app, first, seen = _two_routers_app()
    async with _client(app) as client:
        assert (await client.get("/v1/b/two")).status_code == 200
        assert seen[-1] == "b_two"
        first.prefix = ""  # the route is declared with its full path on the router that comes first

        @first.get("/v1/b/two")
        async def shadow() -> str:
            seen.append("shadow")
            return "shadow"

        assert (await client.get("/v1/b/two")).json() == "shadow"

        @app.get("/late")
        async def late() -> str:
            return "late"

        assert (await client.get("/late")).json() == "late"
        assert ("GET", "/late") in _memo(app).entries


async def test_a_host_route_in_an_included_router_leaves_the_memo_empty() -> None:
    """A ``Host`` route answers by the Host header, which the memo does not look at: with one in any router,
    every request goes through FastAPI's walk."""
    app, first, _ = _two_routers_app()
    first.host("api.example", app=APIRouter())
    async with _client(app) as client:
        assert (await client.get("/v1/b/two")).status_code == 200
    assert _memo(app).entries == {}
