"""The curve while rating (issue 16; domain.md §11.3): finalising answers with the unit's distribution status
as it is with this result counted. A warning, never a refusal. Units with fewer than :data:`MIN_RESULTS`
final results are reported as too small to apply the pattern (our rule, not SE 3/2023's)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.kinerja_api.evaluations.enums import OrgPredikat, Predikat
from services.kinerja_api.evaluations.models import Evaluation
from services.kinerja_api.evaluations.predikat import MIN_RESULTS, curve_check
from services.kinerja_api.evaluations.schemas import CurveRead, CurveStatus, CurveWarning
from services.kinerja_api.reports import repository as reports


async def curve_now(session: AsyncSession, evaluation: Evaluation) -> CurveRead:
    """The unit's curve for the evaluation's period, this result included (call after the flush)."""
    raw = await reports.predikat_counts(session, evaluation.period, [evaluation.unit_id])
    counts = {p: raw.get(p.value, 0) for p in Predikat}
    total = sum(counts.values())
    org_value = await reports.get_org_predikat(session, evaluation.unit_id, evaluation.period)
    org = OrgPredikat(org_value) if org_value else None
    if org is None:
        return CurveRead(status=CurveStatus.NOT_CHECKED, org_predikat=None, total=total, warnings=[])
    if total < MIN_RESULTS:
        return CurveRead(status=CurveStatus.TOO_SMALL, org_predikat=org, total=total, warnings=[])
    warnings = [
        CurveWarning(rule=v.rule, expected=v.expected, actual=v.actual, explanation=v.explanation)
        for v in curve_check(org, counts)
    ]
    status = CurveStatus.BREAKS if warnings else CurveStatus.OK
    return CurveRead(status=status, org_predikat=org, total=total, warnings=warnings)
