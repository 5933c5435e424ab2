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
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette._utils import get_route_path  # what Starlette's and FastAPI's routes match against
from starlette.routing import Match
from starlette.types import Scope

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


class ServiceRouter(APIRouter):
    """FastAPI's ``APIRouter`` that refuses a path none of its routes can match before walking them."""

    _prefixes: tuple[str, ...] = _ANY
    _prefixes_of: int = -1  # the number of routes the prefixes were computed for

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self._prefixes_of != len(self.routes):
            self._prefixes, self._prefixes_of = _static_prefixes(self.routes), len(self.routes)
        if not get_route_path(scope).startswith(self._prefixes):
            return Match.NONE, {}
        return super().matches(scope)
