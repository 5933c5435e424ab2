"""GET /metrics on every app: Prometheus text, requests by route template (never the raw path), the outbox
backlog, the database pool, hidden from OpenAPI and refused through a proxy."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from gateway.config import GatewaySettings
from gateway.main import create_app as gateway_app
from services.common.metrics import UNMATCHED, route_label, samples
from services.common.state import AppState, app_state
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app as kinerja_app
from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.main import create_app as pelatihan_app
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app as publik_app
from tests.support.fixtures import Tokens, plain_dsn, running

SERVICES: list[tuple[Callable[..., FastAPI], type[Any]]] = [
    (kinerja_app, KinerjaSettings),
    (pelatihan_app, PelatihanSettings),
    (publik_app, PublikSettings),
]
DEAD_UPSTREAM = ["http://127.0.0.1:9"]


def _value(text: str, name: str, **labels: str) -> float | None:
    for found, value in samples(text, name):
        if all(found.get(k) == v for k, v in labels.items()):
            return value
    return None


@pytest.mark.parametrize(("factory", "settings_cls"), SERVICES)
async def test_every_service_serves_metrics(
    db: str, settings_for: Callable[..., Any], factory: Any, settings_cls: Any
) -> None:
    app = factory(settings_for(settings_cls))
    async with running(app) as client:
        assert (await client.get("/healthz")).status_code == 200
        resp = await client.get("/metrics")
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/plain; version=0.0.4")
        text = resp.text
        assert _value(text, "asn_http_requests_total", route="/healthz", method="GET", status="200") == 1
        assert _value(text, "asn_http_request_duration_seconds_count", route="/healthz", status="200") == 1
        state = app_state(app, AppState)
        assert (
            _value(text, "asn_db_pool_size") == state.settings.db_pool_size + state.settings.db_pool_reserve
        )
        assert _value(text, "asn_db_pool_checked_out") == 0
        has_outbox = state.outbox is not None  # publik only receives events
        assert _value(text, "asn_outbox_backlog") == (0 if has_outbox else None)
        assert _value(text, "process_resident_memory_bytes")
        if factory is publik_app:
            assert _value(text, "asn_public_cache_entries") is not None
            assert _value(text, "asn_public_cache_version") is not None
        spec = (await client.get("/openapi.json")).json()
        assert "/metrics" not in spec["paths"]


async def test_routes_are_labelled_by_template(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    app = kinerja_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        for _ in range(3):
            resp = await client.get(f"/v1/units/{uuid.uuid4()}", headers=tokens.admin())
            assert resp.status_code == 404
        for i in range(2):
            await client.get(f"/random/scanner/path/{i}")
            await client.request(f"BREW{i}", "/v1/units")
        created = await client.post(
            "/v1/units", json={"code": "MET.1", "name": "Metrik"}, headers=tokens.admin()
        )
        assert created.status_code == 201, created.text
        text = (await client.get("/metrics")).text
    assert (
        _value(text, "asn_http_requests_total", route="/v1/units/{unit_id}", method="GET", status="404") == 3
    )
    assert _value(text, "asn_http_requests_total", route="/v1/units", method="POST", status="201") == 1
    assert _value(text, "asn_http_requests_total", route=UNMATCHED, status="404") == 2
    assert _value(text, "asn_http_requests_total", route="/v1/units", method="OTHER", status="405") == 2
    routes = {labels.get("route") for labels, _ in samples(text, "asn_http_requests_total")}
    assert not any("/random/" in str(r) or str(r).count("-") >= 4 for r in routes), routes


async def test_outbox_backlog_counts_pending_events(db: str, settings_for: Callable[..., Any]) -> None:
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        for _ in range(3):
            await conn.execute(
                "INSERT INTO kinerja.outbox_event (id, destination, event_type, payload, status, attempts) "
                "VALUES ($1, 'publik', 'test.event', '{}'::jsonb, 'PENDING', 0)",
                uuid.uuid4(),
            )
    finally:
        await conn.close()
    app = kinerja_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        text = (await client.get("/metrics")).text
    assert _value(text, "asn_outbox_backlog") == 3


async def test_metrics_refused_through_a_proxy(db: str, settings_for: Callable[..., Any]) -> None:
    app = kinerja_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        for header in ("X-Forwarded-For", "Forwarded"):
            resp = await client.get("/metrics", headers={header: "203.0.113.9"})
            assert resp.status_code == 404
            assert resp.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("peer", "allowed"),
    [
        ("127.0.0.1", True),
        ("10.42.3.7", True),
        ("192.168.1.9", True),
        ("::1", True),
        ("8.8.8.8", False),
        ("2001:4860::8888", False),
    ],
)
async def test_metrics_only_for_private_peers(
    db: str, settings_for: Callable[..., Any], peer: str, allowed: bool
) -> None:
    app = kinerja_app(settings_for(KinerjaSettings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            resp = await client.get("/metrics")
    assert resp.status_code == (200 if allowed else 404)


async def test_gateway_labels_forwarded_requests_by_upstream(
    db: str, settings_for: Callable[..., Any], tmp_path: Path
) -> None:
    settings = settings_for(
        GatewaySettings,
        data_dir=tmp_path,
        kinerja_urls=DEAD_UPSTREAM,
        pelatihan_urls=DEAD_UPSTREAM,
        publik_urls=DEAD_UPSTREAM,
    )
    app = gateway_app(settings)
    async with running(app) as client:
        for i in range(3):
            resp = await client.get(f"/kinerja/v1/units/{i}")
            assert resp.status_code == 503
        text = (await client.get("/metrics")).text
        spec = (await client.get("/openapi.json")).json()
    assert _value(text, "asn_http_requests_total", route="upstream:kinerja", status="503") == 3
    assert _value(text, "asn_db_pool_size") == settings.db_pool_size + settings.db_pool_reserve
    assert _value(text, "asn_outbox_backlog") is None  # the gateway has no outbox
    assert "/metrics" not in spec["paths"]


def test_route_label_without_a_match() -> None:
    assert route_label({"type": "http", "path": "/x/1"}) == UNMATCHED
