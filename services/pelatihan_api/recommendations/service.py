"""Recommendations: open sessions whose programme tags answer the gaps of the latest finalised evaluation.

A behaviour value rated below expectation (BerAKHLAK, e.g. KOLABORATIF) matches programmes carrying that
tag; a result below expectation matches the tag ``KINERJA`` (performance-improvement programmes).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.auth import Principal, Role
from services.common.errors import Forbidden
from services.common.i18n import msg
from services.pelatihan_api.clients.kinerja import KinerjaClient
from services.pelatihan_api.enrolments.models import Enrolment
from services.pelatihan_api.enrolments.service import is_direct_supervisor
from services.pelatihan_api.enums import LIVE_STATUSES
from services.pelatihan_api.institutions.models import Institution
from services.pelatihan_api.programs.models import Program
from services.pelatihan_api.recommendations.schemas import Recommendation, Recommendations
from services.pelatihan_api.roster import repository as roster
from services.pelatihan_api.sessions.models import TrainingSession

RESULT_TAG = "KINERJA"


async def recommend(
    session: AsyncSession, kinerja: KinerjaClient, principal: Principal, nip: str, limit: int = 20
) -> Recommendations:
    """For the employee, their direct supervisor, or an admin."""
    if not (
        principal.nip == nip or principal.has(Role.ADMIN, Role.PELATIHAN_ADMIN)
    ) and not await is_direct_supervisor(kinerja, principal, nip):
        raise Forbidden(msg("Only the employee, their direct supervisor or an admin may see these."))
    need = await roster.latest_need(session, nip)
    if need is None:
        return Recommendations(nip=nip, based_on=None, items=[])
    tags = list(need.behavior_gaps) + ([RESULT_TAG] if need.result_below_expectation else [])
    based_on: dict[str, object] = {
        "period": need.period,
        "behavior_gaps": list(need.behavior_gaps),
        "result_below_expectation": need.result_below_expectation,
    }
    if not tags:
        return Recommendations(nip=nip, based_on=based_on, items=[])
    now = clock.now()
    already = select(Enrolment.session_id).where(
        Enrolment.nip == nip, Enrolment.status.in_([s.value for s in LIVE_STATUSES])
    )
    stmt = (
        select(TrainingSession, Program, Institution.name)
        .join(Program, Program.id == TrainingSession.program_id)
        .join(Institution, Institution.id == TrainingSession.institution_id)
        .where(
            Program.tags.overlap(tags),
            TrainingSession.enrol_opens_at <= now,
            TrainingSession.enrol_closes_at > now,
            TrainingSession.id.notin_(already),
        )
        .order_by(TrainingSession.starts_on, TrainingSession.id)
        .limit(limit)
    )
    items = []
    for ts, program, institution_name in (await session.execute(stmt)).all():
        matched = sorted(set(program.tags) & set(tags))
        parts = [
            f"perilaku {t} di bawah ekspektasi" if t != RESULT_TAG else "hasil kerja di bawah ekspektasi"
            for t in matched
        ]
        items.append(
            Recommendation(
                session_id=ts.id,
                program_id=program.id,
                program_title=program.title,
                institution_name=institution_name,
                matched_tags=matched,
                jp=program.jp,
                mode=program.mode,
                starts_on=ts.starts_on,
                ends_on=ts.ends_on,
                enrol_closes_at=ts.enrol_closes_at,
                seats_left=ts.capacity - ts.seats_taken,
                reason=f"Evaluasi {need.period}: {', '.join(parts)}; program ini bertag {', '.join(matched)}.",
            )
        )
    return Recommendations(nip=nip, based_on=based_on, items=items)
