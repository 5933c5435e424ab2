"""One SKP per position held (8/2021 Lampiran; domain.md §11.1): an employee who moves to another position
drafts a new SKP, so a year may hold several, each over ``[valid_from, valid_to)`` derived from the
position history (``employee_assignment.position``). A change of supervisor alone keeps the SKP: approval
and visibility follow the current supervisor. When the position changes, the SKP covering the day of the
move is closed on that day and stays readable and frozen (409 on writes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import record_change
from services.kinerja_api.events import SINK
from services.kinerja_api.skp.models import Skp
from services.kinerja_api.skp.repository import with_results
from services.kinerja_api.tables.employees import EmployeeAssignment


@dataclass(frozen=True, slots=True)
class PositionPeriod:
    """A stretch of a year in one position, ``end`` exclusive."""

    position: str
    start: date
    end: date


def year_bounds(year: int) -> tuple[date, date]:
    """``[1 January, 1 January of the next year)``."""
    return date(year, 1, 1), date(year + 1, 1, 1)


async def position_periods(session: AsyncSession, nip: str, year: int, current: str) -> list[PositionPeriod]:
    """The positions ``nip`` held during ``year``, oldest first, clipped to the year; adjacent assignments in
    one position (a change of supervisor or unit only) merge. The first recorded position reaches back to
    the year's start (history before it was not kept); with no history at all, ``current`` holds all year."""
    first, after = year_bounds(year)
    rows = (
        await session.execute(
            select(EmployeeAssignment.position, EmployeeAssignment.valid_from, EmployeeAssignment.valid_to)
            .where(EmployeeAssignment.nip == nip)
            .order_by(EmployeeAssignment.valid_from)
        )
    ).all()
    out: list[PositionPeriod] = []
    for n, (position, valid_from, valid_to) in enumerate(rows):
        start = first if n == 0 else max(valid_from, first)
        end = after if valid_to is None else min(valid_to, after)
        if start >= end:
            continue
        if out and out[-1].position == position and out[-1].end == start:
            out[-1] = PositionPeriod(position, out[-1].start, end)
        else:
            out.append(PositionPeriod(position, start, end))
    return out or [PositionPeriod(current, first, after)]


async def period_on(session: AsyncSession, nip: str, year: int, day: date, current: str) -> PositionPeriod:
    """The position period of ``year`` holding on ``day`` (clipped into the year)."""
    first, after = year_bounds(year)
    day = min(max(day, first), after - timedelta(days=1))
    periods = await position_periods(session, nip, year, current)
    for p in periods:
        if p.start <= day < p.end:
            return p
    return periods[-1]


def is_closed(skp: Skp) -> bool:
    """An SKP closed by a move to another position before its year ended: readable, frozen."""
    return skp.valid_to < date(skp.year + 1, 1, 1)


def covering(skp: Skp, day: date) -> bool:
    """The SKP covers ``day``."""
    return skp.valid_from <= day < skp.valid_to


def _dates(skp: Skp) -> dict[str, str]:
    return {
        "valid_from": skp.valid_from.isoformat(),
        "valid_to": skp.valid_to.isoformat(),
        "position": skp.position,
    }


async def position_changed(
    session: AsyncSession, *, nip: str, since: date, position: str, actor: str
) -> None:
    """After a move to ``position`` from ``since``: the SKP covering ``since`` (begun earlier) closes on that
    day; an SKP beginning that very day is re-titled (the move was recorded for the day it started). Each
    change is audited; the SKP's version moves on (its ETag changes)."""
    # skp_data lives in the service, which imports this module (the import is deferred for that reason).
    from services.kinerja_api.skp.service import skp_data

    stmt = with_results(
        select(Skp)
        .where(Skp.nip == nip, Skp.valid_from <= since, Skp.valid_to > since)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    for skp in (await session.scalars(stmt)).all():
        before = _dates(skp)
        if skp.valid_from == since:
            skp.position = position
        else:
            skp.valid_to = since
        skp.version = skp.version + 1
        await session.flush()
        await record_change(
            session,
            SINK,
            actor=actor,
            action="skp.position_change",
            entity="skp",
            entity_id=str(skp.id),
            before=before,
            after=_dates(skp),
            # The change log carries the whole SKP, as every other SKP change does (a partial row would
            # replace an integrator's copy with three fields).
            synced=skp_data(skp),
            reason=f"employee {nip} holds the position {position!r} from {since.isoformat()}",
        )
