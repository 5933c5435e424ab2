"""Every dependency and endpoint of the four apps is a coroutine (or an async generator).

FastAPI runs a plain ``def`` dependency or endpoint in the thread pool: a hand-off to a worker thread and back
on every request that uses it. ``/v1/me/tasks`` paid that for the link prefix, every report for its format
negotiation, every pelatihan enrolment for its kinerja client (py-spy: ``run_in_threadpool`` under
``solve_dependencies``, issue 21), although none of them blocks. A blocking one belongs in an explicit
``run_in_threadpool`` where it is called, not hidden behind ``def``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from gateway.main import create_app as gateway_app
from services.kinerja_api.main import create_app as kinerja_app
from services.pelatihan_api.main import create_app as pelatihan_app
from services.publik_api.main import create_app as publik_app
from tests.support.routes import api_routes

APPS: dict[str, Callable[[], FastAPI]] = {
    "gateway": gateway_app,
    "kinerja": kinerja_app,
    "pelatihan": pelatihan_app,
    "publik": publik_app,
}


def _is_async(call: Callable[..., Any]) -> bool:
    """What FastAPI awaits: a coroutine function, an async generator, or an object whose ``__call__`` is one."""
    if inspect.isclass(call):
        return False
    function = call if inspect.isroutine(call) else type(call).__call__
    return inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function)


def _sync_calls(dependant: Dependant, where: str) -> Iterator[str]:
    for sub in dependant.dependencies:
        if sub.call is not None and not _is_async(sub.call):
            yield f"{where}: {getattr(sub.call, '__module__', '?')}.{getattr(sub.call, '__qualname__', sub.call)}"
        yield from _sync_calls(sub, where)


def test_no_dependency_or_endpoint_runs_in_the_thread_pool() -> None:
    found: list[str] = []
    checked = 0
    for name, factory in APPS.items():
        app = factory()
        for route in api_routes(app):
            checked += 1
            where = f"{name} {sorted(route.methods or ())} {route.path}"
            if not _is_async(route.endpoint):
                found.append(f"{where}: the endpoint itself")
            found += _sync_calls(route.dependant, where)
    assert checked > 150, checked  # the walk reached the included routers
    assert not found, "\n".join(sorted(set(found)))
