"""Writing and verifying the audit chain.

Each entry's hash covers its content and the previous entry's hash, so changing or deleting any row breaks
every later link. Writers take a transaction-scoped advisory lock so two concurrent transactions cannot
both chain onto the same predecessor; the lock is released at commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.kinerja_api.audit.models import AuditEntry
from services.kinerja_api.sync.service import log_changes

GENESIS = "0" * 64
_LOCK_KEY = 0x4B494E45524A41  # "KINERJA": one chain per schema


def _canonical(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, sort_keys=True)) if value is not None else None


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """sha256 over the previous hash and the entry's canonical JSON."""
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + body).encode()).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor": entry.actor,
        "on_behalf_of": entry.on_behalf_of,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "reason": entry.reason,
        "before": entry.before,
        "after": entry.after,
    }


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    on_behalf_of: str | None = None,
) -> AuditEntry:
    """Append one entry inside the caller's transaction (call it as late as possible in the request)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    prev = await session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))
    entry = AuditEntry(
        at=clock.now(),
        actor=actor,
        on_behalf_of=on_behalf_of,
        action=action,
        entity=entity,
        entity_id=entity_id,
        reason=reason,
        before=_canonical(before),
        after=_canonical(after),
        prev_hash=prev or GENESIS,
        hash="",
    )
    entry.hash = entry_hash(entry.prev_hash, _fields(entry))
    session.add(entry)
    await session.flush()
    await log_changes(session, [(action, entity, entity_id, entry.after)])
    return entry


@dataclass
class ChainReport:
    """The result of checking the whole chain."""

    entries: int
    valid: bool
    first_bad_seq: int | None = None
    problem: str | None = None


async def _stream(session: AsyncSession, batch: int = 5000) -> AsyncIterator[AuditEntry]:
    last = 0
    while True:
        rows = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
            )
        ).all()
        if not rows:
            return
        for row in rows:
            yield row
        last = rows[-1].seq


async def verify_chain(session: AsyncSession) -> ChainReport:
    """Recompute every hash and link; report the first entry that does not match."""
    prev = GENESIS
    count = 0
    async for entry in _stream(session):
        count += 1
        if entry.prev_hash != prev:
            return ChainReport(count, False, entry.seq, "the link to the previous entry is broken")
        if entry_hash(entry.prev_hash, _fields(entry)) != entry.hash:
            return ChainReport(count, False, entry.seq, "the entry's content does not match its hash")
        prev = entry.hash
    return ChainReport(count, True)


async def list_entries(
    session: AsyncSession, *, entity: str | None, entity_id: str | None, after_seq: int | None, limit: int
) -> list[AuditEntry]:
    """Up to ``limit`` entries in chain order (seq) after ``after_seq``, optionally of one entity
    (index ``(entity, entity_id, seq)``)."""
    stmt = select(AuditEntry).order_by(AuditEntry.seq).limit(limit)
    if entity is not None:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if after_seq is not None:
        stmt = stmt.where(AuditEntry.seq > after_seq)
    return list((await session.scalars(stmt)).all())


@dataclass
class Change:
    """One change to record with record_many (the bulk path of imports)."""

    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


async def record_many(
    session: AsyncSession, changes: list[Change], *, actor: str, reason: str | None = None
) -> int:
    """Append many entries in one statement, chained in order; returns how many were written."""
    if not changes:
        return 0
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    prev = await session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)) or GENESIS
    now = clock.now()
    rows: list[dict[str, Any]] = []
    for change in changes:
        entry = AuditEntry(
            at=now,
            actor=actor,
            on_behalf_of=None,
            action=change.action,
            entity=change.entity,
            entity_id=change.entity_id,
            reason=reason,
            before=_canonical(change.before),
            after=_canonical(change.after),
            prev_hash=prev,
        )
        entry.hash = entry_hash(prev, _fields(entry))
        prev = entry.hash
        rows.append(
            {
                "at": now,
                "actor": actor,
                "on_behalf_of": None,
                "action": entry.action,
                "entity": entry.entity,
                "entity_id": entry.entity_id,
                "reason": reason,
                "before": entry.before,
                "after": entry.after,
                "prev_hash": entry.prev_hash,
                "hash": entry.hash,
            }
        )
    # One multi-row INSERT: PostgreSQL assigns the identity seq in VALUES order, so seq follows the chain.
    await session.execute(insert(AuditEntry), rows)
    await log_changes(session, [(r["action"], r["entity"], r["entity_id"], r["after"]) for r in rows])
    return len(rows)
