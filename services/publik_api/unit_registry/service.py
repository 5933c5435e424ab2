"""Unit rules: learn units from kinerja (events, or one lookup for a unit publik has not heard of)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import record_change
from services.common.errors import NotFound
from services.common.i18n import msg
from services.publik_api.clients.kinerja import KinerjaClient
from services.publik_api.events import SINK
from services.publik_api.models.units import Unit
from services.publik_api.publications.repository import bump_version
from services.publik_api.unit_registry import repository


async def unit_state(session: AsyncSession, unit_id: uuid.UUID) -> dict[str, Any] | None:
    """A unit as the audit log keeps it, read from the table (not the session's identity map, which an
    upsert statement does not refresh)."""
    found = (
        await session.execute(
            select(Unit.name, Unit.code, Unit.parent_id, Unit.active, Unit.service_population).where(
                Unit.id == unit_id
            )
        )
    ).first()
    return dict(found._mapping) if found is not None else None


async def learn_unit(
    session: AsyncSession,
    unit_id: uuid.UUID,
    *,
    actor: str,
    name: str,
    code: str | None = None,
    parent_id: uuid.UUID | None = None,
    active: bool = True,
    name_only: bool = False,
) -> bool:
    """Create or update a unit from what kinerja said (``repository.upsert``) and record the change, if it
    was one; True when the unit changed."""
    before = await unit_state(session, unit_id)
    if name_only and before is not None:
        return False  # a figure's unit_name never overwrites what kinerja.unit said
    await repository.upsert(
        session, unit_id, name=name, code=code, parent_id=parent_id, active=active, name_only=name_only
    )
    after = await unit_state(session, unit_id)
    if after == before:
        return False
    await record_change(
        session,
        SINK,
        actor=actor,
        action="unit.learn",
        entity="unit",
        entity_id=str(unit_id),
        before=before,
        after=after,
    )
    return True


async def ensure_unit(
    session: AsyncSession, unit_id: uuid.UUID, kinerja: KinerjaClient | None
) -> Unit | None:
    """The unit, asking kinerja once when publik does not know it yet (a unit created a minute ago)."""
    unit = await repository.get(session, unit_id)
    if unit is not None or kinerja is None:
        return unit
    found = await kinerja.get_unit(unit_id)
    if found is None:
        return None
    await learn_unit(
        session, found.id, actor="kinerja", name=found.name, code=found.code, parent_id=found.parent_id
    )
    return await repository.get(session, unit_id)


async def set_service_population(
    session: AsyncSession, unit_id: uuid.UUID, population: int | None, *, actor: str
) -> Unit:
    """Record how many people the unit serves a year (the Krejcie-Morgan population); None clears it."""
    unit = await repository.get(session, unit_id)
    if unit is None:
        raise NotFound(msg("No unit {unit_id}", unit_id=unit_id))
    before = unit.service_population
    unit.service_population = population
    await session.flush()
    await record_change(
        session,
        SINK,
        actor=actor,
        action="unit.set_service_population",
        entity="unit",
        entity_id=str(unit_id),
        before={"service_population": before},
        after={"service_population": population},
    )
    # The IKM and scorecard show the sample size: cached renderings must be rebuilt.
    await bump_version(session)
    return unit
