"""The transactional outbox against real PostgreSQL and a real HTTP receiver on loopback.

kinerja's outbox table is the sender; the receiver is a small FastAPI app served by uvicorn that records
event ids with ``receive_once`` in publik's inbox table, the way publik does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from services.common.outbox import (
    DELIVERED,
    FAILED,
    PENDING,
    OutboxDispatcher,
    enqueue,
    http_transport,
    receive_once,
)
from services.common.settings import normalise_database_url
from services.kinerja_api.events import OutboxEvent
from services.publik_api.models.inbox import InboxEvent
from tests.support.fixtures import free_port, wait_until

EVENTS_PATH = "/internal/v1/events"


@dataclass
class Receiver:
    """What the receiver saw, and what it should answer."""

    base_url: str
    deliveries: Counter[uuid.UUID] = field(default_factory=Counter)
    first_time: Counter[uuid.UUID] = field(default_factory=Counter)
    by_dispatcher: Counter[str] = field(default_factory=Counter)
    # event id -> statuses to answer before accepting it
    plan: dict[uuid.UUID, list[int]] = field(default_factory=dict)


def receiver_app(receiver: Receiver, maker: async_sessionmaker[AsyncSession]) -> FastAPI:
    app = FastAPI()

    @app.post(EVENTS_PATH)
    async def receive(request: Request) -> Response:
        envelope: dict[str, Any] = await request.json()
        event_id = uuid.UUID(envelope["id"])
        receiver.deliveries[event_id] += 1
        receiver.by_dispatcher[request.headers.get("x-dispatcher", "?")] += 1
        planned = receiver.plan.get(event_id)
        if planned:
            return Response(status_code=planned.pop(0))
        async with maker() as session, session.begin():
            first = await receive_once(
                session, InboxEvent, event_id=event_id, source=envelope["source"], event_type=envelope["type"]
            )
        receiver.first_time[event_id] += int(first)
        return Response(status_code=204)

    return app


@contextlib.asynccontextmanager
async def serve(app: FastAPI, port: int) -> AsyncIterator[None]:
    """Serve an app with uvicorn on 127.0.0.1:port inside this event loop."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started or task.done():
                break
            await asyncio.sleep(0.02)
        assert server.started, "the receiver did not start"
        yield
    finally:
        server.should_exit = True
        await task


@pytest.fixture
def maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
async def receiver(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[Receiver]:
    port = free_port()
    rec = Receiver(base_url=f"http://127.0.0.1:{port}")
    async with serve(receiver_app(rec, maker), port):
        yield rec


@contextlib.asynccontextmanager
async def dispatcher(
    db: str, base_url: str, name: str = "a", **kwargs: Any
) -> AsyncIterator[tuple[OutboxDispatcher, async_sessionmaker[AsyncSession]]]:
    """A dispatcher as one replica would have it: its own engine and its own HTTP client."""
    eng = create_async_engine(normalise_database_url(db), pool_size=2)
    client = httpx.AsyncClient(
        base_url=base_url, timeout=5.0, headers={"X-Dispatcher": name}, trust_env=False
    )
    sm = async_sessionmaker(eng, expire_on_commit=False)
    try:
        yield (
            OutboxDispatcher(
                sm,
                OutboxEvent,
                {"publik": http_transport(client, EVENTS_PATH)},
                source="kinerja",
                **{"poll_interval_s": 0.05, **kwargs},
            ),
            sm,
        )
    finally:
        await client.aclose()
        await eng.dispose()


async def enqueue_events(maker: async_sessionmaker[AsyncSession], n: int) -> list[uuid.UUID]:
    async with maker() as session, session.begin():
        rows = [
            enqueue(session, OutboxEvent, destination="publik", event_type="test.ping", payload={"i": i})
            for i in range(n)
        ]
    return [row.id for row in rows]


async def rows_by_status(maker: async_sessionmaker[AsyncSession]) -> Counter[str]:
    async with maker() as session:
        result = await session.execute(select(OutboxEvent.status, func.count()).group_by(OutboxEvent.status))
        return Counter({status: int(count) for status, count in result.all()})


async def one_row(maker: async_sessionmaker[AsyncSession], event_id: uuid.UUID) -> OutboxEvent:
    async with maker() as session:
        row = await session.get(OutboxEvent, event_id)
        assert row is not None
        return row


# ------------------------------------------------------------------------------------------------ tests


async def test_two_dispatchers_deliver_every_event_exactly_once(
    db: str, maker: async_sessionmaker[AsyncSession], receiver: Receiver
) -> None:
    n = 200
    ids = await enqueue_events(maker, n)
    async with (
        dispatcher(db, receiver.base_url, "a", batch_size=20) as (first, _),
        dispatcher(db, receiver.base_url, "b", batch_size=20) as (second, _),
    ):
        tasks = [asyncio.create_task(first.run_forever()), asyncio.create_task(second.run_forever())]
        try:

            async def all_delivered() -> bool:
                return (await rows_by_status(maker))[DELIVERED] == n

            assert await wait_until(all_delivered, timeout_s=60), await rows_by_status(maker)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    assert set(receiver.deliveries) == set(ids)
    assert max(receiver.deliveries.values()) == 1, "an event was delivered twice"
    assert sum(receiver.first_time.values()) == n
    assert receiver.by_dispatcher["a"] > 0, "both replicas should have taken a share"
    assert receiver.by_dispatcher["b"] > 0, "both replicas should have taken a share"
    assert await rows_by_status(maker) == Counter({DELIVERED: n})
    async with maker() as session:
        inbox = await session.scalar(select(func.count()).select_from(InboxEvent))
        assert inbox == n
        attempts = set((await session.scalars(select(OutboxEvent.attempts))).all())
        assert attempts == {1}


async def test_retries_with_backoff_until_the_receiver_accepts(
    db: str, maker: async_sessionmaker[AsyncSession], receiver: Receiver
) -> None:
    (event_id,) = await enqueue_events(maker, 1)
    receiver.plan[event_id] = [503, 503]
    async with dispatcher(db, receiver.base_url, base_backoff_s=0.02, max_backoff_s=0.1) as (d, _):

        async def delivered() -> bool:
            await d.run_once()
            return (await one_row(maker, event_id)).status == DELIVERED

        assert await wait_until(delivered, timeout_s=10, interval_s=0.05)
    row = await one_row(maker, event_id)
    assert row.attempts == 3
    assert row.delivered_at is not None
    assert row.last_error is None
    assert receiver.deliveries[event_id] == 3
    assert receiver.first_time[event_id] == 1


async def test_a_failing_delivery_is_routine_twice_then_a_warning(
    db: str, maker: async_sessionmaker[AsyncSession], receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    """services.common.logging.failure_level: the receiver may still be starting; the third failed attempt
    of one event is what an operator must see."""
    (event_id,) = await enqueue_events(maker, 1)
    receiver.plan[event_id] = [503, 503, 503]
    caplog.set_level(logging.INFO, logger="asn.outbox")
    async with dispatcher(db, receiver.base_url, base_backoff_s=0.02, max_backoff_s=0.1) as (d, _):

        async def delivered() -> bool:
            await d.run_once()
            return (await one_row(maker, event_id)).status == DELIVERED

        assert await wait_until(delivered, timeout_s=10, interval_s=0.05)
    failed = [r.levelno for r in caplog.records if "attempt" in r.getMessage() and "failed" in r.getMessage()]
    assert failed == [logging.INFO, logging.INFO, logging.WARNING]


async def test_a_4xx_fails_for_good_without_retry(
    db: str, maker: async_sessionmaker[AsyncSession], receiver: Receiver
) -> None:
    (event_id,) = await enqueue_events(maker, 1)
    receiver.plan[event_id] = [422, 422, 422]
    async with dispatcher(db, receiver.base_url, base_backoff_s=0.01) as (d, _):
        assert await d.run_once() == 1
        for _ in range(3):
            await asyncio.sleep(0.03)
            assert await d.run_once() == 0
    row = await one_row(maker, event_id)
    assert row.status == FAILED
    assert row.attempts == 1
    assert row.last_error is not None
    assert row.last_error.startswith("422")
    assert receiver.deliveries[event_id] == 1


async def test_receive_once_is_idempotent_on_the_event_id(maker: async_sessionmaker[AsyncSession]) -> None:
    event_id = uuid.uuid4()
    async with maker() as session, session.begin():
        assert await receive_once(session, InboxEvent, event_id=event_id, source="kinerja", event_type="t")
    async with maker() as session, session.begin():
        assert not await receive_once(
            session, InboxEvent, event_id=event_id, source="kinerja", event_type="t"
        )
    # Recording inside a transaction that rolls back records nothing, so the event is processed later.
    other = uuid.uuid4()
    async with maker() as session:
        assert await receive_once(session, InboxEvent, event_id=other, source="kinerja", event_type="t")
        await session.rollback()
    async with maker() as session, session.begin():
        assert await receive_once(session, InboxEvent, event_id=other, source="kinerja", event_type="t")


async def test_events_wait_while_the_receiver_is_down(
    db: str, maker: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    port = free_port()  # nothing listens here yet
    rec = Receiver(base_url=f"http://127.0.0.1:{port}")
    ids = await enqueue_events(maker, 3)
    async with dispatcher(db, rec.base_url, base_backoff_s=0.5, max_backoff_s=1.0) as (d, _):
        assert await d.run_once() == 3
        async with maker() as session:
            now: datetime = await session.scalar(select(func.now()))  # type: ignore[assignment]
        for event_id in ids:
            row = await one_row(maker, event_id)
            assert row.status == PENDING
            assert row.attempts == 1
            assert row.available_at > now, "a failed event must wait for its backoff"
            assert row.last_error
        assert await d.run_once() == 0, "not due yet"
        assert await d.backlog() == 3

        async with serve(receiver_app(rec, maker), port):

            async def drained() -> bool:
                await d.run_once()
                return (await rows_by_status(maker))[DELIVERED] == 3

            assert await wait_until(drained, timeout_s=15, interval_s=0.1)
    assert set(rec.deliveries) == set(ids)
    assert max(rec.deliveries.values()) == 1
    for event_id in ids:
        assert (await one_row(maker, event_id)).attempts == 2
