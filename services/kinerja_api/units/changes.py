"""What follows a change to a unit, in the same transaction: one ``record_change`` (audit entry, change-log
row, outbox event), so publik's unit list follows kinerja (docs/events.md: ``kinerja.unit``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import record_change
from services.common.changes.catalogue.kinerja import UnitChanged
from services.kinerja_api.events import SINK
from services.kinerja_api.units.models import Unit

UNIT_EVENT = UnitChanged.event_type


async def unit_changed(session: AsyncSession, *, actor: str, unit: Unit, active: bool = True) -> None:
    """Record a new unit and publish it to publik (it accepts surveys for units it knows)."""
    event = UnitChanged(
        unit_id=str(unit.id),
        code=unit.code,
        name=unit.name,
        parent_id=str(unit.parent_id) if unit.parent_id else None,
        active=active,
    )
    await record_change(
        session,
        SINK,
        actor=actor,
        action="unit.create",
        entity="unit",
        entity_id=str(unit.id),
        after=event.payload(),
        events=[event],
    )
