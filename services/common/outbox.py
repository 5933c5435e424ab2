"""Transactional outbox (sender side) and idempotent receive (receiver side).

The sender writes an outbox row in the same transaction as the change it announces, so an event exists
exactly when the change committed. A dispatcher claims due rows with ``FOR UPDATE SKIP LOCKED`` (so any
number of replicas can run one), delivers them, and retries failures with exponential backoff. Delivery is
at-least-once; the receiver makes processing effectively-once by recording each event id before acting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import DateTime, Index, Integer, String, Text, func, select, text
from sqlalchemy import insert as insert_rows
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from services.common import clock
from services.common.logging import failure_level
from services.common.request_id import current_request_id, set_request_id

log = logging.getLogger("asn.outbox")

PENDING, DELIVERED, FAILED = "PENDING", "DELIVERED", "FAILED"


def utcnow() -> datetime:
    """Real time: backoff is compared with PostgreSQL's now() (services/common/clock.py)."""
    return clock.real_now()


class OutboxMixin:
    """Columns of a service's ``outbox_event`` table."""

    __tablename__ = "outbox_event"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    destination: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(80))
    # The payload's shape (services.common.changes.events): receivers refuse a version they do not know.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(12), default=PENDING, server_default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(128))

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        # Only due rows are ever scanned, so a partial index keeps the poll cheap however large history grows.
        return (
            Index(
                "ix_outbox_event_due",
                "available_at",
                "created_at",
                postgresql_where=text("status = 'PENDING'"),
            ),
        )


class InboxMixin:
    """Columns of a receiver's ``inbox_event`` table: one row per event id ever processed."""

    __tablename__ = "inbox_event"

    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def enqueue(
    session: AsyncSession,
    model: type[OutboxMixin],
    *,
    destination: str,
    event_type: str,
    payload: dict[str, Any],
    request_id: str | None = None,
) -> OutboxMixin:
    """Add an event to the outbox inside the caller's transaction (nothing is sent now)."""
    # The concrete model is a mapped subclass, whose constructor takes the columns as keywords.
    row = model(  # type: ignore[call-arg]
        id=uuid.uuid4(),
        destination=destination,
        event_type=event_type,
        payload=payload,
        status=PENDING,
        attempts=0,
        request_id=request_id,
    )
    session.add(row)
    return row


async def enqueue_many(
    session: AsyncSession,
    model: type[OutboxMixin],
    destination: str,
    events: Sequence[tuple[str, dict[str, Any]]],
) -> None:
    """Add many ``(event_type, payload)`` events in one INSERT inside the caller's transaction."""
    if not events:
        return
    rid = current_request_id()
    await session.execute(
        insert_rows(model.__table__),  # type: ignore[attr-defined]
        [
            {
                "id": uuid.uuid4(),
                "destination": destination,
                "event_type": event_type,
                "payload": payload,
                "status": PENDING,
                "attempts": 0,
                "request_id": rid,
            }
            for event_type, payload in events
        ],
    )


async def receive_once(
    session: AsyncSession, model: type[InboxMixin], *, event_id: uuid.UUID, source: str, event_type: str
) -> bool:
    """Record an event id; True the first time, False for a duplicate. Call inside the transaction that
    applies the event, so a crash between recording and applying cannot happen."""
    table = model.__table__  # type: ignore[attr-defined]
    stmt = (
        insert(table)
        .values(event_id=event_id, source=source, event_type=event_type)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(table.c.event_id)
    )
    return (await session.execute(stmt)).first() is not None


class PermanentDeliveryError(Exception):
    """The receiver refused the event for good (a 4xx); retrying cannot help."""


Transport = Callable[[dict[str, Any]], Awaitable[None]]


def http_transport(client: httpx.AsyncClient, path: str) -> Transport:
    """Deliver an envelope by POSTing it; 2xx is success, 4xx (but 408/429) is permanent, else retry."""

    async def deliver(envelope: dict[str, Any]) -> None:
        resp = await client.post(path, json=envelope)
        if resp.is_success:
            return
        if 400 <= resp.status_code < 500 and resp.status_code not in (408, 429):
            raise PermanentDeliveryError(f"{resp.status_code}: {resp.text[:300]}")
        resp.raise_for_status()

    return deliver


def envelope(row: OutboxMixin, source: str) -> dict[str, Any]:
    """The wire form of an event."""
    return {
        "id": str(row.id),
        "type": row.event_type,
        "version": row.version,
        "source": source,
        "occurred_at": row.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": row.payload,
    }


class OutboxDispatcher:
    """Delivers due outbox rows; safe to run in every replica at once."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        model: type[OutboxMixin],
        transports: dict[str, Transport],
        *,
        source: str,
        batch_size: int = 50,
        max_attempts: int = 12,
        base_backoff_s: float = 1.0,
        max_backoff_s: float = 600.0,
        poll_interval_s: float = 0.5,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.model = model
        self.transports = transports
        self.source = source
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.base_backoff_s = base_backoff_s
        self.max_backoff_s = max_backoff_s
        self.poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()

    def backoff(self, attempts: int) -> float:
        """Exponential backoff with full jitter, capped."""
        ceiling: float = min(self.max_backoff_s, self.base_backoff_s * (2 ** max(0, attempts - 1)))
        return ceiling / 2 + random.random() * ceiling / 2

    def wake(self) -> None:
        """Ask the loop to poll now (after a commit that enqueued something)."""
        self._wake.set()

    async def run_once(self) -> int:
        """Claim and process one batch; returns how many rows were processed."""
        model = self.model
        async with self.sessionmaker() as session, session.begin():
            rows = (
                await session.scalars(
                    select(model)
                    # Only destinations this dispatcher can reach: rows for others wait for a dispatcher
                    # that can, instead of being failed for want of a transport.
                    .where(
                        model.status == PENDING,
                        model.available_at <= func.now(),
                        model.destination.in_(list(self.transports)),
                    )
                    .order_by(model.available_at, model.created_at)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                await self._deliver(row)
            return len(rows)

    async def _deliver(self, row: OutboxMixin) -> None:
        transport = self.transports[row.destination]  # claimed only for destinations we can reach
        row.attempts += 1
        set_request_id(row.request_id)
        try:
            await transport(envelope(row, self.source))
        except PermanentDeliveryError as exc:
            row.status, row.last_error = FAILED, str(exc)[:2000]
            log.error("outbox event %s refused: %s", row.id, exc)
        except Exception as exc:
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if row.attempts >= self.max_attempts:
                row.status = FAILED
                log.error("outbox event %s failed after %d attempts", row.id, row.attempts)
            else:
                row.available_at = utcnow() + timedelta(seconds=self.backoff(row.attempts))
                log.log(
                    failure_level(row.attempts),
                    "outbox event %s attempt %d failed: %s",
                    row.id,
                    row.attempts,
                    row.last_error,
                )
        else:
            row.status, row.delivered_at, row.last_error = DELIVERED, utcnow(), None
        finally:
            set_request_id(None)

    async def run_forever(self) -> None:
        """Poll until cancelled; database trouble is logged and retried, never fatal."""
        while True:
            try:
                processed = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("outbox poll failed; retrying", exc_info=True)
                processed = 0
            if processed >= self.batch_size:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval_s)

    async def backlog(self) -> int:
        """How many events wait to be delivered."""
        async with self.sessionmaker() as session:
            count = await session.scalar(select(func.count()).where(self.model.status == PENDING))
            return int(count or 0)
