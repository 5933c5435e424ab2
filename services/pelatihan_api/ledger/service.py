"""The JP ledger and the 20 JP compliance report.

PP 11/2017 as amended by PP 17/2020, Pasal 203(4): every PNS gets at least 20 JP of competency
development a year. For PPPK the sources give no minimum, only a ceiling of 24 JP per contract year in one
ministry's rule (domain.md §3.1), while UU 20/2023 Pasal 49 obliges *every* ASN to develop; pelatihan
therefore applies the same 20 JP target to PPPK (``JP_REQUIRED``), and the compliance report, like the
regulation, counts PNS only.
"""

from __future__ import annotations

import uuid

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
    JpEntryRead,
    JpLedger,
    UnitCompliance,
)
from services.pelatihan_api.roster import repository as roster

JP_REQUIRED_PNS = 20
JP_REQUIRED = {Employment.PNS.value: JP_REQUIRED_PNS, Employment.PPPK.value: 20}


def required_for(employment: str | None) -> int:
    """The yearly JP requirement for an employment type (PNS when unknown)."""
    return JP_REQUIRED.get(employment or Employment.PNS.value, JP_REQUIRED_PNS)


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
    return JpLedger(
        nip=nip,
        year=year,
        employment=employment,
        jp_total=total,
        jp_required=required,
        met=total >= required,
        entries=[JpEntryRead.model_validate(r) for r in rows],
    )


async def compliance(session: AsyncSession, year: int, unit_id: uuid.UUID | None) -> ComplianceReport:
    """Per unit and year: active PNS, how many reached 20 JP; with a unit, who is below (all in SQL)."""
    units = [
        UnitCompliance(
            unit_id=r["unit_id"],
            pns_total=r["pns_total"],
            pns_meeting_20jp=r["meeting"],
            pns_below_20jp=r["pns_total"] - r["meeting"],
            share_meeting_20jp=round(r["meeting"] / r["pns_total"], 4) if r["pns_total"] else 0.0,
            jp_delivered=r["jp_delivered"],
        )
        for r in await repository.unit_figures(session, year, JP_REQUIRED_PNS, unit_id)
    ]
    below = None
    if unit_id is not None:
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
    )
