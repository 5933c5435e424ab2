"""Assembling a unit's scorecard from published items and the IKM (a handful of indexed queries)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import NotFound
from services.common.i18n import msg
from services.publik_api.feed import repository as feed
from services.publik_api.feed.schemas import FeedItem
from services.publik_api.surveys.service import ikm
from services.publik_api.unit_registry import repository
from services.publik_api.units.schemas import Scorecard, UnitRead


async def build(
    session: AsyncSession, unit_id: uuid.UUID, year: int, *, min_group_size: int, policy_version: str
) -> Scorecard:
    """The scorecard of a unit for a year; 404 for a unit publik does not know."""
    unit = await repository.get(session, unit_id)
    if unit is None:
        raise NotFound(msg("No unit {unit_id}", unit_id=unit_id))
    rows = await feed.published(session, unit_id=unit_id, year=year, limit=500)
    items = [FeedItem.model_validate(r) for r in rows]
    performance = sorted((i for i in items if i.kind == "UNIT_PERFORMANCE"), key=lambda i: i.period)
    training = next((i for i in items if i.kind == "TRAINING_STATS"), None)
    capaian = sorted((i for i in items if i.kind == "CAPAIAN_KINERJA"), key=lambda i: i.period)
    # Innovations stay relevant after their launch year: show the unit's newest ones whatever the year.
    innovations = [
        FeedItem.model_validate(r)
        for r in await feed.published(session, unit_id=unit_id, kind="INOVASI", limit=20)
    ]
    follow_ups = [
        FeedItem.model_validate(r)
        for r in await feed.published(session, unit_id=unit_id, kind="TINDAK_LANJUT", limit=5)
    ]
    ikm_read = await ikm(session, unit_id, year, k=min_group_size)
    stamps = [i.data_as_of for i in items if i.data_as_of is not None]
    if ikm_read.data_as_of is not None:
        stamps.append(ikm_read.data_as_of)
    return Scorecard(
        unit=UnitRead.model_validate(unit),
        year=year,
        performance=performance,
        training=training,
        capaian=capaian,
        ikm=ikm_read,
        innovations=innovations,
        follow_ups=follow_ups,
        min_group_size=min_group_size,
        policy_version=policy_version,
        data_as_of=max(stamps) if stamps else None,
    )
