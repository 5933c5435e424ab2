"""SKM period rules: a year runs either as one period or as two semesters, never both."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.errors import Conflict, InvalidInput, NotFound
from services.publik_api.periods.models import SkmPeriod
from services.publik_api.periods.schemas import PeriodRead
from services.publik_api.publications.repository import bump_version

log = logging.getLogger("asn.publik.audit")


async def record_admin_change(
    session: AsyncSession,
    actor: Principal,
    action: str,
    code: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """The one place this module writes down an admin change; logged until the lead wires publik's
    ``record_change`` sink here."""
    log.info(
        "admin change",
        extra={
            "action": action,
            "entity": "skm_period",
            "entity_id": code,
            "actor": actor.subject,
            "before": before,
            "after": after,
        },
    )


def bounds(code: str) -> tuple[str, date, date]:
    """(kind, first day, last day) of a period code."""
    year = int(code[:4])
    if code.endswith("-S1"):
        return "SEMESTER", date(year, 1, 1), date(year, 6, 30)
    if code.endswith("-S2"):
        return "SEMESTER", date(year, 7, 1), date(year, 12, 31)
    return "TAHUN", date(year, 1, 1), date(year, 12, 31)


async def list_all(session: AsyncSession) -> list[PeriodRead]:
    """Every period, newest first."""
    rows = (
        await session.scalars(select(SkmPeriod).order_by(SkmPeriod.starts_on.desc(), SkmPeriod.code))
    ).all()
    return [PeriodRead.model_validate(r) for r in rows]


async def get(session: AsyncSession, code: str) -> SkmPeriod:
    """A defined period; 422 on the query parameter when the province has not defined it."""
    row = await session.get(SkmPeriod, code)
    if row is None:
        raise InvalidInput(
            f"{code} is not an SKM period of the province.",
            errors=[{"loc": ["query", "period"], "msg": "unknown SKM period (GET /v1/skm-periods)"}],
        )
    return row


async def create(session: AsyncSession, code: str, actor: Principal) -> PeriodRead:
    """Define a period; 409 when it exists or the year already runs the other way (year vs semesters)."""
    kind, starts, ends = bounds(code)
    same_year = (await session.scalars(select(SkmPeriod).where(SkmPeriod.code.like(f"{code[:4]}%")))).all()
    if any(p.code == code for p in same_year):
        raise Conflict(f"The period {code} exists.")
    if any(p.kind != kind for p in same_year):
        raise Conflict(f"{code[:4]} already runs its SKM by {'semester' if kind == 'TAHUN' else 'year'}.")
    row = SkmPeriod(code=code, kind=kind, starts_on=starts, ends_on=ends)
    session.add(row)
    await session.flush()
    await bump_version(session)
    after = {"kind": kind, "starts_on": starts.isoformat(), "ends_on": ends.isoformat()}
    await record_admin_change(session, actor, "create", code, None, after)
    return PeriodRead.model_validate(row)


async def delete(session: AsyncSession, code: str, actor: Principal) -> None:
    """Remove a period definition (the answers stay; they are counted by date)."""
    row = await session.get(SkmPeriod, code)
    if row is None:
        raise NotFound(f"No SKM period {code}")
    await session.delete(row)
    await session.flush()
    await bump_version(session)
    await record_admin_change(session, actor, "delete", code, {"kind": row.kind}, None)
