"""The reads of the employee tables and the penilai rule that the domains above employees share
(evaluations and skp ask who an employee is, who supervised them over a stretch, and whether the actor may
act as pejabat penilai). Below every domain package: it imports services.common, services.kinerja_api.tables
and the app's top-level modules only, so evaluations and skp need not import employees (which imports them).

The penilai's rank (PP 30/2019, PermenPANRB 6/2022; domain.md §11.2): the pejabat penilai is the direct
superior holding a JPT, ADMINISTRATOR or PENGAWAS position, or someone the PPK delegated, recorded by the
admin (services.kinerja_api.employees.delegations). The rule is checked when acting (approving an SKP,
finalising a result or a part), not when importing the reporting line.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import NamedTuple

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict
from services.common.i18n import msg
from services.kinerja_api.tables.employee_enums import PositionType
from services.kinerja_api.tables.employees import Employee, EmployeeAssignment, PenilaiDelegation


class Assignment(NamedTuple):
    """One stretch of an employee's reporting line, ``[valid_from, valid_to)``."""

    supervisor_nip: str | None
    unit_id: uuid.UUID
    valid_from: date
    valid_to: date | None


class PenilaiRankRequired(Conflict):
    """The actor holds no JPT, ADMINISTRATOR or PENGAWAS position and no delegation covers the act
    (PP 30/2019; domain.md §11.2)."""

    slug = "penilai-rank-required"


PENILAI_POSITIONS = frozenset({PositionType.JPT, PositionType.ADMINISTRATOR, PositionType.PENGAWAS})
"""Positions that may act as pejabat penilai without a delegation (at least a pejabat pengawas)."""


async def get(session: AsyncSession, nip: str, *, for_update: bool = False) -> Employee | None:
    """One employee by NIP; ``for_update`` locks the row until the transaction ends."""
    stmt = select(Employee).where(Employee.nip == nip)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).one_or_none()


def overlapping(nip: str, start: date, end: date) -> Select[str | None, uuid.UUID, date, date | None]:
    """The :class:`Assignment` columns of ``nip``'s assignments overlapping the inclusive range ``[start, end]``
    (unordered; a day's assignment is ``overlapping(nip, day, day)``)."""
    return select(
        EmployeeAssignment.supervisor_nip,
        EmployeeAssignment.unit_id,
        EmployeeAssignment.valid_from,
        EmployeeAssignment.valid_to,
    ).where(
        EmployeeAssignment.nip == nip,
        EmployeeAssignment.valid_from <= end,
        or_(EmployeeAssignment.valid_to.is_(None), EmployeeAssignment.valid_to > start),
    )


async def assignments_during(session: AsyncSession, nip: str, start: date, end: date) -> list[Assignment]:
    """Every assignment overlapping the inclusive range ``[start, end]``, oldest first."""
    stmt = overlapping(nip, start, end).order_by(EmployeeAssignment.valid_from)
    return [Assignment(*row) for row in (await session.execute(stmt)).all()]


async def covering(
    session: AsyncSession, delegate_nip: str, for_nip: str, on: date
) -> PenilaiDelegation | None:
    """A delegation of ``delegate_nip`` for ``for_nip`` that covers day ``on``."""
    stmt = (
        select(PenilaiDelegation)
        .where(
            PenilaiDelegation.delegate_nip == delegate_nip,
            PenilaiDelegation.for_nip == for_nip,
            PenilaiDelegation.valid_from <= on,
            PenilaiDelegation.valid_to >= on,
        )
        .limit(1)
    )
    return (await session.scalars(stmt)).one_or_none()


async def require_penilai(
    session: AsyncSession, actor_nip: str | None, for_nip: str, *, on: date, act: str
) -> None:
    """409 ``penilai-rank-required`` unless ``actor_nip`` holds a JPT, ADMINISTRATOR or PENGAWAS position
    today or a delegation for ``for_nip`` covers ``on``. ``act`` names what was refused."""
    if actor_nip is None:
        return
    me = await get(session, actor_nip)
    if me is None or me.position_type in PENILAI_POSITIONS:
        return
    if await covering(session, actor_nip, for_nip, on) is not None:
        return
    raise PenilaiRankRequired(
        msg(
            "{act} needs a pejabat penilai: {actor} holds a {position} position, not JPT, ADMINISTRATOR or PENGAWAS, and no delegation for {nip} covers {day}; an admin records the PPK's delegation at POST /v1/penilai-delegations, or the reporting line is corrected",
            act=act,
            actor=actor_nip,
            position=me.position_type,
            nip=for_nip,
            day=on.isoformat(),
        )
    )
