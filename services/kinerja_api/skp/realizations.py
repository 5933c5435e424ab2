"""Realisation reports and continuous feedback (PermenPANRB 6/2022 stage 2: documenting performance and
``umpan balik berkelanjutan``): each employee reports, per period, what they achieved on each indicator
of their approved SKP, with evidence; their direct supervisor answers with feedback."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.i18n import msg
from services.kinerja_api.calendar import service as calendar
from services.kinerja_api.calendar.periods import BadPeriod as BadPeriodCode
from services.kinerja_api.calendar.periods import parse_period
from services.kinerja_api.caller import Caller
from services.kinerja_api.skp import repository
from services.kinerja_api.skp.enums import SkpStatus
from services.kinerja_api.skp.errors import (
    BadPeriod,
    NotDirectSupervisor,
    NotOwner,
    RealizationNotFound,
    SkpNotApproved,
    UnknownIndicator,
)
from services.kinerja_api.skp.models import Feedback, Realization
from services.kinerja_api.skp.repository import PartDates
from services.kinerja_api.skp.schemas import PERIOD_RE, RealizationIn
from services.kinerja_api.skp.service import (
    changed,
    check_open,
    employee_of,
    load_visible,
    may_see,
    now,
    part_dates_of,
    reads_every_skp,
)


def _state(real: Realization) -> dict[str, object]:
    return {
        "id": str(real.id),
        "indicator_id": str(real.indicator_id),
        "period": real.period,
        "realization": real.realization,
        "evidence_url": real.evidence_url,
    }


async def report(
    session: AsyncSession, actor: Caller, skp_id: uuid.UUID, data: RealizationIn
) -> tuple[Realization, bool]:
    """Record (or replace) the realisation of one indicator for one period; returns it and whether it is
    new. Only the owner reports, only on an APPROVED SKP, only for a period of the SKP's year."""
    skp = await load_visible(session, actor, skp_id)
    if actor.nip != skp.nip:
        raise NotOwner(msg("only the employee whose SKP it is reports its realisations"))
    check_open(skp)
    if skp.status != SkpStatus.APPROVED.value:
        raise SkpNotApproved(
            msg(
                "SKP {id} is {status}; realisations are reported on an approved SKP",
                id=skp.id,
                status=skp.status,
            )
        )
    if not PERIOD_RE.match(data.period) or int(data.period[:4]) != skp.year:
        raise BadPeriod(
            msg("period {period} is not in {year}, the year of this SKP", period=data.period, year=skp.year),
            errors=[
                {"loc": ["body", "period"], "msg": f"must be {skp.year}, {skp.year}-Qn or {skp.year}-MM"}
            ],
        )
    await calendar.check_in_cadence(session, parse_period(data.period))
    if data.indicator_id not in {i.id for r in skp.results for i in r.indicators}:
        raise UnknownIndicator(
            msg(
                "indicator {indicator_id} is not an indicator of SKP {id}",
                indicator_id=data.indicator_id,
                id=skp.id,
            ),
            errors=[{"loc": ["body", "indicator_id"], "msg": "not an indicator of this SKP"}],
        )
    previous = await repository.realization_for(session, data.indicator_id, data.period)
    before = _state(previous) if previous is not None else None
    at = now()
    real = await repository.upsert_realization(
        session,
        {
            "id": uuid.uuid4(),
            "skp_id": skp.id,
            "indicator_id": data.indicator_id,
            "period": data.period,
            "realization": data.realization,
            "evidence_url": str(data.evidence_url) if data.evidence_url is not None else None,
            "reported_at": at,
            "updated_at": at,
        },
    )
    # The SKP itself does not change: its realisation is audited, the change log notes the SKP as it is.
    await changed(session, actor, "skp.realization.report", skp, before, after=_state(real))
    return real, previous is None


async def _feedback_visible(session: AsyncSession, actor: Caller, owner_nip: str) -> bool:
    """Who reads the feedback on an employee's realizations: 1. admins (oversight); 2. the employee;
    3. their current direct supervisor. Integrators and services do not: feedback is a personal exchange
    (never published, UU 14/2008 Pasal 17(h)). Only that supervisor writes feedback (add_feedback). An
    earlier supervisor who wrote a part reads the feedback they wrote themselves (:func:`list_for`)."""
    if actor.is_admin:
        return True
    if actor.nip is None:
        return False
    if actor.nip == owner_nip:
        return True
    return (await employee_of(session, owner_nip)).supervisor_nip == actor.nip


async def list_for(
    session: AsyncSession, actor: Caller, skp_id: uuid.UUID, period: str | None
) -> tuple[list[Realization], dict[uuid.UUID, list[Feedback]]]:
    """The SKP's realisations (optionally of one period) and, for whoever may read it, their feedback.

    Visibility frozen in time: a caller who reads the SKP only as the author of a part (an earlier
    supervisor) sees the realisations of periods inside the part's result period that meet the stretch
    they assessed, and only the feedback they wrote; a later period asked for by name is 404 to them."""
    skp = await load_visible(session, actor, skp_id)
    rows = await repository.realizations(session, skp.id, period)
    owner = await employee_of(session, skp.nip)
    if reads_every_skp(actor) or (actor.nip is not None and actor.nip in (skp.nip, owner.supervisor_nip)):
        feedback: dict[uuid.UUID, list[Feedback]] = {}
        if rows and await _feedback_visible(session, actor, skp.nip):
            for item in await repository.feedback_for(session, [r.id for r in rows]):
                feedback.setdefault(item.realization_id, []).append(item)
        return rows, feedback
    parts = await part_dates_of(session, actor, skp)
    if period is not None and not any(_assessed(period, p) for p in parts):
        raise RealizationNotFound(msg("no realisations of SKP {id} for {period}", id=skp.id, period=period))
    rows = [r for r in rows if any(_assessed(r.period, p) for p in parts)]
    mine: dict[uuid.UUID, list[Feedback]] = {}
    for item in await repository.feedback_for(session, [r.id for r in rows]):
        if item.author_nip == actor.acting_nip:
            mine.setdefault(item.realization_id, []).append(item)
    return rows, mine


def _assessed(code: str, part: PartDates) -> bool:
    """A realisation period a part's author may read: inside the part's result period, meeting its stretch
    (a Q1 part reads Q1, not Q2 nor the annual report; an annual part reads the quarters it overlaps and
    the annual report)."""
    try:
        period, result = parse_period(code), parse_period(part.period)
    except BadPeriodCode:
        return False
    inside = result.start <= period.start and period.end <= result.end
    return inside and period.start <= part.end and period.end >= part.start


async def add_feedback(
    session: AsyncSession, actor: Caller, realization_id: uuid.UUID, text: str
) -> Feedback:
    """Continuous feedback on a realisation, from the owner's direct supervisor only."""
    real = await repository.get_realization(session, realization_id)
    skp = await repository.get(session, real.skp_id) if real is not None else None
    if real is None or skp is None or not await may_see(session, actor, skp):
        raise RealizationNotFound(
            msg("no realisation with id {realization_id}", realization_id=realization_id)
        )
    owner = await employee_of(session, skp.nip)
    if actor.nip is None or owner.supervisor_nip != actor.nip:
        raise NotDirectSupervisor(
            msg("only the employee's direct supervisor gives feedback on their realisations")
        )
    item = Feedback(
        id=uuid.uuid4(), realization_id=real.id, author_nip=actor.nip, text=text, created_at=now()
    )
    session.add(item)
    await session.flush()
    await changed(
        session,
        actor,
        "skp.feedback.add",
        skp,
        None,
        after={"realization_id": str(real.id), "feedback_id": str(item.id), "text": text},
    )
    return item
