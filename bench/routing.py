"""How long each app takes to find the route of a request: FastAPI's own matching, ServiceRouter's, RouteMemo's.

Builds the four apps in-process (their app factories with placeholder settings: nothing connects), then, per
request below, times what Starlette's and FastAPI's routers do before the endpoint's handling starts: the
app's route list asked in order until an entry matches, and, when that entry is an included router, its
second walk to pick the route it hands the request to (FastAPI 0.165's ``_IncludedRouter._match``, what its
``_handle_selected`` runs). "APIRouter" runs FastAPI's own ``APIRouter.matches`` on every router;
"ServiceRouter" the check of services/common/routing.py first; "RouteMemo" what the apps do (routing.py's
memo of the entry that answers a static path, then ServiceRouter for the rest, and for an included router its
second walk). Interleaved rounds, median µs per request. Writes the ``routing`` section of docs/benchmarks.md.

    .venv/bin/python -m bench.routing [--calls 5000] [--rounds 7] [--no-write]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.routing import BaseRoute, Match

from bench._util import command_line, machine, table, write_section
from scripts.export_openapi import placeholder_apps
from services.common.routing import RouteMemo, ServiceRouter

SECTION = "routing"
NIP = "196601061990111001"
REQUESTS = [
    ("kinerja", "GET", "/v1/whoami"),
    ("kinerja", "GET", f"/v1/employees/{NIP}"),
    ("kinerja", "GET", "/v1/employees"),
    ("kinerja", "GET", "/v1/evaluations"),
    ("kinerja", "GET", "/v1/me/tasks"),
    ("kinerja", "GET", "/v1/reports/predikat-distribution"),
    ("pelatihan", "GET", f"/v1/employees/{NIP}/jp"),
    ("publik", "GET", "/v1/feed"),
    ("publik", "POST", "/v1/surveys"),
    ("gateway", "POST", "/auth/token"),
]


def resolve(routes: list[BaseRoute], method: str, path: str) -> tuple[int, Any]:
    """The entry of the app's routes that matched and the route that handles the request, found as the
    routers find them."""
    scope: dict[str, Any] = {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}
    for i, route in enumerate(routes):
        match, child = route.matches(scope)
        if match == Match.FULL:
            scope.update(child)
            select = getattr(route, "_match", None)  # an included router walks its routes again
            return i, select(scope)[2] if select is not None else route
    raise LookupError(f"{method} {path}: no route")


def through_memo(memo: RouteMemo, routes: list[BaseRoute], method: str, path: str) -> tuple[int, Any]:
    """:func:`resolve` as the apps do it: the memo's entry for a static path (RouteMemo.__call__ hands the
    request to it; an included router then walks its routes once), else the walk."""
    scope: dict[str, Any] = {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}
    entry = memo.entry(scope)
    if entry is None:
        return resolve(routes, method, path)
    select = getattr(entry, "_match", None)
    if select is not None:
        return -1, select(scope)[2]
    entry.matches(scope)  # a route of the app itself: the memo asks it for its child scope
    return -1, entry


def per_call_us(find: Callable[[], Any], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        find()
    return (time.perf_counter() - started) / calls * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    built = placeholder_apps()
    service_matches = ServiceRouter.matches
    results: dict[tuple[str, str, str], dict[str, list[float]]] = {}
    for n in range(args.rounds):
        for app, method, path in REQUESTS:
            routes = built[app].routes
            memo = built[app].router.middleware_stack
            assert isinstance(memo, RouteMemo), app
            # The same route every way, or the comparison is meaningless.
            ServiceRouter.matches = APIRouter.matches  # type: ignore[method-assign]
            expected = resolve(routes, method, path)
            plain = per_call_us(functools.partial(resolve, routes, method, path), args.calls)
            ServiceRouter.matches = service_matches  # type: ignore[method-assign]
            position, route = resolve(routes, method, path)
            assert position == expected[0], (method, path)
            assert route is expected[1], (method, path)
            checked = per_call_us(functools.partial(resolve, routes, method, path), args.calls)
            assert through_memo(memo, routes, method, path)[1] is expected[1], (method, path)
            remembered = per_call_us(functools.partial(through_memo, memo, routes, method, path), args.calls)
            timings = results.setdefault((app, method, path), {"plain": [], "service": [], "memo": []})
            timings["plain"].append(plain)
            timings["service"].append(checked)
            timings["memo"].append(remembered)
        print(f"round {n + 1}/{args.rounds}", flush=True)
    rows = []
    for (app, method, path), t in results.items():
        plain, service, memo_us = (statistics.median(t[k]) for k in ("plain", "service", "memo"))
        position, _ = resolve(built[app].routes, method, path)
        rows.append([app, f"{method} {path.replace(NIP, '{nip}')}", position + 1, f"{plain:.1f}", f"{service:.1f}",
                     f"{memo_us:.1f}", f"{memo_us / plain:.2f}"])  # fmt: skip
    text = table(
        ["app", "request", "entry of the app's routes", "APIRouter µs", "ServiceRouter µs", "RouteMemo µs",
         "RouteMemo / APIRouter"],
        rows,
    )  # fmt: skip
    print(text)
    if not args.no_write:
        write_section(
            SECTION,
            f"""## Finding the route: FastAPI's included routers, ServiceRouter and RouteMemo (issue 21)

Command: `{command_line()}`. In-process, the four apps from their factories (placeholder settings, nothing
connects); per request, the app's route list asked in order until an entry matches, then that included
router's second walk to the route it hands the request to (what FastAPI 0.165 does before the endpoint's
handling starts). {args.rounds} interleaved rounds of {args.calls} calls, median µs per request. "APIRouter":
FastAPI's own matching on every router; "ServiceRouter": services/common/routing.py's check of the static
beginnings of a router's paths first; "RouteMemo": what the apps run, the memo's entry for a static path (then
that included router's one walk to its route), ServiceRouter's walk for the others. All three find the same
route (checked each round). Machine: {machine()}.

{text}
""",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
