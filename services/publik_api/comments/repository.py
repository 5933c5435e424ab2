"""Queries of comments."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.publik_api.models.surveys import SurveyResponse


async def get(session: AsyncSession, response_id: uuid.UUID) -> SurveyResponse | None:
    """One survey response."""
    return await session.get(SurveyResponse, response_id)


async def comments(
    session: AsyncSession,
    *,
    unit_id: uuid.UUID | None,
    handled: bool | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[SurveyResponse]:
    """Responses with a comment, newest first (keyset on submitted_at, id)."""
    stmt = select(SurveyResponse).where(SurveyResponse.comment.is_not(None), SurveyResponse.comment != "")
    if unit_id is not None:
        stmt = stmt.where(SurveyResponse.unit_id == unit_id)
    if handled is not None:
        stmt = stmt.where(
            SurveyResponse.handled_at.is_not(None) if handled else SurveyResponse.handled_at.is_(None)
        )
    if after is not None:
        stmt = stmt.where(tuple_(SurveyResponse.submitted_at, SurveyResponse.id) < tuple_(*after))
    stmt = stmt.order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc()).limit(limit)
    return list((await session.scalars(stmt)).all())
