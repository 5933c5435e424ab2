"""The router every service, the gateway and the shared route factories build their routes on.

FastAPI (0.165) keeps an included router as one entry of the app's route list and, for each request, asks
every entry in turn whether the path is one of its routes: an included router walks all of its routes to
answer (about 3 µs each: FastAPI's scope bookkeeping around each route's regex), and the router that matches
walks its routes a second time to pick the one it handles. kinerja's ``GET /v1/me/tasks``, behind 60 routes,
spent about 185 µs of each request only finding its route, half of what the whole ``GET /v1/whoami`` costs
(issue 21, ``bench.routing``).

:class:`ServiceRouter` answers "not mine" first, with one ``str.startswith`` against the static beginnings of
its routes' paths (the text before the first ``{``): a route's path regex is anchored at the start and its
static text matches literally, so a path that starts with none of them cannot match any route of the router,
fully or partly (a 405). Anything else is FastAPI's own matching, unchanged. A router whose routes include
other routers (no ``path`` of their own) keeps no such list and is always asked. The check reads the paths
the router's routes were declared with, so include a ServiceRouter without ``include_router(prefix=...)``
(put the prefix on the router, as every router here does); tests/common/test_routing.py resolves every route
of every app both ways and fails on a router that would refuse its own paths.

:class:`RouteMemo` skips the walk for the paths that have no parameters (``/v1/evaluations``, ``/v1/me/tasks``,
``/v1/whoami``). Which entry of the app's route list answers a method and a path depends on nothing else (no
``Host`` route anywhere: those look at a header; with one the memo stays empty), so it remembers, for each
static path and method of the app's routes, the entry FastAPI's walk picks, found by that walk, and hands such a
request straight to that entry the way FastAPI's ``APIRouter.app`` does when the entry matches. It saves, per
request to a static path, the walk over the entries before the one that answers and, when that entry is an
included router, the first of the two walks FastAPI makes of that router's routes (``_IncludedRouter.matches``,
whose answer it already knows). The memo is found again at the first request after any router gains a route, and
any other request (a path with parameters, a method no route has, a path that is no route) goes through
FastAPI's walk unchanged. It holds one entry per static route and method, so no request can grow it.
``bench.routing`` times it; tests/common/test_routing.py checks that it holds, for every static route of every
app, the entry FastAPI's walk picks, and that requests answer as they do without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import fastapi.routing as _fastapi_routing
from fastapi import APIRouter, FastAPI
from starlette._utils import get_route_path  # what Starlette's and FastAPI's routes match against
from starlette.routing import BaseRoute, Host, Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

_ANY = ("",)  # every path starts with ""


def _static_prefixes(routes: list[Any]) -> tuple[str, ...]:
    """The text before the first ``{`` of each route's path, or :data:`_ANY` when a route has no path."""
    prefixes: set[str] = set()
    for route in routes:
        path = getattr(route, "path", None)
        if not isinstance(path, str):
            return _ANY
        prefixes.add(path.split("{", 1)[0])
    return tuple(sorted(prefixes)) or _ANY


_changes = 0  # route changes of every ServiceRouter in the process (what RouteMemo watches)


class ServiceRouter(APIRouter):
    """FastAPI's ``APIRouter`` that refuses a path none of its routes can match before walking them."""

    _prefixes: tuple[str, ...] = _ANY
    _prefixes_of: int = -1  # the number of routes the prefixes were computed for

    def _mark_routes_changed(self) -> None:
        global _changes
        _changes += 1
        super()._mark_routes_changed()

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self._prefixes_of != len(self.routes):
            self._prefixes, self._prefixes_of = _static_prefixes(self.routes), len(self.routes)
        if not get_route_path(scope).startswith(self._prefixes):
            return Match.NONE, {}
        return super().matches(scope)


# What RouteMemo takes from FastAPI 0.165's routing module (None on a FastAPI without it): the included-router
# entry, and what APIRouter.app does to the scope when an entry matches (form limits, the child scope, the route
# for telemetry).
_IncludedRouter: Any = getattr(_fastapi_routing, "_IncludedRouter", None)
_apply_router_form_limits: Any = getattr(_fastapi_routing, "_apply_router_form_limits", None)
_update_scope: Any = getattr(_fastapi_routing, "_update_scope", None)
_route_selected: Any = getattr(_fastapi_routing, "_route_selected", None)
_FASTAPI_PARTS = (_IncludedRouter, _apply_router_form_limits, _update_scope, _route_selected)


def _included_routers(routes: list[BaseRoute]) -> Iterator[Any]:
    """Every router included in ``routes``, however deep."""
    for entry in routes:
        router = getattr(entry, "original_router", None)
        if router is not None:
            yield router
            yield from _included_routers(router.routes)


def effective_routes(routes: list[BaseRoute]) -> Iterator[Any]:
    """Each route of ``routes``: the entries themselves, and for an included router its routes as FastAPI
    resolves them for a request and for the OpenAPI (their effective context: the full path, with the router's
    dependencies and responses merged in). FastAPI keeps an included router as one entry of the list, so a walk
    of the list alone sees none of the routers' routes."""
    for entry in routes:
        contexts = getattr(entry, "effective_route_contexts", None)
        yield from contexts() if contexts is not None else (entry,)


def _static_requests(routes: list[BaseRoute]) -> set[tuple[str, str]]:
    """Each (method, path) of the routes (included routers' as FastAPI resolves them) whose path has no
    parameter; none at all when a ``Host`` route is among them or in an included router (its match depends on
    a header, not the path)."""
    every = [routes, *(router.routes for router in _included_routers(routes))]
    if any(isinstance(route, Host) for listed in every for route in listed):
        return set()
    requests: set[tuple[str, str]] = set()
    for route in effective_routes(routes):
        path = getattr(route, "path", None)
        if isinstance(path, str) and "{" not in path:
            requests.update((method, path) for method in getattr(route, "methods", None) or ())
    return requests


def answering_entry(routes: list[BaseRoute], method: str, path: str) -> BaseRoute | None:
    """The first entry of ``routes`` that fully matches an HTTP request (what Starlette's router hands it to)."""
    scope: dict[str, Any] = {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}
    for entry in routes:
        match, _ = entry.matches(scope)
        if match == Match.FULL:
            return entry
    return None


class RouteMemo:
    """In the app router's ``middleware_stack`` slot: a request to a static path goes straight to the entry
    FastAPI's walk picks for it; every other request goes through the walk (``walk``, the router's own)."""

    def __init__(self, router: APIRouter, walk: ASGIApp) -> None:
        self.router = router
        self.walk = walk
        self.entries: dict[tuple[str, str], BaseRoute] = {}
        self.found_at: object = None  # the changes the entries were found after (:meth:`changes`)
        # Whether every included router is a ServiceRouter, whose changes the process counts in one number.
        # Otherwise the changes are FastAPI's own count, a walk of every router (6.5 µs for kinerja's 26 entries).
        self.counted = False

    def changes(self) -> object:
        """What moves whenever a route is added to the app's router or to any router included in it (and
        the length of the app's route list, which an edit of the list itself changes, as the gateway's
        merged /openapi.json does)."""
        routes = self.router.routes
        if self.counted:
            return (self.router._routes_version, _changes, len(routes))
        return (self.router._get_routes_version(), len(routes))

    def _find(self) -> None:
        routes = self.router.routes
        self.counted = all(isinstance(router, ServiceRouter) for router in _included_routers(routes))
        found_at = self.changes()
        entries: dict[tuple[str, str], BaseRoute] = {}
        for method, path in sorted(_static_requests(routes)):
            entry = answering_entry(routes, method, path)
            if entry is not None:
                entries[(method, path)] = entry
        self.entries, self.found_at = entries, found_at

    def entry(self, scope: Scope) -> BaseRoute | None:
        """The entry of the app's routes that answers this HTTP request when its path is static, else None."""
        if self.changes() != self.found_at:
            self._find()
        return self.entries.get((scope["method"], get_route_path(scope)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        entry = self.entry(scope) if scope["type"] == "http" else None
        if entry is None:
            await self.walk(scope, receive, send)
            return
        if isinstance(entry, _IncludedRouter):
            child: Scope = {}  # what its matches() answers with a full match (it walks to know the match only)
        else:
            match, child = entry.matches(scope)  # a route of the app itself: its endpoint and path parameters
            if match != Match.FULL:
                await self.walk(scope, receive, send)
                return
        # As FastAPI's APIRouter.app does before handing the request to the entry that matched.
        router = self.router
        _apply_router_form_limits(scope, router.form_limits)
        if "router" not in scope:
            scope["router"] = router
        _update_scope(scope, child)
        _route_selected(scope=scope, path=getattr(entry, "path_format", None), mount=isinstance(entry, Mount))
        await entry.handle(scope, receive, send)


def install_route_memo(app: FastAPI) -> RouteMemo | None:
    """Put a :class:`RouteMemo` in front of ``app``'s router walk; None (FastAPI left as it is) on a FastAPI
    without the parts it uses (another version than constraints.txt pins)."""
    router = app.router
    usable = (
        all(part is not None for part in _FASTAPI_PARTS)
        and callable(getattr(router, "_get_routes_version", None))
        and isinstance(getattr(router, "_routes_version", None), int)
        and getattr(router, "middleware_stack", None) == router.app  # no router middleware to keep in front
    )
    if not usable:
        return None
    memo = RouteMemo(router, router.middleware_stack)
    router.middleware_stack = memo
    return memo
