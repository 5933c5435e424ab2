"""Queries on ``pelatihan.program``."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.pelatihan_api.models.programs import Program


async def get(session: AsyncSession, program_id: uuid.UUID) -> Program | None:
    """One programme by id."""
    return await session.get(Program, program_id)


async def page(
    session: AsyncSession,
    *,
    institution_id: uuid.UUID | None,
    tag: str | None,
    after: list[Any] | None,
    limit: int,
) -> list[Program]:
    """``limit + 1`` programmes ordered by (title, id), optionally of one institution or carrying a tag."""
    stmt = select(Program).order_by(Program.title, Program.id).limit(limit + 1)
    if institution_id is not None:
        stmt = stmt.where(Program.institution_id == institution_id)
    if tag is not None:
        stmt = stmt.where(Program.tags.contains([tag]))
    if after is not None:
        stmt = stmt.where(tuple_(Program.title, Program.id) > (after[0], uuid.UUID(after[1])))
    return list((await session.scalars(stmt)).all())
