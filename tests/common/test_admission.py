"""Admission in front of the database pool (issue 21): the excess is refused at once with 503 and Retry-After,
counted in /metrics, instead of waiting out the pool timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, MutableMapping
from typing import Any

import pytest

from services.common.admission import Admission, LoopLag, Overloaded, Shedder
from services.common.metrics import samples
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app
from services.kinerja_api.state import kinerja_state
from tests.support.fixtures import Tokens, running


async def test_slots_then_queue_in_order_then_refusal() -> None:
    refused: list[str] = []
    gate = Admission(2, max_queue=1, max_wait_s=5.0, on_refuse=refused.append)
    await gate.acquire()
    await gate.acquire()
    queued = asyncio.create_task(gate.acquire())
    await asyncio.sleep(0)
    assert gate.queued == 1
    started = time.perf_counter()
    with pytest.raises(Overloaded) as caught:
        await gate.acquire()
    assert time.perf_counter() - started < 0.05
    assert caught.value.status == 503
    assert caught.value.headers["Retry-After"] == "1"
    assert refused == ["queue_full"]
    gate.release()  # the slot passes to the queued request
    await queued
    assert gate.in_use == 2
    assert gate.queued == 0
    gate.release()
    gate.release()
    assert gate.in_use == 0


async def test_a_queued_request_is_refused_after_the_wait_and_a_cancelled_one_leaves() -> None:
    refused: list[str] = []
    gate = Admission(1, max_queue=5, max_wait_s=0.05, on_refuse=refused.append)
    await gate.acquire()
    with pytest.raises(Overloaded):
        await gate.acquire()
    assert refused == ["wait_timeout"]
    cancelled = asyncio.create_task(gate.acquire())
    await asyncio.sleep(0)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert gate.queued == 0
    gate.release()
    assert gate.in_use == 0


async def test_the_app_refuses_fast_with_retry_after_and_counts_it(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    settings = settings_for(KinerjaSettings, db_pool_size=1, db_max_overflow=0, db_admission_queue=0)
    app = create_app(settings)
    async with running(app) as client:
        gate = kinerja_state(app).admission
        assert gate is not None
        await gate.acquire()  # the one slot is taken
        try:
            started = time.perf_counter()
            resp = await client.get("/v1/employees?limit=1", headers=tokens.admin())
            assert time.perf_counter() - started < 0.5
        finally:
            gate.release()
        assert resp.status_code == 503, resp.text
        assert resp.headers["Retry-After"] == "1"
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert (await client.get("/v1/employees?limit=1", headers=tokens.admin())).status_code == 200
        text = (await client.get("/metrics")).text
        counted = {labels["reason"]: value for labels, value in samples(text, "asn_admission_refused_total")}
        assert counted == {"queue_full": 1.0}


async def test_the_shedder_refuses_beyond_max_in_flight_before_the_framework_and_counts_it(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    settings = settings_for(KinerjaSettings, max_in_flight=1)
    assert settings.in_flight_limit == 1
    assert (
        settings_for(KinerjaSettings).in_flight_limit == settings.db_pool_size + settings.db_admission_queue
    )
    app = create_app(settings)
    async with running(app) as client:
        assert (await client.get("/healthz")).status_code == 200  # Starlette builds the stack on first use
        shed = app.middleware_stack
        assert isinstance(shed, Shedder)
        shed.in_flight = 1  # one request is in the process
        try:
            started = time.perf_counter()
            resp = await client.get("/v1/whoami", headers=tokens.admin())
            assert time.perf_counter() - started < 0.5  # not timed closely: the machine is shared
            # probes and scrapes are never shed
            assert (await client.get("/healthz")).status_code == 200
            text = (await client.get("/metrics")).text
        finally:
            shed.in_flight = 0
        assert resp.status_code == 503, resp.text
        assert resp.headers["Retry-After"] == "1"
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["status"] == 503
        counted = {labels["reason"]: value for labels, value in samples(text, "asn_admission_refused_total")}
        assert counted == {"shed": 1.0}
        assert (await client.get("/v1/whoami", headers=tokens.admin())).status_code == 200
        assert shed.in_flight == 0  # the count came back down after the request


async def test_loop_lag_is_the_last_delay_or_how_overdue_the_next_timer_is() -> None:
    lag = LoopLag(interval_s=3600.0)  # the timer never fires during the test: the arithmetic alone
    loop = lag.ensure_started()
    try:
        due = lag.due
        assert lag.current(loop.time()) == 0.0
        assert lag.current(due + 0.2) == pytest.approx(0.2)  # overdue: seen before the timer runs
        lag.observe(due + 0.03)
        assert lag.lag_s == pytest.approx(0.03)
        assert lag.current(due - 1.0) == pytest.approx(0.03)
        lag.observe(due - 0.01)  # early (clock granularity) is no lag
        assert lag.lag_s == 0.0
    finally:
        lag.stop()


async def test_loop_lag_sees_a_blocked_loop() -> None:
    lag = LoopLag(interval_s=0.01)
    loop = lag.ensure_started()
    try:
        time.sleep(0.1)  # noqa: ASYNC251  (blocking on purpose: the loop cannot run its timer, 90+ ms late)
        assert lag.current(loop.time()) >= 0.09
        await asyncio.sleep(0)  # the timer runs now and notes its delay
        await asyncio.sleep(0)
        assert lag.lag_s >= 0.09
    finally:
        lag.stop()


async def test_the_shedder_refuses_while_the_loop_lags_and_counts_it(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    assert settings_for(KinerjaSettings, shed_loop_lag_ms=0).shed_loop_lag_s is None
    settings = settings_for(KinerjaSettings, shed_loop_lag_ms=50)
    assert settings.shed_loop_lag_s == 0.05
    app = create_app(settings)
    async with running(app) as client:
        assert (await client.get("/healthz")).status_code == 200  # Starlette builds the stack on first use
        shed = app.middleware_stack
        assert isinstance(shed, Shedder)
        assert shed.max_lag_s == 0.05
        shed.lag.stop()
        shed.lag = LoopLag(interval_s=3600.0)  # its timer never fires: the lag is what the test sets
        shed.lag.ensure_started()
        try:
            shed.lag.lag_s = 0.2
            resp = await client.get("/v1/whoami", headers=tokens.admin())
            assert (await client.get("/healthz")).status_code == 200  # probes and scrapes are never shed
            text = (await client.get("/metrics")).text
            shed.lag.lag_s = 0.0
            after = await client.get("/v1/whoami", headers=tokens.admin())
        finally:
            shed.lag.stop()
        assert resp.status_code == 503, resp.text
        assert resp.headers["Retry-After"] == "1"
        assert resp.headers["content-type"].startswith("application/problem+json")
        counted = {labels["reason"]: value for labels, value in samples(text, "asn_admission_refused_total")}
        assert counted == {"loop_lag": 1.0}
        assert after.status_code == 200, after.text
        assert shed.in_flight == 0


async def test_the_shedders_refusal_is_rendered_once_per_language_and_never_with_a_request_id() -> None:
    from contextvars import copy_context

    from services.common.errors import problem_bytes
    from services.common.i18n import INDONESIAN, bind, msg
    from services.common.messages import COMMON
    from services.common.request_id import set_request_id

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("a shed request never reaches the app")

    shed = Shedder(app, max_in_flight=0)

    async def refuse() -> tuple[list[tuple[bytes, bytes]], bytes]:
        sent: list[dict[str, Any]] = []

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(dict(message))

        async def receive() -> dict[str, Any]:
            return {"type": "http.request"}

        await shed({"type": "http", "path": "/v1/whoami"}, receive, send)
        assert sent[0]["status"] == 503
        return sent[0]["headers"], sent[1]["body"]

    def fresh() -> bytes:
        return problem_bytes(503, msg("The service is busy; retry after {seconds} s.", seconds="1"))

    async def in_context(language: str | None, request_id: str | None) -> tuple[Any, bytes, bytes]:
        if language is not None:
            bind(language, COMMON)
        set_request_id(request_id)
        headers, body = await refuse()
        return headers, body, fresh()

    async def run(language: str | None, request_id: str | None = None) -> tuple[Any, bytes, bytes]:
        return await asyncio.create_task(in_context(language, request_id), context=copy_context())

    for _ in range(2):  # the second time from the cache
        headers, body, expected = await run(None)
        assert body == expected
        assert (b"retry-after", b"1") in headers
        assert (b"content-length", str(len(body)).encode()) in headers
        headers, body_id, expected = await run(INDONESIAN)
        assert body_id == expected != body
        assert "sibuk" in body_id.decode()
    _, body, expected = await run(None, "a" * 32)
    assert body == expected
    assert ("a" * 32).encode() in body
    assert len(shed._answers) == 2  # English and Indonesian; the body with a request id was not kept


async def test_background_work_beside_a_full_gate_keeps_the_pools_connections(
    db: str, settings_for: Callable[..., Any]
) -> None:
    """While the requests hold every connection the gate admits, the app's own work (the outbox dispatcher's
    poll, here one session) gets a connection the pool keeps: no PostgreSQL backend is opened for it and
    another closed when they come back. With the pool sized to the gate, each poll under load opened an
    overflow connection and the pool closed one on return (about one backend a second, docs/benchmarks.md,
    issue 21 round 6), and the read path's prepared statements on it were lost."""
    from sqlalchemy import text
    from sqlalchemy.util.concurrency import greenlet_spawn

    settings = settings_for(KinerjaSettings, db_pool_size=2, db_max_overflow=5)
    app = create_app(settings)
    async with running(app):
        state = kinerja_state(app)
        pool = state.engine.sync_engine.pool

        async def checkout() -> Any:
            return await greenlet_spawn(pool.connect)

        async def background() -> int:
            async with state.sessionmaker() as session:  # as the outbox dispatcher polls
                return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())

        held = [await checkout() for _ in range(settings.db_pool_size)]  # the requests at the gate's capacity
        backends = {c.driver_connection.get_server_pid() for c in held}
        backends.add(await background())
        for conn in held:
            conn.close()
        # The next round of the same load runs on the same backends: nothing was closed and reopened.
        again = [await checkout() for _ in range(settings.db_pool_size)]
        second = await background()
        assert {c.driver_connection.get_server_pid() for c in again} | {second} <= backends
        for conn in again:
            conn.close()
        assert pool.checkedout() == 0  # type: ignore[attr-defined]
