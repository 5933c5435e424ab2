"""Attendance per day, results, and feedback — with the mitra scope and the partial-attendance JP rule.

Time rule (docs/pelatihan.md "Attendance and results"): a day's attendance is recorded on or after that day,
and a result once the session has reached its last day (``ends_on`` <= today, province clock), so the
certificate's date (the session's end) is never in the future. Earlier attempts get 409 ``too-early``.

JP rule (docs/pelatihan.md, issue 18, domain.md §11.5). **Klasikal** sessions keep attendance per scheduled
training day (sessions/schedule.py); a pass credits the JP of the days attended, and the programme's JP in
full when those reach 80% of the scheduled JP; a pass with no attended day is refused (409
``no-attended-day``). **Non-klasikal** sessions keep the earlier rule: the programme's JP in full when no
attendance was kept or the participant was present on at least 80% of the session's calendar days, below
that prorated by days present, rounded down. A fail credits nothing. Ledger rows already written are never
recomputed.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.auth import Principal
from services.common.changes import record_change
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.i18n import msg
from services.pelatihan_api.certificates import service as certificates
from services.pelatihan_api.clients.kinerja import KinerjaClient
from services.pelatihan_api.completion.schemas import AttendanceBody, CompletionBody, FeedbackBody
from services.pelatihan_api.enrolments import repository as enrolments
from services.pelatihan_api.enums import EnrolmentStatus, Mode
from services.pelatihan_api.errors import InvalidTransition, NoAttendedDay, TooEarly
from services.pelatihan_api.events import SINK
from services.pelatihan_api.models.certificates import Certificate
from services.pelatihan_api.models.completion import Attendance, SessionFeedback
from services.pelatihan_api.models.enrolments import Enrolment
from services.pelatihan_api.models.institutions import Institution
from services.pelatihan_api.models.ledger import JpEntry
from services.pelatihan_api.models.programs import Program
from services.pelatihan_api.models.sessions import TrainingSession
from services.pelatihan_api.roster import repository as roster
from services.pelatihan_api.sessions.schedule import attended_jp, jp_by_day
from services.pelatihan_api.sessions.service import can_see, get_visible
from services.pelatihan_api.stats import service as stats
from services.pelatihan_api.sync import service as changes
from services.pelatihan_api.txn import Seen, recheck, release

S = EnrolmentStatus
FULL_CREDIT_SHARE = 0.8


@dataclass(frozen=True)
class Completion:
    """The outcome of recording a result."""

    enrolment: Enrolment
    jp_credited: int
    days_present: int | None
    session_days: int
    certificate: Certificate | None


def credited_jp(program_jp: int, days_present: int | None, session_days: int) -> int:
    """JP earned by a pass in a non-klasikal session, under the partial-attendance rule (calendar days)."""
    if days_present is None or days_present >= FULL_CREDIT_SHARE * session_days:
        return program_jp
    return math.floor(program_jp * days_present / session_days)


def credited_scheduled_jp(program_jp: int, days: list[dict[str, Any]], present: set[date]) -> int:
    """JP earned by a pass in a klasikal session: the JP of the scheduled days attended, or the programme's
    JP in full when they reach 80% of the schedule's JP (the full-credit rule on the JP share)."""
    scheduled = sum(jp_by_day(days).values())
    earned = attended_jp(days, present)
    if scheduled > 0 and earned >= FULL_CREDIT_SHARE * scheduled:
        return program_jp
    return min(earned, program_jp)


async def record_attendance(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID, body: AttendanceBody
) -> tuple[int, int]:
    """Mark one day: the listed NIPs present, every other confirmed participant absent. Returns counts."""
    ts = await get_visible(session, principal, session_id)
    if not (ts.starts_on <= body.on <= ts.ends_on):
        raise InvalidInput(
            msg("The day is outside the session."),
            errors=[{"loc": ["body", "on"], "msg": f"must be between {ts.starts_on} and {ts.ends_on}"}],
        )
    mode = await session.scalar(select(Program.mode).where(Program.id == ts.program_id))
    if mode == Mode.KLASIKAL and ts.days and body.on not in jp_by_day(ts.days):
        raise InvalidInput(
            msg("The day is not one of the session's training days."),
            errors=[
                {
                    "loc": ["body", "on"],
                    "msg": "must be one of " + ", ".join(str(d["on"]) for d in ts.days),
                }
            ],
        )
    today = clock.today()
    if body.on > today:
        raise TooEarly(
            msg(
                "Attendance for {on} can be recorded from that day on; today is {today}.",
                on=body.on,
                today=today,
            )
        )
    participants = set(
        (
            await session.scalars(
                select(Enrolment.nip).where(
                    Enrolment.session_id == session_id,
                    Enrolment.status.in_([S.CONFIRMED.value, S.COMPLETED.value, S.FAILED.value]),
                )
            )
        ).all()
    )
    present = set(body.present)
    strangers = sorted(present - participants)
    if strangers:
        raise InvalidInput(
            msg("Some NIPs hold no confirmed seat in this session."),
            errors=[
                {"loc": ["body", "present", i], "msg": f"{nip} is not a participant"}
                for i, nip in enumerate(strangers)
            ],
        )
    day = [Attendance.session_id == session_id, Attendance.on == body.on]
    marked = (await session.execute(select(Attendance.nip, Attendance.present).where(*day))).all()
    before = _day_state(body.on, dict(marked)) if marked else None
    if participants:
        rows = [
            {
                "session_id": session_id,
                "nip": nip,
                "on": body.on,
                "present": nip in present,
                "recorded_by": principal.subject,
            }
            for nip in sorted(participants)
        ]
        stmt = insert(Attendance).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=[Attendance.session_id, Attendance.nip, Attendance.on],
            set_={
                "present": stmt.excluded.present,
                "recorded_by": stmt.excluded.recorded_by,
                "recorded_at": func.now(),
            },
        )
        await session.execute(stmt)
    await record_change(
        session,
        SINK,
        actor=principal.subject,
        action="attendance.record",
        entity="attendance",
        entity_id=f"{session_id}/{body.on.isoformat()}",
        before=before,
        after=_day_state(body.on, {nip: nip in present for nip in participants}),
    )
    return len(present), len(participants) - len(present)


def _day_state(on: date, marks: dict[str, bool]) -> dict[str, Any]:
    """One day's attendance as the audit log keeps it: who was marked present and who absent."""
    return {
        "on": on.isoformat(),
        "present": sorted(n for n, here in marks.items() if here),
        "absent": sorted(n for n, here in marks.items() if not here),
    }


async def complete(
    session: AsyncSession,
    kinerja: KinerjaClient,
    principal: Principal,
    enrolment_id: uuid.UUID,
    body: CompletionBody,
) -> Completion:
    """Record a result for a confirmed participant; a pass issues a certificate and credits the JP.

    When the unit's name must be asked of kinerja, the flow has two phases (services/pelatihan_api/txn.py):
    read, release, ask kinerja, then write in a new transaction that first locks the enrolment and re-checks
    that neither it nor its session changed meanwhile (409 ``changed-meanwhile``).
    """
    found = (
        await session.execute(
            select(Enrolment, TrainingSession, Program, Institution)
            .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
            .join(Program, Program.id == TrainingSession.program_id)
            .join(Institution, Institution.id == TrainingSession.institution_id)
            .where(Enrolment.id == enrolment_id)
        )
    ).first()
    if found is None or not can_see(principal, found[1]):
        raise NotFound(msg("No such enrolment."))
    seen_row, ts, program, institution = found
    # The unit's name (for the published label) is asked of kinerja before any row is locked.
    facts = await roster.get(session, seen_row.nip)
    unit_id = facts.unit_id if facts is not None else None
    unit_name = None
    relied_on: list[Seen] = []
    if unit_id is not None:
        seen_enrolment = Seen(msg("enrolment"), seen_row.id, (seen_row.status, seen_row.updated_at))
        relied_on = [seen_enrolment, Seen(msg("session"), ts.id, ts.version)]
        ts_id, program_id, institution_id = ts.id, program.id, institution.id
        await release(session)
        unit_name = await kinerja.unit_name(str(unit_id))
        ts = await session.get_one(TrainingSession, ts_id)
        program = await session.get_one(Program, program_id)
        institution = await session.get_one(Institution, institution_id)
    row = await enrolments.get(session, enrolment_id, for_update=True)
    if relied_on:
        recheck(relied_on[0], (row.status, row.updated_at) if row is not None else None)
        recheck(relied_on[1], ts.version)
    assert row is not None
    if row.status != S.CONFIRMED:
        raise InvalidTransition(
            msg("The enrolment is {status}; only CONFIRMED participants get a result.", status=row.status)
        )
    today = clock.today()
    if ts.ends_on > today:
        raise TooEarly(
            msg(
                "Results can be recorded once the session has reached its last day ({ends_on}); today is {today}.",
                ends_on=ts.ends_on,
                today=today,
            )
        )
    before = await changes.snapshot(session, enrolments=[row.id])
    present = set(
        (
            await session.scalars(
                select(Attendance.on).where(
                    Attendance.session_id == ts.id, Attendance.nip == row.nip, Attendance.present.is_(True)
                )
            )
        ).all()
    )
    days_present: int | None
    if program.mode == Mode.KLASIKAL and ts.days:
        scheduled = jp_by_day(ts.days)
        session_days = len(scheduled)
        days_present = len(present & scheduled.keys())
        if body.passed and not days_present:
            raise NoAttendedDay(
                msg(
                    "{nip} was present on none of the session's training days; a pass needs at least one.",
                    nip=row.nip,
                )
            )
        jp = credited_scheduled_jp(program.jp, ts.days, present) if body.passed else 0
    else:
        session_days = (ts.ends_on - ts.starts_on).days + 1
        kept = await session.scalar(select(func.count()).where(Attendance.session_id == ts.id))
        days_present = len(present) if kept else None
        jp = credited_jp(program.jp, days_present, session_days) if body.passed else 0
    now = clock.now()
    row.passed, row.score, row.completed_at, row.updated_at = body.passed, body.score, now, now
    row.status = S.COMPLETED.value if body.passed else S.FAILED.value
    certificate = None
    if body.passed:
        certificate = await certificates.issue(
            session,
            row,
            program_title=program.title,
            institution_name=institution.name,
            jp=jp,
            completed_on=ts.ends_on,
        )
        session.add(
            JpEntry(
                nip=row.nip,
                year=ts.ends_on.year,
                jp=jp,
                enrolment_id=row.id,
                program_title=program.title,
                mode=program.mode,
                completed_on=ts.ends_on,
                certificate_number=certificate.number,
            )
        )
    await session.flush()
    figures = []
    if body.passed and unit_id is not None:
        figures.append(await stats.unit_event(session, unit_id, unit_name, ts.ends_on.year))
    await changes.record(
        session,
        actor=principal.subject,
        action="completion.record",
        enrolments=[row.id],
        completions=[row.id],
        before=before,
        events=figures,
    )
    return Completion(row, jp, days_present, session_days, certificate)


async def add_feedback(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID, body: FeedbackBody
) -> None:
    """Accept one rating per attendee (present on at least one day, or completed); others get 403."""
    if principal.nip is None:
        raise Forbidden(msg("Only participants who attended may give feedback."))
    ts = await session.get(TrainingSession, session_id)
    if ts is None:
        raise NotFound(msg("No such session."))
    attended = await session.scalar(
        select(func.count()).where(
            Attendance.session_id == session_id, Attendance.nip == principal.nip, Attendance.present.is_(True)
        )
    )
    if not attended:
        completed = await session.scalar(
            select(func.count()).where(
                Enrolment.session_id == session_id,
                Enrolment.nip == principal.nip,
                Enrolment.status == S.COMPLETED.value,
            )
        )
        if not completed:
            raise Forbidden(msg("Only participants who attended may give feedback."))
    session.add(
        SessionFeedback(session_id=session_id, nip=principal.nip, rating=body.rating, comment=body.comment)
    )
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(msg("You already gave feedback on this session.")) from exc


async def feedback_summary(
    session: AsyncSession, principal: Principal, session_id: uuid.UUID
) -> tuple[int, float | None]:
    """How many rated the session and the average (no individual answers)."""
    await get_visible(session, principal, session_id)
    count, avg = (
        await session.execute(
            select(func.count(), func.avg(SessionFeedback.rating)).where(
                SessionFeedback.session_id == session_id
            )
        )
    ).one()
    return int(count), round(float(avg), 2) if avg is not None else None
