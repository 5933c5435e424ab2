"""The yearly development plan of a unit (PP 11/2017 Pasal 205 and 206: the needs of each PNS and a plan of
execution; issue 18): who still needs JP in the year, the evaluation gaps behind the recommendations, and
the sessions of the year with seats left that would cover them. Read in SQL (plan/repository.py), matched in
memory over at most 200 sessions; the tag rule is the recommendations' (``gap_tags``)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.reports import meta
from services.pelatihan_api.ledger.service import required_for
from services.pelatihan_api.plan import repository
from services.pelatihan_api.plan.schemas import DevelopmentPlan, PlannedSession, PlanRow
from services.pelatihan_api.recommendations.service import gap_tags

PER_PERSON = 5


async def development_plan(
    session: AsyncSession, year: int, unit_id: uuid.UUID, *, individuals: bool = True
) -> DevelopmentPlan:
    """The unit's plan for ``year``; without ``individuals`` only the counts (no NIP)."""
    people = await repository.people(session, unit_id, year)
    today = clock.today()
    first = max(date(year, 1, 1), today)
    candidates = await repository.open_sessions(session, unit_id, first, date(year, 12, 31))
    taken = await repository.enrolled(session, unit_id, [c["session_id"] for c in candidates])
    rows: list[PlanRow] = []
    needing_jp = with_gaps = 0
    for p in people:
        required = required_for(p["employment"])
        gap = max(0, required - p["jp_total"]) if required is not None else 0
        gaps = list(p["behavior_gaps"] or [])
        needs = gap_tags(gaps, p["behaviour_rating"], bool(p["result_below_expectation"]))
        needing_jp += gap > 0
        with_gaps += bool(needs)
        if not gap and not needs:
            continue
        chosen: list[PlannedSession] = []
        for c in sorted(candidates, key=lambda c: not set(c["tags"] or ()) & set(needs)):
            matched = sorted(set(c["tags"] or ()) & set(needs))
            if (p["nip"], c["session_id"]) in taken or not (matched or gap):
                continue
            chosen.append(
                PlannedSession(
                    session_id=c["session_id"],
                    program_title=c["program_title"],
                    starts_on=c["starts_on"],
                    jp=c["jp"],
                    seats_left=c["seats_left"],
                    matched_tags=matched,
                )
            )
            if len(chosen) == PER_PERSON:
                break
        rows.append(
            PlanRow(
                nip=p["nip"],
                employment=p["employment"],
                jp_total=p["jp_total"],
                jp_required=required,
                jp_gap=gap,
                evaluation_period=p["period"],
                behaviour_rating=p["behaviour_rating"],
                behavior_gaps=gaps,
                result_below_expectation=bool(p["result_below_expectation"]),
                needs=needs,
                sessions=chosen,
            )
        )
    return DevelopmentPlan(
        **meta("1", live=True),
        year=year,
        unit_id=unit_id,
        people_total=len(people),
        people_needing_jp=needing_jp,
        people_with_gaps=with_gaps,
        people=rows if individuals else None,
        individuals_withheld=not individuals,
    )
