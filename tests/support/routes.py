"""The routes of an app as FastAPI answers them, for the tests that check every route of every app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from services.common.routing import effective_routes


def every_route(app: FastAPI) -> Iterator[Any]:
    """Each route of ``app``: its own, and those of its included routers as FastAPI resolves them
    (services/common/routing.py's ``effective_routes``)."""
    return effective_routes(app.routes)


def api_routes(app: FastAPI) -> Iterator[Any]:
    """The routes of :func:`every_route` that FastAPI solves dependencies for (those with a ``dependant``)."""
    for route in every_route(app):
        if getattr(route, "dependant", None) is not None:
            yield route


def dependants(dependant: Dependant) -> Iterator[Dependant]:
    """``dependant`` and every dependency below it."""
    yield dependant
    for sub in dependant.dependencies:
        yield from dependants(sub)
