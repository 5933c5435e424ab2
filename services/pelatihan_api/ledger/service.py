"""The JP ledger and the 20 JP compliance report.

PP 11/2017 as amended by PP 17/2020, Pasal 203(4): every PNS gets at least 20 JP of competency
development a year. For PPPK no regulation sets a target; PP 49/2018 Pasal 40(1) (domain.md §11.5) sets
at most 24 JP per **contract year**. So a PPPK's ledger has no requirement (``jp_required`` and ``met``
null) and shows, from the contract dates kinerja sends, each contract year overlapping the calendar year
with its JP, flagged above 24; the compliance report counts PNS against 20 JP and PPPK apart.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal, Role
from services.common.errors import Forbidden
from services.common.i18n import msg
from services.common.reports import meta
from services.pelatihan_api.clients.kinerja import KinerjaClient
from services.pelatihan_api.enrolments.service import is_direct_supervisor
from services.pelatihan_api.enums import Employment
from services.pelatihan_api.ledger import repository
from services.pelatihan_api.ledger.schemas import (
    BelowRequirement,
    ComplianceReport,
    ContractYear,
    JpEntryRead,
    JpLedger,
    UnitCompliance,
)
from services.pelatihan_api.roster import repository as roster

JP_REQUIRED_PNS = 20
JP_CEILING_PPPK = 24


def required_for(employment: str | None) -> int | None:
    """The yearly JP requirement: 20 for PNS (and when unknown), none for PPPK."""
    return None if employment == Employment.PPPK.value else JP_REQUIRED_PNS


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def contract_years(start: date, end: date | None, year: int) -> list[tuple[date, date]]:
    """The contract years (from ``start``'s anniversaries, cut at ``end``) that overlap calendar ``year``."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    out: list[tuple[date, date]] = []
    for k in range(max(0, year - start.year - 1), year - start.year + 2):
        begins = add_years(start, k)
        ends = add_years(start, k + 1) - timedelta(days=1)
        if end is not None:
            if begins > end:
                break
            ends = min(ends, end)
        if begins <= last and ends >= first:
            out.append((begins, ends))
    return out


async def _contract_years(
    session: AsyncSession, nip: str, start: date, end: date | None, year: int
) -> list[ContractYear]:
    spans = contract_years(start, end, year)
    if not spans:
        return []
    rows = await repository.entries_between(session, nip, spans[0][0], spans[-1][1])
    out = []
    for begins, ends in spans:
        total = sum(r.jp for r in rows if begins <= r.completed_on <= ends)
        out.append(
            ContractYear(
                starts_on=begins,
                ends_on=ends,
                jp_total=total,
                jp_ceiling=JP_CEILING_PPPK,
                above_ceiling=total > JP_CEILING_PPPK,
            )
        )
    return out


async def ledger(
    session: AsyncSession, kinerja: KinerjaClient, principal: Principal, nip: str, year: int
) -> JpLedger:
    """The employee's JP for the year: the employee, their direct supervisor, or an admin may read it."""
    if not (
        principal.nip == nip or principal.has(Role.ADMIN, Role.PELATIHAN_ADMIN)
    ) and not await is_direct_supervisor(kinerja, principal, nip):
        raise Forbidden(msg("Only the employee, their direct supervisor or an admin may read this ledger."))
    rows = await repository.entries(session, nip, year)
    facts = await roster.get(session, nip)
    employment = facts.employment if facts is not None else None
    if employment is None and not rows:
        employee = await kinerja.get_employee(nip)
        employment = employee.employment if employee is not None else None
    total = sum(r.jp for r in rows)
    required = required_for(employment)
    years = None
    if employment == Employment.PPPK.value and facts is not None and facts.contract_start is not None:
        years = await _contract_years(session, nip, facts.contract_start, facts.contract_end, year)
    return JpLedger(
        nip=nip,
        year=year,
        employment=employment,
        jp_total=total,
        jp_required=required,
        met=total >= required if required is not None else None,
        contract_years=years,
        entries=[JpEntryRead.model_validate(r) for r in rows],
    )


async def compliance(
    session: AsyncSession, year: int, unit_id: uuid.UUID | None, *, individuals: bool = True
) -> ComplianceReport:
    """Per unit and year: active PNS, how many reached 20 JP; with a unit, who is below (all in SQL) unless
    ``individuals`` is false (an integrator without ``pelatihan:individual``: the NIPs are withheld)."""
    units = [
        UnitCompliance(
            unit_id=r["unit_id"],
            pns_total=r["pns_total"],
            pns_meeting_20jp=r["meeting"],
            pns_below_20jp=r["pns_total"] - r["meeting"],
            share_meeting_20jp=round(r["meeting"] / r["pns_total"], 4) if r["pns_total"] else 0.0,
            jp_delivered=r["jp_delivered"],
            pppk_total=r["pppk_total"],
            pppk_jp_delivered=r["pppk_jp_delivered"],
            pppk_above_24jp=r["pppk_above"],
        )
        for r in await repository.unit_figures(session, year, JP_REQUIRED_PNS, JP_CEILING_PPPK, unit_id)
    ]
    below = None
    if unit_id is not None and individuals:
        below = [
            BelowRequirement(**r) for r in await repository.below(session, year, JP_REQUIRED_PNS, unit_id)
        ]
    return ComplianceReport(
        **meta("1", live=True),
        year=year,
        unit_id=unit_id,
        jp_required=JP_REQUIRED_PNS,
        units=units,
        below=below,
        individuals_withheld=unit_id is not None and not individuals,
    )
