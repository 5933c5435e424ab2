"""The follow-up flags: a reward candidate is Sangat Baik two years in a row; Butuh Perbaikan or lower needs a
development plan; a PPPK's contract years carry their annual predikat (domain.md §11.4). Admin only: the flags
speak of individual ratings."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.i18n import msg
from services.common.pagination import decode_cursor, page_of
from services.common.reports import meta
from services.kinerja_api.employees.errors import EmployeeNotFound
from services.kinerja_api.followup import repository
from services.kinerja_api.followup.repository import FollowUpRow
from services.kinerja_api.followup.schemas import ContractYear, FollowUp, FollowUpReport
from services.kinerja_api.reports.service import unit_scope
from services.kinerja_api.tables.evaluation_enums import Predikat

SCHEMA_VERSION = "1"
NEEDS_PLAN = frozenset({Predikat.BUTUH_PERBAIKAN, Predikat.KURANG, Predikat.SANGAT_KURANG})


def flags(row: FollowUpRow, year: int) -> FollowUp:
    """The flags of one row."""
    current = Predikat(row.predikat) if row.predikat else None
    previous = Predikat(row.previous_predikat) if row.previous_predikat else None
    return FollowUp(
        nip=row.nip,
        name=row.name,
        unit_id=row.unit_id,
        year=year,
        employment=row.employment,
        predikat=current,
        previous_predikat=previous,
        reward_candidate=current is Predikat.SANGAT_BAIK and previous is Predikat.SANGAT_BAIK,
        development_plan_required=current in NEEDS_PLAN,
        contract_start=row.contract_start,
        contract_end=row.contract_end,
        contract_years=[
            ContractYear(year=y, predikat=Predikat(p) if p else None) for y, p in row.contract_years
        ],
    )


async def of_employee(session: AsyncSession, nip: str, year: int) -> FollowUp:
    """One employee's flags (the route is admin only)."""
    rows = await repository.follow_up(session, year, units=None, nip=nip)
    if not rows:
        raise EmployeeNotFound(msg("no employee with NIP {nip}", nip=nip))
    return flags(rows[0], year)


async def report(
    session: AsyncSession,
    year: int,
    unit_id: uuid.UUID | None,
    *,
    include_subunits: bool,
    cursor: str | None,
    limit: int,
) -> FollowUpReport:
    """A keyset page of the flags of the active employees of a unit (and below) or the province."""
    units = await unit_scope(session, unit_id, include_subunits)
    after = decode_cursor(cursor, 1)
    rows = await repository.follow_up(
        session, year, units=units, after_nip=str(after[0]) if after else None, limit=limit + 1
    )
    page, next_cursor = page_of(list(rows), limit, lambda r: [r.nip])
    return FollowUpReport(
        **meta(SCHEMA_VERSION, live=True),
        year=year,
        unit_id=unit_id,
        items=[flags(r, year) for r in page],
        next_cursor=next_cursor,
    )
