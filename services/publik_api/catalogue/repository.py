"""Queries of the services catalogue."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.publik_api.models.catalogue import PublicService
from services.publik_api.models.publications import Item
from services.publik_api.models.surveys import SurveyResponse


async def get(session: AsyncSession, service_id: uuid.UUID) -> PublicService | None:
    """One service or None."""
    return await session.get(PublicService, service_id)


async def of_unit(session: AsyncSession, unit_id: uuid.UUID, *, active_only: bool) -> list[PublicService]:
    """A unit's services by name."""
    stmt = select(PublicService).where(PublicService.unit_id == unit_id)
    if active_only:
        stmt = stmt.where(PublicService.active)
    return list((await session.scalars(stmt.order_by(PublicService.name, PublicService.id))).all())


async def name_taken(
    session: AsyncSession, unit_id: uuid.UUID, name: str, except_id: uuid.UUID | None = None
) -> bool:
    """Whether the unit already has a service of that name (case-insensitive)."""
    stmt = select(PublicService.id).where(
        PublicService.unit_id == unit_id, func.lower(PublicService.name) == name.lower()
    )
    if except_id is not None:
        stmt = stmt.where(PublicService.id != except_id)
    return (await session.scalar(stmt.limit(1))) is not None


async def referenced(session: AsyncSession, service_id: uuid.UUID) -> bool:
    """Whether a survey answer or an innovation names the service."""
    answers = exists().where(SurveyResponse.service_id == service_id)
    innovations = exists().where(Item.kind == "INOVASI", Item.data["service_id"].astext == str(service_id))
    return bool(await session.scalar(select(answers | innovations)))
