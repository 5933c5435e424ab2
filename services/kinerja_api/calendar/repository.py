"""Queries on ``kinerja.period_calendar``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.kinerja_api.calendar.models import PeriodCalendar


async def rows_for(session: AsyncSession, codes: Sequence[str]) -> dict[str, PeriodCalendar]:
    """The entries an admin set for these periods, by period."""
    rows = await session.scalars(select(PeriodCalendar).where(PeriodCalendar.period.in_(list(codes))))
    return {r.period: r for r in rows.all()}


async def upsert(
    session: AsyncSession, code: str, skp: date, realization: date, evaluation: date, by: str
) -> None:
    """Set a period's deadlines."""
    values = {
        "skp_due_on": skp,
        "realization_due_on": realization,
        "evaluation_due_on": evaluation,
        "updated_by": by,
    }
    stmt = insert(PeriodCalendar).values(period=code, **values)
    stmt = stmt.on_conflict_do_update(index_elements=["period"], set_={**values, "updated_at": text("now()")})
    await session.execute(stmt)
