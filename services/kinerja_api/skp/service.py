"""Rules of the SKP (yearly plan, PermenPANRB 6/2022): who may see and change it, the cascade from the
supervisor's results, the status flow and its approval by the direct supervisor.

Every change bumps ``version`` (the ETag) and ends with an audit entry. The SKP row is locked for the
rest of the transaction before any change, so two requests on one SKP are applied one after the other.
The status flow lives in ``flows.py``, realisations and feedback in ``realizations.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.changes import SAME, Event, State, record_change
from services.common.conditional import check_if_match as check_if_match_header
from services.common.conditional import strong_etag
from services.common.errors import InvalidInput
from services.common.i18n import msg
from services.common.pagination import decode_cursor, page_of
from services.kinerja_api import staff
from services.kinerja_api.calendar.periods import parse_period
from services.kinerja_api.caller import Caller, refuse_unscoped_integrator
from services.kinerja_api.clock import today
from services.kinerja_api.events import SINK
from services.kinerja_api.skp import positions, repository
from services.kinerja_api.skp.enums import EDITABLE, ResultKind, SkpStatus
from services.kinerja_api.skp.errors import (
    NotOwner,
    ParentResultNotCurrent,
    ParentResultNotSupervisors,
    ParentResultRequired,
    ParentResultUnknown,
    ParentResultWrongYear,
    ParentSkpNotApproved,
    ResultNotFound,
    ResultShape,
    SkpClosed,
    SkpExists,
    SkpFrozen,
    SkpFull,
    SkpNotFound,
    SkpWrongStatus,
    StaleSkp,
    UnknownEmployee,
)
from services.kinerja_api.skp.models import Skp, SkpIndicator, SkpResult
from services.kinerja_api.skp.schemas import (
    MAX_RESULTS,
    Coverage,
    CoverageItem,
    IndicatorIn,
    ResultCreate,
    ResultUpdate,
    SkpCreate,
    Supporter,
)
from services.kinerja_api.tables.employee_enums import PositionType
from services.kinerja_api.tables.employees import Employee
from services.kinerja_api.tables.evaluation_enums import EvaluationKind

# Who an admin acts for when the employee is at the top of the reporting line (a unit head answering to
# the governor, who is outside the system): 8/2021 Lampiran, the Kepala Daerah approves their SKP.
GOVERNOR = "GUBERNUR"
ENTITY = "skp"


# ---------------------------------------------------------------------------------------------- helpers


def now() -> datetime:
    """The current instant (UTC)."""
    return clock.now()


def etag_of(skp: Skp) -> str:
    """The strong ETag of an SKP's current version."""
    return strong_etag(skp.version)


def check_if_match(skp: Skp, if_match: str | None) -> None:
    """Optional ``If-Match`` on every SKP write: 412 when stale."""
    check_if_match_header(
        if_match,
        etag_of(skp),
        stale=StaleSkp,
        stale_detail=msg(
            "SKP {id} changed since you read it (now {etag}); read it again and retry",
            id=skp.id,
            etag=etag_of(skp),
        ),
    )


def skp_data(skp: Skp) -> dict[str, Any]:
    """An SKP as a dict, results and indicators included: what the audit log keeps before and after a
    change, and what integrators read in the change log. The results must be loaded."""
    return {
        "id": str(skp.id),
        "nip": skp.nip,
        "year": skp.year,
        "valid_from": skp.valid_from.isoformat(),
        "valid_to": skp.valid_to.isoformat(),
        "position": skp.position,
        "status": skp.status,
        "approach": skp.approach,
        "approver_nip": skp.approver_nip,
        "approved_on_behalf": skp.approved_on_behalf,
        "approved_at": skp.approved_at,
        "returned_reason": skp.returned_reason,
        "version": skp.version,
        "results": [
            {
                "id": str(r.id),
                "kind": r.kind,
                "text": r.text,
                "parent_result_id": str(r.parent_result_id) if r.parent_result_id else None,
                "aspect": r.aspect,
                "perspective": r.perspective,
                "indicators": [{"id": str(i.id), "text": i.text, "target": i.target} for i in r.indicators],
            }
            for r in skp.results
        ],
    }


async def changed(
    session: AsyncSession,
    actor: Caller,
    action: str,
    skp: Skp,
    before: State | None,
    *,
    deleted: bool = False,
    after: State | None = None,
    events: Sequence[Event] = (),
    reason: str | None = None,
    on_behalf_of: str | None = None,
) -> None:
    """The tail of every SKP write (after ``touch``): flush, then record the change with the SKP's state
    before and after. ``after`` overrides the audited after-state when the action concerns a part (a result,
    a realisation, a feedback); the change log still gets the whole SKP."""
    await session.flush()
    state = None if deleted else skp_data(skp)
    await record_change(
        session,
        SINK,
        actor=actor.id,
        action=action,
        entity=ENTITY,
        entity_id=str(skp.id),
        before=before,
        after=state if after is None else after,
        synced=SAME if after is None else state,
        events=events,
        reason=reason,
        on_behalf_of=on_behalf_of,
    )


def result_state(result: SkpResult) -> dict[str, Any]:
    """What the audit log keeps of a result."""
    return {
        "id": str(result.id),
        "kind": result.kind,
        "text": result.text,
        "parent_result_id": str(result.parent_result_id) if result.parent_result_id else None,
        "aspect": result.aspect,
        "perspective": result.perspective,
        "indicators": [{"text": i.text, "target": i.target} for i in result.indicators],
    }


async def employee_of(session: AsyncSession, nip: str) -> Employee:
    """The SKP owner's registry row (it exists: ``skp.nip`` is a foreign key)."""
    employee = await staff.get(session, nip)
    if employee is None:  # pragma: no cover - guarded by the foreign key
        raise SkpNotFound(msg("no employee {nip}", nip=nip))
    return employee


def reads_every_skp(actor: Caller) -> bool:
    """Admins, internal services and integrators granted ``kinerja:individual`` read every SKP (lists and
    coverage included)."""
    return actor.reads_individuals


async def may_see(session: AsyncSession, actor: Caller, skp: Skp) -> bool:
    """Who reads one SKP (anyone else gets 404, so its existence does not leak):

    1. admins, integrators and internal services (:func:`reads_every_skp`);
    2. its owner (by the token's ``nip`` claim);
    3. the owner's current direct supervisor;
    4. the author of a part of the owner's period result whose dates the SKP covers (an earlier supervisor:
       visibility frozen in time, :func:`part_dates_of`), and the evaluator of a result whose period it
       meets; they read realisations of those periods only (``realizations.list_for``).

    Writes, elsewhere in this package: only the owner creates (an admin for anyone), edits, deletes,
    submits and reports realizations of their SKP; the owner's direct supervisor approves or returns it
    (an admin in the governor's name at the top of the line); coverage is for the owner and rule 1;
    feedback is read by the owner, the supervisor and admins, and written by the supervisor."""
    if reads_every_skp(actor):
        return True
    if actor.nip is None:
        return False
    if actor.nip == skp.nip:
        return True
    owner = await staff.get(session, skp.nip)
    if owner is not None and owner.supervisor_nip == actor.nip:
        return True
    return bool(await part_dates_of(session, actor, skp))


async def part_dates_of(session: AsyncSession, actor: Caller, skp: Skp) -> list[repository.PartDates]:
    """The parts (and results) the caller wrote about the SKP's owner whose dates the SKP covers: what keeps
    the SKP readable to an earlier supervisor after the reporting line moved on, and to a result's
    evaluator over the whole period (a result's stretch is widened to its period)."""
    if actor.acting_nip is None or actor.acting_nip == skp.nip:
        return []
    rows = await repository.parts_over(session, skp.nip, actor.acting_nip, skp.valid_from, skp.valid_to)
    return [
        r._replace(start=parse_period(r.period).start) if r.kind == EvaluationKind.RESULT else r for r in rows
    ]


async def load_visible(
    session: AsyncSession, actor: Caller, skp_id: uuid.UUID, *, for_update: bool = False
) -> Skp:
    """An SKP the actor may see, else 404 (existence does not leak)."""
    skp = await repository.get(session, skp_id, for_update=for_update)
    if skp is None or not await may_see(session, actor, skp):
        raise SkpNotFound(msg("no SKP with id {skp_id}", skp_id=skp_id))
    return skp


def touch(skp: Skp, at: datetime) -> None:
    skp.version = skp.version + 1
    skp.updated_at = at


def check_open(skp: Skp) -> None:
    """409 on any write to an SKP closed by a move to another position (readable, frozen)."""
    if positions.is_closed(skp):
        raise SkpClosed(
            msg(
                "SKP {id} covered the position {position} until {until}; it is closed and frozen. "
                "The new position has its own SKP",
                id=skp.id,
                position=repr(skp.position),
                until=skp.valid_to.isoformat(),
            )
        )


def check_editable(skp: Skp) -> None:
    check_open(skp)
    if skp.status == SkpStatus.APPROVED:
        raise SkpFrozen(msg("SKP {id} is approved and frozen; it can no longer change", id=skp.id))
    if skp.status not in EDITABLE:
        raise SkpWrongStatus(
            msg(
                "SKP {id} is {status} and awaits the supervisor's decision; it can change again once returned",
                id=skp.id,
                status=skp.status,
            )
        )


# ---------------------------------------------------------------------------------------------- reads


async def get_skp(session: AsyncSession, actor: Caller, skp_id: uuid.UUID) -> Skp:
    """One SKP with its results, for someone allowed to see it."""
    return await load_visible(session, actor, skp_id)


async def list_skps(
    session: AsyncSession,
    actor: Caller,
    *,
    nip: str | None,
    year: int | None,
    status: SkpStatus | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Skp], str | None]:
    """A keyset page ordered by (nip, year, valid_from); a pegawai sees their own SKPs, their direct
    reports', and those covering a part they wrote."""
    after = decode_cursor(cursor, 3)
    refuse_unscoped_integrator(actor)
    if not reads_every_skp(actor) and actor.nip is None:
        return [], None
    rows = await repository.list_page(
        session,
        nip=nip,
        year=year,
        status=status.value if status else None,
        visible_to=None if reads_every_skp(actor) else actor.nip,
        after=(str(after[0]), int(after[1]), _cursor_day(after[2])) if after else None,
        limit=limit + 1,
    )
    return page_of(rows, limit, lambda s: [s.nip, s.year, s.valid_from.isoformat()])


def _cursor_day(value: object) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            msg("cursor is not valid"), errors=[{"loc": ["query", "cursor"], "msg": "bad cursor"}]
        ) from None


# ---------------------------------------------------------------------------------------------- create


async def create_skp(session: AsyncSession, actor: Caller, data: SkpCreate) -> Skp:
    """Start a DRAFT SKP for a year: a pegawai for themself, an admin for any active employee."""
    if not actor.is_admin:
        if actor.nip is None:
            raise NotOwner(msg("your token carries no NIP, so there is no SKP you can create"))
        if data.nip is not None and data.nip != actor.nip:
            raise NotOwner(msg("an employee creates only their own SKP"))
    nip = data.nip or actor.nip
    if nip is None:
        raise UnknownEmployee(
            msg("name the employee whose SKP this is"),
            errors=[{"loc": ["body", "nip"], "msg": "required when the caller has no NIP"}],
        )
    employee = await staff.get(session, nip)
    if employee is None or not employee.active:
        raise UnknownEmployee(
            msg("no active employee with NIP {nip}", nip=nip),
            errors=[{"loc": ["body", "nip"], "msg": "no such active employee"}],
        )
    # The SKP plans for the position held today (a day of the year when today lies outside it): one SKP
    # per position period (domain.md §11.1).
    held = await positions.period_on(session, nip, data.year, today(), employee.position)
    if await repository.overlapping(session, nip, held.start, held.end):
        raise SkpExists(
            msg(
                "employee {nip} already has an SKP for {year} covering the position {position} from {start}",
                nip=nip,
                year=data.year,
                position=repr(held.position),
                start=held.start.isoformat(),
            )
        )
    at = now()
    skp = Skp(
        id=uuid.uuid4(),
        nip=nip,
        year=data.year,
        valid_from=held.start,
        valid_to=held.end,
        position=held.position,
        status=SkpStatus.DRAFT.value,
        approach=data.approach.value,
        approver_nip=None,
        approved_at=None,
        approved_on_behalf=False,
        returned_reason=None,
        version=1,
        created_at=at,
        updated_at=at,
        results=[],
    )
    try:
        async with session.begin_nested():
            session.add(skp)
            await session.flush()
    except IntegrityError as exc:  # a simultaneous create won the unique (nip, year, valid_from)
        raise SkpExists(msg("employee {nip} already has an SKP for {year}", nip=nip, year=data.year)) from exc
    await changed(session, actor, "skp.create", skp, None)
    return skp


# ---------------------------------------------------------------------------------------------- results


def uses_perspective(owner: Employee) -> bool:
    """The JPT variant of the SKP (perspective, no parent) applies to JPT and to heads of a unit who answer
    to the governor (``pimpinan unit kerja mandiri``, domain.md §1.5): nobody above them in the system
    has results to support."""
    return owner.position_type == PositionType.JPT.value or owner.supervisor_nip is None


async def _check_shape(
    session: AsyncSession,
    skp: Skp,
    owner: Employee,
    *,
    kind: str,
    parent_result_id: uuid.UUID | None,
    perspective: str | None,
) -> None:
    """The cascade rule: a non-JPT main result supports a result of the direct supervisor's approved SKP
    of the same year ("RHK atasan yang diintervensi"); a JPT result carries a perspective instead."""
    if uses_perspective(owner):
        if parent_result_id is not None:
            raise ResultShape(
                msg(
                    "a JPT result (or one of a unit head answering to the governor) carries a perspective, "
                    "not a parent_result_id"
                ),
                errors=[{"loc": ["body", "parent_result_id"], "msg": "must be null for a JPT result"}],
            )
        if perspective is None:
            raise ResultShape(
                msg(
                    "a JPT result needs a perspective (PENERIMA_LAYANAN, PROSES_BISNIS, PENGUATAN_INTERNAL, "
                    "ANGGARAN)"
                ),
                errors=[{"loc": ["body", "perspective"], "msg": "required for a JPT result"}],
            )
        return
    if perspective is not None:
        raise ResultShape(
            msg(
                "perspective belongs to JPT results; a non-JPT result names parent_result_id and may give an aspect"
            ),
            errors=[{"loc": ["body", "perspective"], "msg": "only for JPT results"}],
        )
    supervisor = owner.supervisor_nip
    if parent_result_id is None:
        if kind == ResultKind.UTAMA.value:
            raise ParentResultRequired(
                msg(
                    "a main (UTAMA) result must name parent_result_id: the result of your direct supervisor {supervisor}'s approved {year} SKP that it supports",
                    supervisor=supervisor,
                    year=skp.year,
                ),
                errors=[{"loc": ["body", "parent_result_id"], "msg": "required for a non-JPT main result"}],
            )
        return
    info = await repository.parent_info(session, parent_result_id)
    if info is None:
        raise ParentResultUnknown(
            msg(
                "parent_result_id {parent_result_id} is not a result of any SKP",
                parent_result_id=parent_result_id,
            ),
            errors=[{"loc": ["body", "parent_result_id"], "msg": "unknown result"}],
        )
    if info.nip != supervisor:
        whose = (
            msg("your own SKP")
            if info.nip == owner.nip
            else msg("the SKP of another person ({nip})", nip=info.nip)
        )
        raise ParentResultNotSupervisors(
            msg(
                "parent_result_id {parent_result_id} belongs to {whose}, not to the SKP of your direct supervisor {supervisor}",
                parent_result_id=parent_result_id,
                whose=whose,
                supervisor=supervisor,
            ),
            errors=[{"loc": ["body", "parent_result_id"], "msg": "not a result of your supervisor's SKP"}],
        )
    if info.year != skp.year:
        raise ParentResultWrongYear(
            msg(
                "parent_result_id {parent_result_id} belongs to your supervisor's SKP for {parent_year}; this SKP is for {year}",
                parent_result_id=parent_result_id,
                parent_year=info.year,
                year=skp.year,
            ),
            errors=[{"loc": ["body", "parent_result_id"], "msg": f"from the {info.year} SKP"}],
        )
    if info.status != SkpStatus.APPROVED.value:
        raise ParentSkpNotApproved(
            msg(
                "your supervisor {supervisor}'s {year} SKP is {status}, not approved yet; a result can only support a result of an approved SKP",
                supervisor=supervisor,
                year=skp.year,
                status=info.status,
            )
        )
    # As of the day the result is added: the supervisor's SKP covering that day (clipped into the year),
    # not one their own move closed.
    day = cascade_day(skp.year)
    if not info.valid_from <= day < info.valid_to:
        raise ParentResultNotCurrent(
            msg(
                "parent_result_id {parent} belongs to your supervisor's SKP for {start}..{end}, which does "
                "not cover {day}; name a result of the SKP they hold today",
                parent=parent_result_id,
                start=info.valid_from.isoformat(),
                end=info.valid_to.isoformat(),
                day=day.isoformat(),
            ),
            errors=[{"loc": ["body", "parent_result_id"], "msg": "not from the supervisor's current SKP"}],
        )


def cascade_day(year: int) -> date:
    """The day a cascade link is validated as of: today, clipped into the SKP's year."""
    first, after = positions.year_bounds(year)
    return min(max(today(), first), date.fromordinal(after.toordinal() - 1))


def _indicators(items: list[IndicatorIn]) -> list[SkpIndicator]:
    return [
        SkpIndicator(id=uuid.uuid4(), text=i.text, target=i.target, position=n)
        for n, i in enumerate(items, 1)
    ]


async def _own_editable(
    session: AsyncSession, actor: Caller, skp_id: uuid.UUID, if_match: str | None
) -> tuple[Skp, Employee]:
    skp = await load_visible(session, actor, skp_id, for_update=True)
    if actor.nip != skp.nip:
        raise NotOwner(msg("only the employee whose SKP it is may change it"))
    check_if_match(skp, if_match)
    check_editable(skp)
    return skp, await employee_of(session, skp.nip)


def _back_to_draft(skp: Skp, at: datetime) -> None:
    # A returned SKP goes back to DRAFT as soon as the employee edits it; the reason stays readable
    # until the next decision.
    if skp.status == SkpStatus.RETURNED.value:
        skp.status = SkpStatus.DRAFT.value
    touch(skp, at)


async def add_result(
    session: AsyncSession, actor: Caller, skp_id: uuid.UUID, data: ResultCreate, *, if_match: str | None
) -> tuple[Skp, SkpResult]:
    """Add a result with its indicators to the owner's DRAFT or RETURNED SKP."""
    skp, owner = await _own_editable(session, actor, skp_id, if_match)
    if len(skp.results) >= MAX_RESULTS:
        raise SkpFull(msg("an SKP holds at most {max} results", max=MAX_RESULTS))
    await _check_shape(
        session,
        skp,
        owner,
        kind=data.kind.value,
        parent_result_id=data.parent_result_id,
        perspective=data.perspective.value if data.perspective else None,
    )
    before = skp_data(skp)
    result = SkpResult(
        id=uuid.uuid4(),
        skp_id=skp.id,
        kind=data.kind.value,
        text=data.text,
        parent_result_id=data.parent_result_id,
        aspect=data.aspect.value if data.aspect else None,
        perspective=data.perspective.value if data.perspective else None,
        position=max((r.position for r in skp.results), default=0) + 1,
        indicators=_indicators(data.indicators),
    )
    skp.results.append(result)
    _back_to_draft(skp, now())
    await session.flush()
    await changed(
        session, actor, "skp.result.add", skp, before, after={**skp_data(skp), "result": result_state(result)}
    )
    return skp, result


def _find_result(skp: Skp, result_id: uuid.UUID) -> SkpResult:
    for result in skp.results:
        if result.id == result_id:
            return result
    raise ResultNotFound(msg("SKP {id} has no result {result_id}", id=skp.id, result_id=result_id))


async def update_result(
    session: AsyncSession,
    actor: Caller,
    skp_id: uuid.UUID,
    result_id: uuid.UUID,
    data: ResultUpdate,
    *,
    if_match: str | None,
) -> tuple[Skp, SkpResult]:
    """Change a result of the owner's DRAFT or RETURNED SKP; the cascade rule is checked again on the
    result as it would become."""
    skp, owner = await _own_editable(session, actor, skp_id, if_match)
    result = _find_result(skp, result_id)
    fields = data.model_fields_set
    kind = data.kind.value if "kind" in fields and data.kind else result.kind
    parent = data.parent_result_id if "parent_result_id" in fields else result.parent_result_id
    aspect = (data.aspect.value if data.aspect else None) if "aspect" in fields else result.aspect
    perspective = (
        (data.perspective.value if data.perspective else None)
        if "perspective" in fields
        else result.perspective
    )
    await _check_shape(session, skp, owner, kind=kind, parent_result_id=parent, perspective=perspective)
    before = {**skp_data(skp), "result": result_state(result)}
    result.kind, result.parent_result_id, result.aspect, result.perspective = (
        kind,
        parent,
        aspect,
        perspective,
    )
    if "text" in fields and data.text is not None:
        result.text = data.text
    if "indicators" in fields and data.indicators is not None:
        result.indicators = _indicators(data.indicators)
    _back_to_draft(skp, now())
    await session.flush()
    await changed(
        session,
        actor,
        "skp.result.update",
        skp,
        before,
        after={**skp_data(skp), "result": result_state(result)},
    )
    return skp, result


async def delete_result(
    session: AsyncSession, actor: Caller, skp_id: uuid.UUID, result_id: uuid.UUID, *, if_match: str | None
) -> Skp:
    """Remove a result (and its indicators) from the owner's DRAFT or RETURNED SKP."""
    skp, _ = await _own_editable(session, actor, skp_id, if_match)
    result = _find_result(skp, result_id)
    before = {**skp_data(skp), "result": result_state(result)}
    skp.results.remove(result)
    _back_to_draft(skp, now())
    await changed(session, actor, "skp.result.delete", skp, before)
    return skp


async def delete_skp(
    session: AsyncSession, actor: Caller, skp_id: uuid.UUID, *, if_match: str | None
) -> None:
    """Discard the owner's SKP while it is DRAFT or RETURNED (nobody else's results can depend on it: only
    approved SKPs are cascaded from)."""
    skp, _ = await _own_editable(session, actor, skp_id, if_match)
    before = skp_data(skp)
    await session.delete(skp)
    await changed(session, actor, "skp.delete", skp, before, deleted=True)


# ---------------------------------------------------------------------------------------------- coverage


async def coverage(session: AsyncSession, actor: Caller, skp_id: uuid.UUID) -> Coverage:
    """For a supervisor's own SKP: each result, whether any subordinate's result supports it, and which."""
    skp = await repository.get(session, skp_id)
    if skp is None or not (reads_every_skp(actor) or (actor.nip is not None and actor.nip == skp.nip)):
        raise SkpNotFound(msg("no SKP with id {skp_id}", skp_id=skp_id))
    items: dict[uuid.UUID, CoverageItem] = {}
    for row in await repository.coverage(session, skp_id):
        item = items.get(row.result_id)
        if item is None:
            item = items[row.result_id] = CoverageItem(
                result_id=row.result_id,
                kind=ResultKind(row.kind),
                text=row.text,
                covered=False,
                supported_by=[],
            )
        if (
            row.child_result_id is not None
            and row.child_skp_id is not None
            and row.child_nip is not None
            and row.child_status is not None
            and row.child_text is not None
        ):
            item.covered = True
            item.supported_by.append(
                Supporter(
                    nip=row.child_nip,
                    skp_id=row.child_skp_id,
                    skp_status=SkpStatus(row.child_status),
                    result_id=row.child_result_id,
                    text=row.child_text,
                )
            )
    results = list(items.values())
    return Coverage(
        skp_id=skp.id,
        nip=skp.nip,
        year=skp.year,
        total=len(results),
        covered=sum(1 for r in results if r.covered),
        uncovered_result_ids=[r.result_id for r in results if not r.covered],
        results=results,
    )
