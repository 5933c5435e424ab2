"""Recommendations: open sessions that answer the gaps of the latest finalised evaluation, and the JP the
employee still misses this year.

- A behaviour value rated below expectation (BerAKHLAK, e.g. KOLABORATIF) matches programmes carrying that
  tag. An **overall** behaviour rating below expectation (``kinerja.development_needs``'s
  ``behaviour_rating``, issue 18) with no value named matches programmes tagged with any BerAKHLAK value
  (the general behaviour programmes).
- A result below expectation matches the tag ``KINERJA`` (performance-improvement programmes).
- A PNS (as the roster says) below 20 JP in the current year also gets open sessions of any programme
  (the JP gap), after the above.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.auth import Principal, Role
from services.common.errors import Forbidden
from services.common.i18n import msg
from services.pelatihan_api.clients.kinerja import KinerjaClient
from services.pelatihan_api.enrolments.service import is_direct_supervisor
from services.pelatihan_api.enums import LIVE_STATUSES, Employment
from services.pelatihan_api.ledger import repository as ledger
from services.pelatihan_api.ledger.service import JP_REQUIRED_PNS
from services.pelatihan_api.models.enrolments import Enrolment
from services.pelatihan_api.models.institutions import Institution
from services.pelatihan_api.models.programs import Program
from services.pelatihan_api.models.sessions import TrainingSession
from services.pelatihan_api.recommendations.schemas import Recommendation, Recommendations
from services.pelatihan_api.roster import repository as roster

RESULT_TAG = "KINERJA"
BERAKHLAK = (
    "BERORIENTASI_PELAYANAN",
    "AKUNTABEL",
    "KOMPETEN",
    "HARMONIS",
    "LOYAL",
    "ADAPTIF",
    "KOLABORATIF",
)
BELOW = "DI_BAWAH_EKSPEKTASI"


def gap_tags(behavior_gaps: list[str], behaviour_rating: str | None, result_below: bool) -> list[str]:
    """The programme tags that answer an evaluation's gaps (per-value gaps first; the overall behaviour rating
    below expectation with no value named: every BerAKHLAK value)."""
    tags = list(behavior_gaps)
    if not tags and behaviour_rating == BELOW:
        tags = list(BERAKHLAK)
    return tags + ([RESULT_TAG] if result_below else [])


def reason_for(period: str, matched: list[str], behavior_gaps: list[str]) -> str:
    """The Indonesian reason shown with a recommendation."""
    parts = []
    for t in matched:
        if t == RESULT_TAG:
            parts.append("hasil kerja di bawah ekspektasi")
        elif t in behavior_gaps:
            parts.append(f"perilaku {t} di bawah ekspektasi")
    if any(t != RESULT_TAG and t not in behavior_gaps for t in matched):
        parts.append("perilaku secara keseluruhan di bawah ekspektasi")
    return f"Evaluasi {period}: {', '.join(parts)}; program ini bertag {', '.join(matched)}."


async def recommend(
    session: AsyncSession, kinerja: KinerjaClient, principal: Principal, nip: str, limit: int = 20
) -> Recommendations:
    """For the employee, their direct supervisor, or an admin."""
    if not (
        principal.nip == nip or principal.has(Role.ADMIN, Role.PELATIHAN_ADMIN)
    ) and not await is_direct_supervisor(kinerja, principal, nip):
        raise Forbidden(msg("Only the employee, their direct supervisor or an admin may see these."))
    need = await roster.latest_need(session, nip)
    year = clock.this_year()
    facts = await roster.get(session, nip)
    jp_gap = 0
    if facts is not None and facts.employment == Employment.PNS.value:
        jp_total = sum(r.jp for r in await ledger.entries(session, nip, year))
        jp_gap = max(0, JP_REQUIRED_PNS - jp_total)
    tags: list[str] = []
    based_on: dict[str, object] | None = None
    if need is not None:
        tags = gap_tags(list(need.behavior_gaps), need.behaviour_rating, need.result_below_expectation)
        based_on = {
            "period": need.period,
            "behavior_gaps": list(need.behavior_gaps),
            "behaviour_rating": need.behaviour_rating,
            "result_below_expectation": need.result_below_expectation,
        }
    if jp_gap:
        based_on = {**(based_on or {}), "year": year, "jp_gap": jp_gap}
    if not tags and not jp_gap:
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
            TrainingSession.enrol_opens_at <= now,
            TrainingSession.enrol_closes_at > now,
            TrainingSession.id.notin_(already),
        )
        # Sessions answering an evaluation gap first, then (for a JP gap) any other, each by start date.
        .order_by(
            Program.tags.overlap(tags).desc() if tags else TrainingSession.starts_on,
            TrainingSession.starts_on,
            TrainingSession.id,
        )
        .limit(limit)
    )
    if not jp_gap:
        stmt = stmt.where(Program.tags.overlap(tags))
    items = []
    gaps = list(need.behavior_gaps) if need is not None else []
    for ts, program, institution_name in (await session.execute(stmt)).all():
        matched = sorted(set(program.tags) & set(tags))
        if matched and need is not None:
            reason = reason_for(need.period, matched, gaps)
        else:
            reason = f"Kurang {jp_gap} JP dari 20 JP tahun {year}; sesi ini memberi {program.jp} JP."
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
                reason=reason,
            )
        )
    return Recommendations(nip=nip, based_on=based_on, items=items)
