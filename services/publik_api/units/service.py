"""Unit rules: learn units from kinerja (events, or one lookup for a unit publik has not heard of)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import NotFound
from services.common.i18n import msg
from services.publik_api.clients.kinerja import KinerjaClient
from services.publik_api.publications.repository import bump_version
from services.publik_api.units import repository
from services.publik_api.units.models import Unit


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
    await repository.upsert(session, found.id, name=found.name, code=found.code, parent_id=found.parent_id)
    return await repository.get(session, unit_id)


async def set_service_population(session: AsyncSession, unit_id: uuid.UUID, population: int | None) -> Unit:
    """Record how many people the unit serves a year (the Krejcie-Morgan population); None clears it."""
    unit = await repository.get(session, unit_id)
    if unit is None:
        raise NotFound(msg("No unit {unit_id}", unit_id=unit_id))
    unit.service_population = population
    await session.flush()
    # The IKM and scorecard show the sample size: cached renderings must be rebuilt.
    await bump_version(session)
    return unit
