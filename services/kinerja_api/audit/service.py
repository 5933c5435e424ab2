"""Reading and verifying kinerja's audit chain (entries are written by services.common.changes)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import ChainReport
from services.common.changes import list_entries as _list
from services.common.changes import verify_chain as _verify
from services.kinerja_api.audit.models import AuditEntry


async def verify_chain(session: AsyncSession) -> ChainReport:
    """Recompute every hash and link; report the first entry that does not match."""
    return await _verify(session, AuditEntry)


async def list_entries(
    session: AsyncSession, *, entity: str | None, entity_id: str | None, after_seq: int | None, limit: int
) -> list[Any]:
    """Up to ``limit`` entries in chain order after ``after_seq``, optionally of one entity."""
    return await _list(
        session, AuditEntry, entity=entity, entity_id=entity_id, after_seq=after_seq, limit=limit
    )
