"""The IKM report: the SQL sums turned into IKM, mutu and kinerja with the same rules as ``GET /v1/ikm``."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import NotFound
from services.common.i18n import msg
from services.common.reports import meta
from services.publik_api.reports import repository
from services.publik_api.reports.schemas import IkmReport, IkmReportRow
from services.publik_api.reports.specs import IKM
from services.publik_api.surveys.ikm import compute_ikm


async def ikm_report(session: AsyncSession, year: int, unit_id: uuid.UUID | None) -> IkmReport:
    """Every unit's IKM for the year (404 for a unit publik does not know)."""
    rows = await repository.unit_sums(session, year, unit_id)
    if unit_id is not None and not rows:
        raise NotFound(msg("No unit {unit_id}", unit_id=unit_id))
    units = []
    for r in rows:
        result = compute_ikm(r.respondents, r.sums)
        units.append(
            IkmReportRow(
                unit_id=r.unit_id,
                unit_name=r.unit_name,
                year=year,
                respondents=result.respondents,
                ikm=float(result.ikm) if result.ikm is not None else None,
                mutu=result.mutu,
                kinerja=result.kinerja,
                nrr={f"U{u.unsur}": float(u.nrr) for u in result.per_unsur},
            )
        )
    as_of = max((r.last for r in rows if r.last is not None), default=None)
    return IkmReport(**meta(IKM.schema_version, as_of), year=year, unit_id=unit_id, units=units)
