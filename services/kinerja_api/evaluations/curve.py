"""The curve while rating (issue 16; domain.md §11.3): finalising answers with the unit's distribution status
as it is with this result counted. A warning, never a refusal. Units with fewer than :data:`MIN_RESULTS`
final results are reported as too small to apply the pattern (our rule, not SE 3/2023's). A unit head's result
rating follows the organisation predikat (:data:`HEAD_RATING`), unless an admin recorded why not."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.i18n import msg
from services.kinerja_api.evaluations.errors import RatingOffOrgPredikat
from services.kinerja_api.evaluations.schemas import CurveRead, CurveStatus, CurveWarning
from services.kinerja_api.predikat import MIN_RESULTS, curve_check
from services.kinerja_api.reports import repository as reports
from services.kinerja_api.tables.evaluation_enums import OrgPredikat, Predikat, Rating
from services.kinerja_api.tables.evaluations import Evaluation

# The unit head's Rating Hasil Kerja for the organisation predikat (SE 3/2023 step 3, secondary; §11.3).
HEAD_RATING: dict[OrgPredikat, Rating] = {
    OrgPredikat.ISTIMEWA: Rating.DI_ATAS_EKSPEKTASI,
    OrgPredikat.BAIK: Rating.SESUAI_EKSPEKTASI,
    OrgPredikat.BUTUH_PERBAIKAN: Rating.DI_BAWAH_EKSPEKTASI,
    OrgPredikat.KURANG: Rating.DI_BAWAH_EKSPEKTASI,
    OrgPredikat.SANGAT_KURANG: Rating.DI_BAWAH_EKSPEKTASI,
}


async def heads_unit_now(session: AsyncSession, evaluation: Evaluation) -> bool:
    """Whether the evaluated employee heads the result's unit today (the employee record as it is now); what
    finalising checks, and keeps in the snapshot as ``heads_unit``."""
    return await reports.heads_unit(session, evaluation.nip, evaluation.unit_id)


async def heads_unit_at_finalisation(session: AsyncSession, evaluation: Evaluation) -> bool:
    """Whether the evaluated employee headed the result's unit when it was finalised: ``heads_unit`` in the
    snapshot taken then; results finalised before the snapshot kept it fall back to the record as it is now."""
    snap = evaluation.snapshot
    if isinstance(snap, dict) and isinstance(snap.get("heads_unit"), bool):
        return bool(snap["heads_unit"])
    return await heads_unit_now(session, evaluation)


async def check_head_rating(session: AsyncSession, evaluation: Evaluation, *, heads_unit: bool) -> None:
    """Refuse (409) the result of the unit's head when its result rating is not the one the unit's organisation
    predikat for the period gives, unless an admin recorded an exception with a reason. No organisation
    predikat set, or not the head (``heads_unit``: at finalisation, :func:`heads_unit_now`; at an objection's
    decision, :func:`heads_unit_at_finalisation`): nothing to check."""
    if evaluation.org_alignment_reason is not None or not heads_unit:
        return
    org_value = await reports.get_org_predikat(session, evaluation.unit_id, evaluation.period)
    if org_value is None:
        return
    expected = HEAD_RATING[OrgPredikat(org_value)]
    if evaluation.result_rating != expected.value:
        raise RatingOffOrgPredikat(
            msg(
                "{nip} heads the unit, whose organisation predikat for {period} is {org}: the result rating must be {expected}, or an admin records why not (PUT /v1/evaluations/{id}/org-alignment-exception)",
                nip=evaluation.nip,
                period=evaluation.period,
                org=org_value,
                expected=expected.value,
                id=evaluation.id,
            )
        )


async def curve_now(session: AsyncSession, evaluation: Evaluation) -> CurveRead:
    """The unit's curve for the evaluation's period, this result included (call after the flush)."""
    # The counts and the organisation predikat come from the distribution's one statement.
    found = await reports.distribution(session, evaluation.period, evaluation.unit_id, include_subunits=False)
    counts = {p: found.counts.get(p.value, 0) for p in Predikat}
    total = sum(counts.values())
    org = OrgPredikat(found.org_predikat) if found.org_predikat else None
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
