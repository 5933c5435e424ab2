"""Business rules of sessions: valid dates, windows and capacities, optimistic concurrency, mitra scope."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.auth import Principal, Role
from services.common.conditional import check_if_match, require_if_match, strong_etag
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.i18n import msg
from services.common.pagination import decode_cursor, page_of
from services.pelatihan_api.enums import PNS_RANKS
from services.pelatihan_api.errors import ScheduleLocked
from services.pelatihan_api.models.sessions import TrainingSession
from services.pelatihan_api.programs import repository as programs
from services.pelatihan_api.schemas.sessions import SessionCreate, SessionDayIn, SessionPatch
from services.pelatihan_api.sessions import repository
from services.pelatihan_api.sessions.schedule import default_days, spread, to_json
from services.pelatihan_api.sync import service as changes

# Bengkulu keeps Western Indonesia Time (WIB, UTC+7); a session "starts" at local midnight.
WIB = timezone(timedelta(hours=7), "WIB")


def session_start(starts_on: date) -> datetime:
    """The instant a session starts: local midnight of its first day."""
    return datetime.combine(starts_on, time(0), tzinfo=WIB)


def etag(row: TrainingSession) -> str:
    """The session's strong ETag (its version)."""
    return strong_etag(row.version)


_STALE = msg("The session changed since you read it; read it again.")


def _bad(field: str, text: str) -> InvalidInput:
    return InvalidInput(text, errors=[{"loc": ["body", field], "msg": str(text)}])


def _validate(
    starts_on: date,
    ends_on: date,
    opens: datetime,
    closes: datetime,
    min_rank: str | None,
) -> None:
    if ends_on < starts_on:
        raise _bad("ends_on", msg("ends_on is before starts_on"))
    if closes <= opens:
        raise _bad("enrol_closes_at", msg("the enrolment window closes before it opens"))
    if closes > session_start(starts_on):
        raise _bad("enrol_closes_at", msg("the enrolment window closes after the session starts"))
    if min_rank is not None and min_rank not in PNS_RANKS:
        raise _bad("min_rank", msg("min_rank must be one of {ranks}", ranks=", ".join(PNS_RANKS)))


def build_days(
    starts_on: date, ends_on: date, program_jp: int, listed: list[SessionDayIn] | None
) -> list[dict[str, Any]]:
    """The schedule to store: the default (weekdays, JP spread) when no day is listed; else the listed days,
    which must be distinct, inside the session and either all with JP summing to the programme's or all
    without (then spread by largest remainder). 422 naming ``days`` otherwise."""
    if not listed:
        return default_days(starts_on, ends_on, program_jp)
    ordered = sorted(listed, key=lambda d: d.on)
    dates = [d.on for d in ordered]
    if len(set(dates)) != len(dates):
        raise _bad("days", msg("a training day is listed twice"))
    if dates[0] < starts_on or dates[-1] > ends_on:
        raise _bad("days", msg("every training day must lie between starts_on and ends_on"))
    given = [d.jp for d in ordered]
    if all(j is None for j in given):
        return to_json(dates, spread(program_jp, len(dates)))
    if any(j is None for j in given):
        raise _bad("days", msg("give jp for every training day or for none"))
    whole = [int(j) for j in given if j is not None]
    if sum(whole) != program_jp:
        raise _bad(
            "days",
            msg("the days' JP sum to {total}, not the programme's {jp}", total=sum(whole), jp=program_jp),
        )
    return to_json(dates, whole)


def started(row: TrainingSession) -> bool:
    """True once the session's first day has begun (local midnight WIB of ``starts_on``)."""
    return clock.now() >= session_start(row.starts_on)


def can_see(principal: Principal, row: TrainingSession) -> bool:
    """Mitra staff see only their own institution's sessions; everyone else with a token sees all."""
    if principal.has(Role.ADMIN, Role.PELATIHAN_ADMIN) or not principal.has(Role.MITRA):
        return True
    return principal.institution_id is not None and principal.institution_id == str(row.institution_id)


async def get_visible(session: AsyncSession, principal: Principal, session_id: uuid.UUID) -> TrainingSession:
    """The session, or 404 when it does not exist or the caller (a mitra of another institution) may not see it."""
    row = await repository.get(session, session_id)
    if row is None or not can_see(principal, row):
        raise NotFound(msg("No such session."))
    return row


async def create_session(session: AsyncSession, body: SessionCreate, *, actor: str) -> TrainingSession:
    """Open a session of an existing programme, after checking dates, window and capacity."""
    program = await programs.get(session, body.program_id)
    if program is None:
        raise _bad("program_id", msg("no such programme"))
    _validate(body.starts_on, body.ends_on, body.enrol_opens_at, body.enrol_closes_at, body.min_rank)
    row = TrainingSession(
        program_id=program.id,
        institution_id=program.institution_id,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        capacity=body.capacity,
        enrol_opens_at=body.enrol_opens_at,
        enrol_closes_at=body.enrol_closes_at,
        location=body.location,
        seats_taken=0,
        waitlist_length=0,
        waitlist_seq=0,
        eligible_position_types=[p.value for p in body.eligible_position_types]
        if body.eligible_position_types
        else None,
        min_rank=body.min_rank,
        eligible_unit_ids=body.eligible_unit_ids or None,
        days=build_days(body.starts_on, body.ends_on, program.jp, body.days),
        version=1,
    )
    session.add(row)
    await session.flush()
    await changes.record(session, actor=actor, action="session.create", sessions=[row.id])
    return row


async def list_sessions(
    session: AsyncSession,
    principal: Principal,
    *,
    program_id: uuid.UUID | None,
    institution_id: uuid.UUID | None,
    open_only: bool,
    cursor: str | None,
    limit: int,
) -> tuple[list[TrainingSession], str | None]:
    """A keyset page of sessions by start date; a mitra only ever sees its own institution's."""
    if principal.has(Role.MITRA) and not principal.has(Role.ADMIN, Role.PELATIHAN_ADMIN):
        own = uuid.UUID(principal.institution_id) if principal.institution_id else uuid.UUID(int=0)
        if institution_id is not None and institution_id != own:
            return [], None
        institution_id = own
    rows = await repository.page(
        session,
        program_id=program_id,
        institution_id=institution_id,
        open_at=clock.now() if open_only else None,
        after=decode_cursor(cursor, 2),
        limit=limit,
    )
    return page_of(rows, limit, lambda r: (r.starts_on.isoformat(), str(r.id)))


async def patch_session(
    session: AsyncSession, session_id: uuid.UUID, body: SessionPatch, if_match: str | None, *, actor: str
) -> TrainingSession:
    """Change a session when ``If-Match`` carries its current ETag (412 when stale, 428 when missing).

    A capacity below the seats already confirmed is refused (409); a larger one promotes the waitlist. New
    dates or training days re-build the schedule (JP spread again) until the session starts; from its
    first day on they are refused (409 ``schedule-locked``).
    """
    require_if_match(if_match, detail=msg("Send the session's ETag in If-Match."))
    row = await repository.get(session, session_id, for_update=True)
    if row is None:
        raise NotFound(msg("No such session."))
    check_if_match(if_match, etag(row), required=True, stale_detail=_STALE)
    before = {(changes.SESSION, str(row.id)): changes.session_data(row)}
    patch = body.model_dump(exclude_unset=True)
    for key in ("starts_on", "ends_on", "capacity", "enrol_opens_at", "enrol_closes_at", "location"):
        if key in patch and patch[key] is None:
            raise _bad(key, msg("{key} cannot be null", key=key))
    _validate(
        patch.get("starts_on", row.starts_on),
        patch.get("ends_on", row.ends_on),
        patch.get("enrol_opens_at", row.enrol_opens_at),
        patch.get("enrol_closes_at", row.enrol_closes_at),
        patch.get("min_rank", row.min_rank),
    )
    reschedules = any(k in patch for k in ("starts_on", "ends_on", "days"))
    if reschedules:
        if started(row):
            raise ScheduleLocked(
                msg(
                    "The session started on {starts_on}; its dates and training days can no longer change.",
                    starts_on=row.starts_on,
                )
            )
        program = await programs.get(session, row.program_id)
        assert program is not None
        patch["days"] = build_days(
            patch.get("starts_on", row.starts_on),
            patch.get("ends_on", row.ends_on),
            program.jp,
            body.days,
        )
    capacity = patch.get("capacity", row.capacity)
    if capacity < row.seats_taken:
        raise Conflict(
            msg(
                "capacity {capacity} is below the {seats_taken} seats already confirmed.",
                capacity=capacity,
                seats_taken=row.seats_taken,
            )
        )
    for key, value in patch.items():
        if key == "eligible_position_types" and value:
            value = [str(v) for v in value]
        if key in ("eligible_position_types", "eligible_unit_ids") and not value:
            value = None
        setattr(row, key, value)
    row.version += 1
    row.updated_at = clock.now()
    await session.flush()
    free = row.capacity - row.seats_taken
    promoted: list[uuid.UUID] = []
    while len(promoted) < free and (waiter := await repository.promote_first_waitlisted(session, row.id)):
        promoted.append(waiter.id)
    if promoted:
        refreshed = await repository.get(session, row.id)
        assert refreshed is not None
        row = refreshed
    await changes.record(
        session, actor=actor, action="session.update", sessions=[row.id], enrolments=promoted, before=before
    )
    return row


async def delete_session(
    session: AsyncSession, session_id: uuid.UUID, if_match: str | None, *, actor: str
) -> None:
    """Delete a session that holds no live enrolment (409 otherwise; a stale ``If-Match`` gets 412). Its
    cancelled and rejected enrolments, attendance and feedback go with it; every deletion is logged."""
    row = await repository.get(session, session_id, for_update=True)
    if row is None:
        raise NotFound(msg("No such session."))
    check_if_match(if_match, etag(row), stale_detail=_STALE)
    before = {(changes.SESSION, str(session_id)): changes.session_data(row)}
    gone = await repository.delete_if_no_live_enrolment(session, session_id)
    if gone is None:
        raise Conflict(msg("The session still has live enrolments; cancel or reject them first."))
    await changes.record(
        session, actor=actor, action="session.delete", sessions=[session_id], enrolments=gone, before=before
    )
