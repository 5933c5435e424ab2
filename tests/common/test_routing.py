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

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match

from scripts.export_openapi import placeholder_apps
from services.common.routing import ServiceRouter
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
