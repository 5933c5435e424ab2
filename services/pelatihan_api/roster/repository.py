"""Queries on the roster and the development needs received from kinerja."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.pelatihan_api.models.roster import DevelopmentNeed, RosterEmployee


async def get(session: AsyncSession, nip: str) -> RosterEmployee | None:
    """What the roster knows about one employee."""
    return await session.get(RosterEmployee, nip)


async def upsert(
    session: AsyncSession,
    *,
    nip: str,
    unit_id: uuid.UUID | None,
    employment: str,
    position_type: str | None,
    rank: str | None,
    supervisor_nip: str | None,
    active: bool,
    as_of: datetime,
    contract_start: date | None = None,
    contract_end: date | None = None,
) -> None:
    """Insert or update one employee, unless what we hold is newer than ``as_of`` (out-of-order delivery)."""
    values = {
        "nip": nip,
        "unit_id": unit_id,
        "employment": employment,
        "position_type": position_type,
        "rank": rank,
        "supervisor_nip": supervisor_nip,
        "active": active,
        "as_of": as_of,
        "contract_start": contract_start,
        "contract_end": contract_end,
    }
    stmt = insert(RosterEmployee).values(**values)
    excluded = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=[RosterEmployee.nip],
        set_={**{k: excluded[k] for k in values if k != "nip"}, "updated_at": func.now()},
        where=RosterEmployee.as_of <= excluded.as_of,
    )
    await session.execute(stmt)


async def add_need(
    session: AsyncSession,
    *,
    evaluation_id: uuid.UUID,
    nip: str,
    period: str,
    behavior_gaps: list[str],
    result_below_expectation: bool,
    occurred_at: datetime,
    behaviour_rating: str | None = None,
) -> None:
    """Store the needs of one evaluation (a re-sent evaluation replaces its earlier needs)."""
    values = {
        "evaluation_id": evaluation_id,
        "nip": nip,
        "period": period,
        "behavior_gaps": behavior_gaps,
        "result_below_expectation": result_below_expectation,
        "behaviour_rating": behaviour_rating,
        "occurred_at": occurred_at,
    }
    stmt = insert(DevelopmentNeed).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[DevelopmentNeed.evaluation_id],
        set_={k: stmt.excluded[k] for k in values if k != "evaluation_id"},
    )
    await session.execute(stmt)


async def latest_need(session: AsyncSession, nip: str) -> DevelopmentNeed | None:
    """The needs from the employee's most recent finalised evaluation."""
    stmt = (
        select(DevelopmentNeed)
        .where(DevelopmentNeed.nip == nip)
        .order_by(DevelopmentNeed.occurred_at.desc())
        .limit(1)
    )
    return (await session.scalars(stmt)).first()
