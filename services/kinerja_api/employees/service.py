"""Rules of the registry: who may see whom, the reporting line, and its dated history.

The reporting line matters legally: under PermenPANRB 6/2022 the direct supervisor (``pejabat penilai
kinerja``) approves the SKP and evaluates the employee, so a line that loops, points at oneself or at
someone who left would leave an employee without a lawful evaluator. Such lines are refused here.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.conditional import check_if_match, strong_etag
from services.common.db import Reader
from services.common.i18n import message_of, msg
from services.common.pagination import decode_cursor, page_json, read_page
from services.common.roles import Role
from services.kinerja_api.calendar.periods import periods_containing
from services.kinerja_api.caller import Caller, refuse_unscoped_integrator
from services.kinerja_api.employees import changes, repository
from services.kinerja_api.employees.errors import (
    BadEffectiveDate,
    EmployeeExists,
    EmployeeNotFound,
    HasActiveReports,
    InactiveSupervisor,
    PeriodResultFinal,
    ReportingCycle,
    SelfSupervision,
    SiasnIdTaken,
    StaleVersion,
    UnknownReference,
)
from services.kinerja_api.employees.repository import Assignment
from services.kinerja_api.employees.schemas import EmployeeCreate, EmployeeRead, EmployeeUpdate
from services.kinerja_api.evaluations import rehome
from services.kinerja_api.evaluations import repository as evaluations
from services.kinerja_api.nip import NipError, validate_identifier
from services.kinerja_api.skp import positions
from services.kinerja_api.tables.employee_enums import (
    Employment,
    Jenjang,
    PositionType,
    Rank,
    contract_problem,
    jenjang_problem,
    rank_mismatch,
)
from services.kinerja_api.tables.employees import Employee, EmployeeAssignment
from services.kinerja_api.units import repository as units


def etag_of(employee: Employee) -> str:
    """The strong ETag of an employee's current version."""
    return strong_etag(employee.version)


def _check_effective(day: date, today: date) -> None:
    if day > today:
        raise BadEffectiveDate(
            msg(
                "effective_on {day} is in the future; record a change on or after the day it happens",
                day=day.isoformat(),
            ),
            errors=[{"loc": ["body", "effective_on"], "msg": "must not be in the future"}],
        )


async def _check_supervisor(session: AsyncSession, nip: str, supervisor_nip: str | None) -> None:
    """Refuse self-supervision, an unknown or inactive supervisor, and a cycle (recursive CTE)."""
    if supervisor_nip is None:
        return
    if supervisor_nip == nip:
        raise SelfSupervision(
            msg("employee {nip} cannot be their own supervisor", nip=nip),
            errors=[{"loc": ["body", "supervisor_nip"], "msg": "an employee cannot supervise themselves"}],
        )
    await repository.lock_reporting_line(session)
    supervisor = await repository.get(session, supervisor_nip)
    if supervisor is None:
        raise UnknownReference(
            msg("supervisor {supervisor_nip} is not a known employee", supervisor_nip=supervisor_nip),
            errors=[{"loc": ["body", "supervisor_nip"], "msg": "no such employee"}],
        )
    if not supervisor.active:
        raise InactiveSupervisor(
            msg(
                "supervisor {supervisor_nip} is inactive; choose an active supervisor",
                supervisor_nip=supervisor_nip,
            )
        )
    chain = await repository.chain_to(session, supervisor_nip, nip)
    if chain is not None:
        line = " → ".join([nip, *chain])
        raise ReportingCycle(
            msg(
                "making {supervisor_nip} the supervisor of {nip} would close a cycle in the reporting line: {line}",
                supervisor_nip=supervisor_nip,
                nip=nip,
                line=line,
            )
        )


async def _check_unit(session: AsyncSession, unit_id: uuid.UUID) -> None:
    if await units.get(session, unit_id) is None:
        raise UnknownReference(
            msg("unit {unit_id} does not exist", unit_id=unit_id),
            errors=[{"loc": ["body", "unit_id"], "msg": "no such unit"}],
        )


async def _check_siasn_id(session: AsyncSession, nip: str, siasn_id: str | None) -> None:
    if siasn_id is None:
        return
    owner = await repository.siasn_owner(session, siasn_id)
    if owner is not None and owner != nip:
        raise SiasnIdTaken(
            msg("siasn_id {siasn_id} already belongs to employee {owner}", siasn_id=siasn_id, owner=owner)
        )


async def create_employee(
    session: AsyncSession, data: EmployeeCreate, *, today: date, actor: str
) -> Employee:
    """Register an employee and open their first assignment on ``effective_on`` (default today)."""
    since = data.effective_on or today
    _check_effective(since, today)
    if await repository.exists(session, data.nip):
        raise EmployeeExists(msg("an employee with NIP {nip} already exists", nip=data.nip))
    await _check_unit(session, data.unit_id)
    await _check_supervisor(session, data.nip, data.supervisor_nip)
    await _check_siasn_id(session, data.nip, data.siasn_id)
    jenjang = data.jenjang.value if data.jenjang else None
    employee = Employee(
        nip=data.nip,
        name=data.name,
        unit_id=data.unit_id,
        position=data.position,
        position_type=data.position_type.value,
        rank=data.rank.value,
        employment=data.employment.value,
        supervisor_nip=data.supervisor_nip,
        active=data.active,
        jenjang=jenjang,
        contract_start=data.contract_start,
        contract_end=data.contract_end,
        siasn_id=data.siasn_id,
        version=1,
    )
    session.add(employee)
    await session.flush()
    session.add(
        EmployeeAssignment(
            nip=data.nip,
            supervisor_nip=data.supervisor_nip,
            unit_id=data.unit_id,
            position=data.position,
            jenjang=jenjang,
            valid_from=since,
        )
    )
    await session.flush()
    await changes.employee_changed(
        session, actor=actor, action="employee.create", before=None, employee=employee
    )
    return employee


def _snapshot(employee: Employee) -> tuple[object, ...]:
    return tuple(getattr(employee, c) for c in repository.DATA_COLUMNS)


def sees_every_employee(viewer: Caller) -> bool:
    """Admins, internal services and integrators granted ``kinerja:individual`` see every employee (lists
    included)."""
    return viewer.reads_individuals


def _may_see(viewer: Caller, employee: Employee | Row[Any]) -> bool:
    """Who reads one employee (anyone else gets 404, so existence does not leak):

    1. admins, internal services and integrators with the scope (:func:`sees_every_employee`);
    2. the employee themself (by the token's ``nip`` claim);
    3. their current direct supervisor.

    Registering, importing and changing employees is for admins only (``AdminDep`` on those routes)."""
    return sees_every_employee(viewer) or (
        viewer.nip is not None and viewer.nip in (employee.nip, employee.supervisor_nip)
    )


async def read_employee(session: Reader, nip: str, viewer: Caller) -> tuple[EmployeeRead, str]:
    """One employee and its ETag, for someone allowed to see them (else 404, so existence does not leak)."""
    row = await repository.read(session, nip)
    if row is None or not _may_see(viewer, row):
        raise EmployeeNotFound(msg("no employee with NIP {nip}", nip=nip))
    return EmployeeRead.model_validate(row), strong_etag(row.version)


async def list_employees(
    session: Reader,
    viewer: Caller,
    *,
    unit_id: uuid.UUID | None,
    supervisor_nip: str | None,
    active: bool | None,
    cursor: str | None,
    limit: int,
    q: str | None = None,
) -> bytes:
    """The JSON of a keyset page ordered by NIP (``Page[EmployeeRead]``); a pegawai sees only themselves and their
    direct reports. ``q`` searches within what the viewer sees: a NIP prefix when all digits, else the starts of
    the name's words."""
    after = decode_cursor(cursor, 1)
    refuse_unscoped_integrator(viewer)
    if not sees_every_employee(viewer) and viewer.nip is None:
        return page_json(EmployeeRead, [], None)
    stmt, params = repository.list_statement(
        unit_id=unit_id,
        supervisor_nip=supervisor_nip,
        active=active,
        visible_to=None if sees_every_employee(viewer) else viewer.nip,
        after_nip=str(after[0]) if after else None,
        limit=limit + 1,
        q=q,
    )
    return await read_page(session, stmt, params, model=EmployeeRead, limit=limit, cursor_columns=("nip",))


async def update_employee(
    session: AsyncSession, nip: str, data: EmployeeUpdate, *, if_match: str | None, today: date, actor: str
) -> Employee:
    """Apply a partial change under ``If-Match`` (412 when stale); record a new assignment when the
    supervisor, unit or position changes, from ``effective_on`` (default today). A change of position also
    closes the SKP covering that day (:func:`positions.position_changed`)."""
    if {"supervisor_nip", "active"} & data.model_fields_set:
        # Advisory lock before the row lock, in the same order as the import, so the two cannot deadlock.
        await repository.lock_reporting_line(session)
    employee = await repository.get(session, nip, for_update=True)
    if employee is None:
        raise EmployeeNotFound(msg("no employee with NIP {nip}", nip=nip))
    check_if_match(
        if_match,
        etag_of(employee),
        stale=StaleVersion,
        stale_detail=msg(
            "employee {nip} changed since you read it (now {etag}); read it again and retry",
            nip=nip,
            etag=etag_of(employee),
        ),
    )
    audited_before = changes.employee_state(employee)
    fields = data.model_fields_set
    employment = (
        data.employment if "employment" in fields and data.employment else Employment(employee.employment)
    )
    rank = data.rank if "rank" in fields and data.rank else Rank(employee.rank)
    problem = rank_mismatch(rank, employment)
    if problem:
        raise UnknownReference(problem, errors=[{"loc": ["body", "rank"], "msg": str(problem)}])
    if "employment" in fields:
        try:
            validate_identifier(nip, employment.value, today=today)
        except NipError as exc:
            raise UnknownReference(
                message_of(exc), errors=[{"loc": ["body", "employment"], "msg": str(exc)}]
            ) from None
    position_type = (
        data.position_type
        if "position_type" in fields and data.position_type
        else PositionType(employee.position_type)
    )
    jenjang = (
        data.jenjang if "jenjang" in fields else (Jenjang(employee.jenjang) if employee.jenjang else None)
    )
    start = data.contract_start if "contract_start" in fields else employee.contract_start
    end = data.contract_end if "contract_end" in fields else employee.contract_end
    for loc, problem in (
        ("jenjang", jenjang_problem(jenjang, position_type)),
        ("contract_start", contract_problem(employment, start, end)),
    ):
        if problem:
            raise UnknownReference(problem, errors=[{"loc": ["body", loc], "msg": str(problem)}])
    if "siasn_id" in fields:
        await _check_siasn_id(session, nip, data.siasn_id)
    new_unit = data.unit_id if "unit_id" in fields and data.unit_id else employee.unit_id
    new_sup = data.supervisor_nip if "supervisor_nip" in fields else employee.supervisor_nip
    new_active = data.active if "active" in fields and data.active is not None else employee.active
    if new_unit != employee.unit_id:
        await _check_unit(session, new_unit)
    if new_sup != employee.supervisor_nip:
        await _check_supervisor(session, nip, new_sup)
    if employee.active and not new_active:
        await repository.lock_reporting_line(session)
        count, some = await repository.active_reports(session, nip)
        if count:
            raise HasActiveReports(
                msg(
                    "employee {nip} still supervises {count} active employee(s) ({some}{more}); reassign them before deactivating",
                    nip=nip,
                    count=count,
                    some=", ".join(some),
                    more=", …" if count > len(some) else "",
                )
            )
    new_position = data.position if "position" in fields and data.position else employee.position
    line_changed = new_unit != employee.unit_id or new_sup != employee.supervisor_nip
    moved = new_position != employee.position
    new_jenjang = jenjang.value if jenjang else None
    if line_changed or moved or new_jenjang != employee.jenjang:
        since = data.effective_on or today
        _check_effective(since, today)
        if line_changed:
            await _check_no_final_result(session, nip, since)
        await _reassign(session, nip, new_sup, new_unit, new_position, new_jenjang, since)
        if line_changed:
            # A DRAFT result whose evaluator is no longer the supervisor of record moves to them.
            await rehome.rehome_stale_drafts(
                session, nip, actor=actor, reason=f"reporting line changed from {since.isoformat()}"
            )
        if moved:
            # A new position means a new SKP (8/2021 Lampiran): the one covering the move closes that day.
            await positions.position_changed(
                session, nip=nip, since=since, position=new_position, actor=actor
            )
    before = _snapshot(employee)
    for name in ("name", "position"):
        if name in fields:
            setattr(employee, name, getattr(data, name))
    if "position_type" in fields and data.position_type:
        employee.position_type = data.position_type.value
    employee.rank = rank.value
    employee.employment = employment.value
    employee.unit_id = new_unit
    employee.supervisor_nip = new_sup
    employee.active = new_active
    employee.jenjang = new_jenjang
    employee.contract_start, employee.contract_end = start, end
    if "siasn_id" in fields:
        employee.siasn_id = data.siasn_id
    if _snapshot(employee) != before:
        employee.version = employee.version + 1
        employee.updated_at = clock.now()
    await session.flush()
    await changes.employee_changed(
        session, actor=actor, action="employee.update", before=audited_before, employee=employee
    )
    return employee


async def _check_no_final_result(session: AsyncSession, nip: str, since: date) -> None:
    """A change of the reporting line dated inside a period whose result is FINAL would change who
    should have rated it: 409 naming the period (the admin reopens the result with a reason first). The
    employee's row is locked by the caller, and finalising a result locks it too, so a transfer and a
    finalisation of the same person run one after the other and the second one sees the first."""
    # The year, and the quarter and the month of the date: a year holds results of its one cadence.
    final = await evaluations.final_results(session, nip, periods_containing(since))
    if final:
        raise PeriodResultFinal(
            msg(
                "the change is dated {since}, inside {final}, whose result for {nip} is FINAL; an admin reopens that result with a reason first (POST /v1/evaluations/{{id}}/reopen)",
                since=since.isoformat(),
                final=", ".join(final),
                nip=nip,
            )
        )


async def _reassign(
    session: AsyncSession,
    nip: str,
    supervisor_nip: str | None,
    unit_id: uuid.UUID,
    position: str,
    jenjang: str | None,
    since: date,
) -> None:
    current = await repository.open_assignment(session, nip)
    if current is not None:
        if since < current.valid_from:
            raise BadEffectiveDate(
                msg(
                    "effective_on {since} is before the current assignment began ({valid_from}); history is closed, not rewritten",
                    since=since.isoformat(),
                    valid_from=current.valid_from.isoformat(),
                ),
                errors=[{"loc": ["body", "effective_on"], "msg": "before the current assignment"}],
            )
        if since == current.valid_from:
            current.supervisor_nip, current.unit_id, current.position = supervisor_nip, unit_id, position
            current.jenjang = jenjang
            await session.flush()
            return
        current.valid_to = since
        await session.flush()
    session.add(
        EmployeeAssignment(
            nip=nip,
            supervisor_nip=supervisor_nip,
            unit_id=unit_id,
            position=position,
            jenjang=jenjang,
            valid_from=since,
        )
    )
    await session.flush()


async def supervisor_on(session: AsyncSession, nip: str, day: date) -> Assignment | None:
    """The assignment (supervisor and unit) of ``nip`` on ``day``, or None when none was recorded."""
    return await repository.assignment_on(session, nip, day)


async def supervisor_during(
    session: AsyncSession, nip: str, start: date, end: date
) -> list[tuple[str | None, date, date]]:
    """Who supervised ``nip`` over the inclusive period ``[start, end]``: ``(supervisor_nip, from, to)``
    with both ends inclusive and clipped to the period — e.g. a transfer mid-quarter gives two entries,
    one per evaluator. Adjacent stretches under the same supervisor (a unit change only) are merged."""
    out: list[tuple[str | None, date, date]] = []
    for a in await repository.assignments_during(session, nip, start, end):
        begin = max(a.valid_from, start)
        finish = end if a.valid_to is None else min(end, date.fromordinal(a.valid_to.toordinal() - 1))
        if out and out[-1][0] == a.supervisor_nip and out[-1][2].toordinal() + 1 == begin.toordinal():
            out[-1] = (a.supervisor_nip, out[-1][1], finish)
        else:
            out.append((a.supervisor_nip, begin, finish))
    return out


async def may_ask_supervisor(session: AsyncSession, nip: str, viewer: Caller, day: date) -> bool:
    """Who may ask for an employee's supervisor on ``day`` (anyone else gets 404):

    1. admins and internal services (pelatihan checks who may approve an enrolment) — integrators not;
    2. the employee themself (by the token's ``nip`` claim);
    3. their current direct supervisor;
    4. their direct supervisor on ``day``."""
    if viewer.has(Role.ADMIN, Role.SERVICE):
        return True
    if viewer.nip is None:
        return False
    if viewer.nip == nip:
        return True
    employee = await repository.get(session, nip)
    if employee is not None and employee.supervisor_nip == viewer.nip:
        return True
    then = await repository.assignment_on(session, nip, day)
    return then is not None and then.supervisor_nip == viewer.nip
