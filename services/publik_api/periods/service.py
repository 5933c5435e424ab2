"""SKM period rules: a year runs either as one period or as two semesters, never both."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import periods
from services.common.auth import Principal
from services.common.changes import record_change
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.i18n import msg
from services.publik_api.events import SINK
from services.publik_api.models.periods import SkmPeriod
from services.publik_api.periods.schemas import PeriodRead
from services.publik_api.publications.repository import bump_version


async def record_admin_change(
    session: AsyncSession,
    actor: Principal,
    action: str,
    code: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """The one place this module writes down an admin change: publik's hash-chained audit (``SINK``)."""
    await record_change(
        session,
        SINK,
        actor=actor.subject,
        action=f"skm_period.{action}",
        entity="skm_period",
        entity_id=code,
        before=before,
        after=after,
    )


def bounds(code: str) -> tuple[str, date, date]:
    """(kind, first day, last day) of a period code (the shared grammar, services/common/periods.py; the
    route's pattern has already refused anything else)."""
    period = periods.parse(code, periods.SKM_KINDS)
    return ("TAHUN" if period.is_annual else "SEMESTER"), period.start, period.end


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
            msg("{code} is not an SKM period of the province.", code=code),
            errors=[{"loc": ["query", "period"], "msg": "unknown SKM period (GET /v1/skm-periods)"}],
        )
    return row


async def create(session: AsyncSession, code: str, actor: Principal) -> PeriodRead:
    """Define a period; 409 when it exists or the year already runs the other way (year vs semesters)."""
    kind, starts, ends = bounds(code)
    same_year = (await session.scalars(select(SkmPeriod).where(SkmPeriod.code.like(f"{code[:4]}%")))).all()
    if any(p.code == code for p in same_year):
        raise Conflict(msg("The period {code} exists.", code=code))
    if any(p.kind != kind for p in same_year):
        if kind == "TAHUN":
            raise Conflict(msg("{year} already runs its SKM by semester.", year=code[:4]))
        raise Conflict(msg("{year} already runs its SKM by year.", year=code[:4]))
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
        raise NotFound(msg("No SKM period {code}", code=code))
    await session.delete(row)
    await session.flush()
    await bump_version(session)
    await record_admin_change(session, actor, "delete", code, {"kind": row.kind}, None)
