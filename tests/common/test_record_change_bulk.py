"""record_changes writes the same rows whichever way it sends them: one statement for a few changes (the
audit INSERT carrying the outbox and change-log rows as CTEs), one batched INSERT per table for an import.
Checked on pelatihan's sink, which has all three tables, against a real migrated database."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from services.common.changes import Change, record_changes, verify_chain
from services.common.changes.catalogue.pelatihan import EnrolmentConfirmed
from services.common.settings import normalise_database_url
from services.pelatihan_api.events import SINK
from services.pelatihan_api.models.audit import AuditEntry
from services.pelatihan_api.models.outbox import OutboxEvent
from services.pelatihan_api.models.sync import ChangeLog


def _changes(n: int) -> list[Change]:
    out = []
    for i in range(n):
        key = str(uuid.uuid4())
        event = EnrolmentConfirmed(enrolment_id=key, session_id=key, nip=f"{i:018d}", status="CONFIRMED")
        out.append(Change("enrolment.approve", "enrolment", key, {"status": "PENDING"}, {"i": i}, [event]))
    return out


async def test_bulk_and_single_writes_chain_log_and_queue_alike(db: str) -> None:
    engine = create_async_engine(normalise_database_url(db))
    try:
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        for batch in (_changes(300), _changes(1), _changes(2)):  # 300 x 11 audit values: table by table
            async with sessions() as session, session.begin():
                recorded = await record_changes(session, SINK, batch, actor="tester")
                assert len(recorded.entries) == len(batch)
                assert len(recorded.outbox) == len(batch)
        async with sessions() as session:
            report = await verify_chain(session, AuditEntry)
            assert (report.entries, report.valid) == (303, True)
            audited = (await session.scalars(select(AuditEntry.entity_id).order_by(AuditEntry.seq))).all()
            logged = (await session.scalars(select(ChangeLog.entity_id).order_by(ChangeLog.seq))).all()
            assert logged == audited
            queued = await session.scalar(
                select(func.count()).where(OutboxEvent.event_type == "pelatihan.enrolment_confirmed")
            )
            assert queued == 303
    finally:
        await engine.dispose()


async def test_concurrent_writers_chain_one_after_another(db: str) -> None:
    """Twenty transactions record at once: each waits for the chain lock and then reads the entry the
    previous holder committed (a stale read would chain two entries onto one and break a link)."""
    engine = create_async_engine(normalise_database_url(db), pool_size=20)
    try:
        sessions = async_sessionmaker(engine, expire_on_commit=False)

        async def one() -> None:
            async with sessions() as session, session.begin():
                await record_changes(session, SINK, _changes(1), actor="tester")
                await asyncio.sleep(0.01)  # hold the lock a moment, so the others queue on it

        await asyncio.gather(*(one() for _ in range(20)))
        async with sessions() as session:
            report = await verify_chain(session, AuditEntry)
            assert (report.entries, report.valid) == (20, True), report
    finally:
        await engine.dispose()
