"""Queries on ``kinerja.period_calendar``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import Reader, read_all
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


_WINDOW = text(
    """
    SELECT CAST(year AS varchar) AS key, cadence, NULL AS skp, NULL AS realization, NULL AS evaluation
      FROM kinerja.calendar_year WHERE year = ANY(CAST(:years AS integer[]))
    UNION ALL
    SELECT period, NULL, skp_due_on, realization_due_on, evaluation_due_on
      FROM kinerja.period_calendar WHERE period = ANY(CAST(:codes AS varchar[]))
    """
)


async def window(
    session: Reader, years: Sequence[int], codes: Sequence[str]
) -> tuple[dict[int, str], dict[str, tuple[date, date, date]]]:
    """In one statement: the cadence an admin set for each of ``years``, and the deadlines an admin set for
    each of ``codes`` (/me/tasks reads both on every call)."""
    cadences: dict[int, str] = {}
    set_: dict[str, tuple[date, date, date]] = {}
    for r in await read_all(session, _WINDOW, {"years": list(years), "codes": list(codes)}):
        if r.cadence is not None:
            cadences[int(r.key)] = r.cadence
        else:
            set_[r.key] = (r.skp, r.realization, r.evaluation)
    return cadences, set_
