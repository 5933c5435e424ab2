"""Prometheus metrics of one app process, served at ``GET /metrics`` in the text exposition format.

What is measured:

- ``asn_http_requests_total`` and ``asn_http_request_duration_seconds`` by route *template* (the matched
  FastAPI route path such as ``/v1/units/{code}``; on the gateway, forwarded requests are labelled by
  upstream, ``upstream:kinerja``), method and status. Unmatched paths share one label, ``unmatched``, so a
  scanner probing random URLs cannot blow up the number of series.
- ``asn_outbox_backlog``: events waiting in the outbox (``OutboxDispatcher.backlog()``), computed at scrape
  time and cached for a few seconds so a fast scraper cannot load the database.
- ``asn_db_pool_*``: the SQLAlchemy pool's configured size, connections checked out and overflow in use.
- ``asn_public_cache_entries`` and ``asn_public_cache_version`` on publik (its cached public reads are
  answered before the edge middleware, so they are not in the request counters).
- the ``process_*`` and ``python_*`` families of prometheus_client (memory, CPU, open files).

Each app gets its own registry (never the global one), so several apps built in one test process do not
share counters. The metrics are per process: Prometheus scrapes every replica itself, and the gateway never
forwards ``/metrics`` of a service. The endpoint answers 404 unless the peer is on loopback or a private
network and the request carries no ``X-Forwarded-For``/``Forwarded`` (nothing relayed by the gateway or an
ingress), so a public gateway does not make it public.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector
from starlette.types import Scope

from services.common.errors import problem_bytes
from services.common.i18n import msg
from services.common.state import AppState, find_metrics, find_state

log = logging.getLogger("asn.metrics")

METRICS_PATH = "/metrics"
UNMATCHED = "unmatched"
# Buckets from 5 ms to 10 s: API answers live around 10-100 ms, the gateway's read timeout is 10 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)
BACKLOG_CACHE_S = 5.0
BACKLOG_TIMEOUT_S = 1.0
_PROXIED_HEADERS = frozenset({b"x-forwarded-for", b"forwarded"})
# Any other method a client invents is counted as OTHER, so it cannot add series.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_label(scope: Scope) -> str:
    """The label of a request: its matched route template, ``upstream:<name>`` for what the gateway
    forwards, else ``unmatched``. Never the raw path (one series per URL would explode)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str) and path:
        return path
    state = find_state(scope.get("app"), AppState)
    if state is not None:
        raw: str = scope.get("path", "")
        first = raw[1:].partition("/")[0]
        if first in state.upstream_names():
            return f"upstream:{first}"
    return UNMATCHED


class _StateCollector(Collector):
    """Gauges read from the running app when Prometheus scrapes: pool use and the cached outbox backlog."""

    def __init__(self, metrics: AppMetrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterable[Metric]:
        state = find_state(self.metrics.app, AppState)
        pool: Any = state.engine.pool if state is not None else None  # QueuePool's figures (hasattr below)
        if pool is not None and hasattr(pool, "checkedout"):
            size = GaugeMetricFamily(
                "asn_db_pool_size", "Connections the database pool keeps (DB_POOL_SIZE + DB_POOL_RESERVE)."
            )
            size.add_metric([], float(pool.size()))
            used = GaugeMetricFamily(
                "asn_db_pool_checked_out", "Database connections in use (checked out of the pool)."
            )
            used.add_metric([], float(pool.checkedout()))
            overflow = GaugeMetricFamily(
                "asn_db_pool_overflow", "Connections open beyond the pool size (negative: not yet opened)."
            )
            overflow.add_metric([], float(pool.overflow()))
            yield from (size, used, overflow)
        cache = state.reader.cache if state is not None and state.reader is not None else None
        if cache is not None:
            answers = CounterMetricFamily(
                "asn_read_cache_answers",
                "Answers asked of the read cache (services/common/readcache.py), by result: hit (served kept, "
                "or by the one being made), stale (kept, but a table it reads changed since: made again) or "
                "miss (none kept).",
                labels=["result"],
            )
            for result, count in (("hit", cache.hits), ("stale", cache.stale), ("miss", cache.misses)):
                answers.add_metric([result], float(count))
            kept = GaugeMetricFamily("asn_read_cache_bytes", "Bytes of encoded pages the read cache keeps.")
            kept.add_metric([], float(cache.size))
            yield from (answers, kept)
        figures = state.public_cache_figures() if state is not None else None
        if figures is not None:
            # publik answers cached public reads before the edge middleware (no request metrics for those
            # hits); the cache's size and publication version show it is alive and current.
            size = GaugeMetricFamily("asn_public_cache_entries", "Rendered public responses held by publik.")
            size.add_metric([], float(figures[0]))
            version = GaugeMetricFamily(
                "asn_public_cache_version", "Publication version publik's cache last saw (rises on publish)."
            )
            version.add_metric([], float(figures[1]))
            yield from (size, version)
        if self.metrics.backlog is not None:
            backlog = GaugeMetricFamily(
                "asn_outbox_backlog", "Outbox events waiting to be delivered (status PENDING)."
            )
            backlog.add_metric([], float(self.metrics.backlog))
            yield backlog
            age = GaugeMetricFamily(
                "asn_outbox_backlog_age_seconds", "Seconds since the outbox backlog was last counted."
            )
            age.add_metric([], max(0.0, time.monotonic() - self.metrics.backlog_at))
            yield age


class AppMetrics:
    """The metrics of one app: a private registry, the request instruments and the scrape-time gauges."""

    def __init__(self, app_name: str) -> None:
        self.app_name = app_name
        self.app: FastAPI | None = None
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "asn_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "asn_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template, method and status.",
            ("route", "method", "status"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.scrape_errors = Counter(
            "asn_metrics_refresh_errors",
            "Scrape-time refreshes (outbox backlog) that failed, e.g. because the database was down.",
            registry=self.registry,
        )
        self.security_events = Counter(
            "asn_security_events",
            "Security events by kind: lockout, unlock, login_address_limited, password_check_busy, ...",
            ("event",),
            registry=self.registry,
        )
        self.admission_refused = Counter(
            "asn_admission_refused",
            "Requests refused with 503 before reaching the database pool (services/common/admission.py), by "
            "reason: queue_full (refused on arrival), wait_timeout (queued too long), shed (MAX_IN_FLIGHT reached), "
            "loop_lag (the event loop ran more than SHED_LOOP_LAG_MS behind) or accept_wait (refused at accept: "
            "the accept queue stood longer than SHED_ACCEPT_WAIT_MS).",
            ("reason",),
            registry=self.registry,
        )
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.backlog: int | None = None
        self.backlog_at = 0.0
        self._refresh_lock = asyncio.Lock()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.registry.register(_StateCollector(self))

    def observe(self, scope: Scope, status: int, duration_s: float) -> None:
        """Count one answered request (called by the edge middleware once the response is done)."""
        method = str(scope.get("method", ""))
        key = (route_label(scope), method if method in _METHODS else "OTHER", status)
        children = self._children.get(key)
        if children is None:
            # labels() validates and locks on every call; the label sets are few, so keep their children.
            labels = (key[0], key[1], str(status))
            children = (self.requests.labels(*labels), self.latency.labels(*labels))
            self._children[key] = children
        children[0].inc()
        children[1].observe(duration_s)

    async def refresh(self) -> None:
        """Count the outbox backlog when the cached figure is older than ``BACKLOG_CACHE_S``.

        Bounded by ``BACKLOG_TIMEOUT_S``: a scrape must answer even when the database does not; the
        last known figure stays (its age says how old it is)."""
        state = find_state(self.app, AppState)
        dispatcher = state.outbox if state is not None else None
        if dispatcher is None:
            return
        if self.backlog is not None and time.monotonic() - self.backlog_at < BACKLOG_CACHE_S:
            return
        async with self._refresh_lock:
            if self.backlog is not None and time.monotonic() - self.backlog_at < BACKLOG_CACHE_S:
                return
            try:
                self.backlog = await asyncio.wait_for(dispatcher.backlog(), BACKLOG_TIMEOUT_S)
                self.backlog_at = time.monotonic()
            except Exception as exc:  # a failing database must not fail the scrape
                self.scrape_errors.inc()
                log.warning("outbox backlog not counted: %s", type(exc).__name__)

    def render(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)


def is_proxied(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """True when a proxy forwarded the request (so it did not come straight from inside the cluster)."""
    return any(name in _PROXIED_HEADERS for name, _ in headers)


def may_scrape(scope: Scope) -> bool:
    """Metrics are for the cluster's own Prometheus: a direct peer (no forwarding headers) on loopback or
    a private network. A public caller, or anything relayed by a proxy (the gateway, an ingress), is not."""
    if is_proxied(scope.get("headers", [])):
        return False
    client = scope.get("client")
    if not client:
        return True  # an in-process transport or a Unix socket: no network peer at all
    try:
        peer = ipaddress.ip_address(str(client[0]))
    except ValueError:
        return False
    return peer.is_loopback or peer.is_private


def install_metrics(app: FastAPI, app_name: str) -> AppMetrics:
    """A registry for ``app`` (the factory binds it: services/common/state.py) and ``GET /metrics``
    (hidden from OpenAPI)."""
    metrics = AppMetrics(app_name)
    metrics.app = app

    @app.get(METRICS_PATH, include_in_schema=False)
    async def prometheus_metrics(request: Request) -> Response:
        """Prometheus text exposition of this process; 404 to public or proxied callers (cluster only)."""
        if not may_scrape(request.scope):
            return Response(problem_bytes(404, msg("Not found.")), 404, media_type="application/problem+json")
        await metrics.refresh()
        return Response(metrics.render(), media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return metrics


def observe_request(scope: Scope, status: int, duration_s: float) -> None:
    """Record a request on the app's metrics, if the app has them (the edge middleware's hook)."""
    metrics = find_metrics(scope.get("app"))
    if metrics is not None:
        try:
            metrics.observe(scope, status, duration_s)
        except Exception:  # metrics must never break a response
            log.debug("metrics observation failed", exc_info=True)


def count_event(app: Any, event: str) -> None:
    """Count one security event on the app's metrics, if the app has them."""
    metrics = find_metrics(app)
    if metrics is not None:
        metrics.security_events.labels(event).inc()


def samples(text: str, name: str) -> Iterator[tuple[dict[str, str], float]]:
    """Parse the samples of one metric from exposition text (used by tests and drills)."""
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                yield dict(sample.labels), float(sample.value)
