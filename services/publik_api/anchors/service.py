"""Writing anchors: the latest audit head of every app, appended as a signed, hash-chained record only when
a head changed. Several replicas may run the keeper; a transaction-scoped advisory lock serialises writers."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes.audit import chain_lock_key
from services.publik_api.models.anchors import AuditAnchor
from services.publik_api.snapshots.service import SnapshotSigner, canonical_json, iso

Heads = dict[str, dict[str, Any]]
"""``{app: {"seq": int, "hash": str}}``."""

_LOCK = chain_lock_key("anchor")


def heads_of(anchor: AuditAnchor | None) -> Heads:
    """The heads an anchor record holds (none before the first)."""
    if anchor is None:
        return {}
    heads: Heads = json.loads(anchor.payload)["heads"]
    return heads


async def latest_anchor(session: AsyncSession) -> AuditAnchor | None:
    """The newest anchor record."""
    return await session.scalar(select(AuditAnchor).order_by(AuditAnchor.n.desc()).limit(1))


async def all_anchors(
    session: AsyncSession, *, after_n: int | None = None, limit: int | None = None
) -> list[AuditAnchor]:
    """Anchor records after ``after_n``, oldest first (a few a day at most: one per hour at which some head
    moved); at most ``limit`` when given."""
    stmt = select(AuditAnchor).order_by(AuditAnchor.n)
    if after_n is not None:
        stmt = stmt.where(AuditAnchor.n > after_n)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list((await session.scalars(stmt)).all())


async def anchor_heads(
    session: AsyncSession, signer: SnapshotSigner, fetched: Heads, now: datetime
) -> AuditAnchor | None:
    """Append anchor n+1 holding ``fetched`` over the previous record's heads (an app that could not be asked
    keeps its last anchored head), or nothing when no head changed."""
    await session.execute(select(func.pg_advisory_xact_lock(_LOCK)))
    last = await latest_anchor(session)
    previous = heads_of(last)
    heads = {**previous, **{app: {"seq": h["seq"], "hash": h["hash"]} for app, h in fetched.items()}}
    if last is not None and heads == previous:
        return None
    n = last.n + 1 if last else 1
    prev_hash = last.hash if last else None
    payload = canonical_json({"n": n, "prev_hash": prev_hash, "created_at": iso(now), "heads": heads})
    anchor = AuditAnchor(
        n=n,
        prev_hash=prev_hash,
        hash=hashlib.sha256(payload).hexdigest(),
        kid=signer.kid,
        payload=payload.decode(),
        jws=await asyncio.to_thread(signer.sign, payload),
        created_at=now,
    )
    session.add(anchor)
    await session.flush()
    return anchor
