"""Per-unit training statistics for publik (event ``pelatihan.training_stats``), sent by the change that
moved them (a completion, a revocation) through its ``record_change``.

The figures are recomputed in SQL for the unit and year each time a completion (or a revocation) changes
them, and carry no NIP or name (UU 14/2008 Pasal 17(h)); publik applies its own small-group suppression.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.changes.catalogue.pelatihan import TrainingStats
from services.pelatihan_api.clients.kinerja import KinerjaClient
from services.pelatihan_api.ledger import repository as ledger
from services.pelatihan_api.ledger.service import JP_CEILING_PPPK, JP_REQUIRED_PNS
from services.pelatihan_api.models.outbox import OutboxEvent
from services.pelatihan_api.roster import repository as roster

EVENT_TYPE = TrainingStats.event_type


async def unit_stats(session: AsyncSession, unit_id: uuid.UUID, year: int) -> dict[str, Any]:
    """The anonymous figures of one unit for one year."""
    figures = await ledger.unit_figures(session, year, JP_REQUIRED_PNS, JP_CEILING_PPPK, unit_id)
    pns_total = figures[0]["pns_total"] if figures else 0
    meeting = figures[0]["meeting"] if figures else 0
    delivered = await ledger.jp_delivered(session, year, unit_id)
    return {
        "unit_id": str(unit_id),
        "year": year,
        "participants": await ledger.participants(session, year, unit_id),
        "jp_delivered": delivered,
        "pns_total": pns_total,
        "pns_meeting_20jp": meeting,
        "share_meeting_20jp": round(meeting / pns_total, 4) if pns_total else 0.0,
        "data_as_of": clock.now().isoformat().replace("+00:00", "Z"),
    }


async def _last_unit_name(session: AsyncSession, unit_id: uuid.UUID) -> str | None:
    value = await session.scalar(
        select(OutboxEvent.payload["unit_name"].astext)
        .where(
            OutboxEvent.event_type == EVENT_TYPE,
            OutboxEvent.payload["unit_id"].astext == str(unit_id),
            OutboxEvent.payload["unit_name"].astext.not_like("Unit %"),
        )
        .order_by(OutboxEvent.created_at.desc())
        .limit(1)
    )
    return str(value) if value else None


async def unit_event(
    session: AsyncSession, unit_id: uuid.UUID, unit_name: str | None, year: int
) -> TrainingStats:
    """One unit's figures for the year, recomputed now, as the event the change that moved them sends."""
    payload = await unit_stats(session, unit_id, year)
    # publik requires a label; when kinerja cannot name the unit right now, reuse the last name we sent.
    payload["unit_name"] = unit_name or await _last_unit_name(session, unit_id) or f"Unit {str(unit_id)[:8]}"
    return TrainingStats.model_validate(payload)


async def event_for_nip(
    session: AsyncSession, kinerja: KinerjaClient, nip: str, year: int
) -> TrainingStats | None:
    """The figures of the employee's unit (from the roster); None when the unit is unknown."""
    facts = await roster.get(session, nip)
    if facts is None or facts.unit_id is None:
        return None
    return await unit_event(session, facts.unit_id, await kinerja.unit_name(str(facts.unit_id)), year)
