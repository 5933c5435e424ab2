"""Queries on ``pelatihan.institution``."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.pelatihan_api.models.institutions import Institution


async def get(session: AsyncSession, institution_id: uuid.UUID) -> Institution | None:
    """One institution by id."""
    return await session.get(Institution, institution_id)


async def by_name(session: AsyncSession, name: str) -> Institution | None:
    """One institution by its unique name."""
    return (await session.scalars(select(Institution).where(Institution.name == name))).first()


async def page(session: AsyncSession, after: list[Any] | None, limit: int) -> list[Institution]:
    """``limit + 1`` institutions ordered by (name, id) after the cursor key."""
    stmt = select(Institution).order_by(Institution.name, Institution.id).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(tuple_(Institution.name, Institution.id) > (after[0], uuid.UUID(after[1])))
    return list((await session.scalars(stmt)).all())
