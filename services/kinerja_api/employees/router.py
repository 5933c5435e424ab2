"""HTTP routes of /v1/employees: the registry, its reporting line, and the CSV import.

Admins write; integrators (and internal services) read everything; a pegawai reads themselves and their
direct reports. Anything the caller may not see answers 404 (api-contract §1).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import Header, Path, Query, Request, Response, status

from services.common.auth import AdminDep
from services.common.db import ReadConnectionDep, SessionDep
from services.common.errors import problem_responses
from services.common.i18n import msg
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, json_response
from services.common.routing import ServiceRouter
from services.kinerja_api import clock
from services.kinerja_api.deps import CallerDep
from services.kinerja_api.employees import importer, service
from services.kinerja_api.employees.errors import EmployeeNotFound, UnsupportedMediaType
from services.kinerja_api.employees.schemas import (
    EmployeeCreate,
    EmployeeRead,
    EmployeeUpdate,
    ImportResult,
    SupervisorOn,
)

router = ServiceRouter(prefix="/v1/employees", tags=["employees"])
NipPath = Annotated[str, Path(pattern=r"^[0-9]{18}$", description="18-digit NIP (or NI PPPK).")]
CSV_TYPES = ("text/csv", "application/csv", "text/plain")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register an employee",
    operation_id="employees_create",
    responses=problem_responses(401, 403, 409, 413, 422),
)
async def create_employee(
    body: EmployeeCreate, session: SessionDep, response: Response, admin: AdminDep
) -> EmployeeRead:
    """Register an ASN. The NIP must follow its layout (domain.md §5.1), the rank must fit the employment,
    and the supervisor must be an active, known employee who does not already report to this one.
    The reporting line is recorded from `effective_on` (default today)."""
    employee = await service.create_employee(session, body, today=clock.today(), actor=admin.subject)
    response.headers["ETag"] = service.etag_of(employee)
    return EmployeeRead.model_validate(employee)


@router.get(
    "",
    summary="List employees",
    operation_id="employees_list",
    response_model=Page[EmployeeRead],
    responses=problem_responses(401, 422),
)
async def list_employees(
    session: ReadConnectionDep,
    caller: CallerDep,
    unit_id: Annotated[uuid.UUID | None, Query(description="Only employees of this unit.")] = None,
    supervisor_nip: Annotated[
        str | None, Query(pattern=r"^[0-9]{18}$", description="Only direct reports of this NIP.")
    ] = None,
    active: Annotated[bool | None, Query(description="Only active (true) or inactive (false).")] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=100,
            description=(
                "Search: all digits are a NIP prefix (`19860926`); anything else is one or more words, each "
                "the start of a word of the name in any case (`sar` and `SARI` find `Dewi Sartika Sari`; "
                "`dewi sari` needs both). Combines with the other filters; still ordered by NIP."
            ),
            examples=["sari", "19860926"],
        ),
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Response:
    """Employees ordered by NIP. Admins, integrators and services see everyone; a pegawai sees themselves
    and their direct reports. `q` searches by name or NIP prefix within what the caller sees (indexed:
    a full-text index on the name's words, a pattern index on the NIP)."""
    page = await service.list_employees(
        session,
        caller,
        unit_id=unit_id,
        supervisor_nip=supervisor_nip,
        active=active,
        cursor=cursor,
        limit=limit,
        q=q.strip() if q is not None else None,
    )
    return json_response(page)


_IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": (
                    "nip,name,unit_code,position,position_type,rank,employment,supervisor_nip,active\n"
                    "197503121999031002,Drs. Hendra Saputra,BKD,Kepala Badan,JPT,IV/c,PNS,,true\n"
                    "198609262015051001,Rahmat Hidayat,BKD.MUT,Kepala Sub Bidang Mutasi,PENGAWAS,III/d,PNS,"
                    "197503121999031002,true\n"
                ),
            }
        },
    }
}


@router.post(
    "/import",
    summary="Import employees from CSV",
    operation_id="employees_import",
    openapi_extra=_IMPORT_BODY,
    responses=problem_responses(400, 401, 403, 413, 415, 422),
)
async def import_employees(request: Request, session: SessionDep, admin: AdminDep) -> ImportResult:
    """Create or update employees from a UTF-8 CSV (optional BOM) with the columns
    `nip,name,unit_code,position,position_type,rank,employment,supervisor_nip,active` (or `unit_id`).

    Every line is checked first, including the whole resulting reporting line. With any bad line nothing
    is written and the 422 problem lists `{line, msg}` for each (the header is line 1). Otherwise all rows
    are written in one transaction; importing the same file again reports every row unchanged.
    A malformed file or a non-UTF-8 body gets 400, a body above 20 MiB 413 (here and at the gateway)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in CSV_TYPES:
        raise UnsupportedMediaType(
            msg("send the file as text/csv (got {media})", media=media or msg("no content type"))
        )
    # The edge middleware caps this path's body (services/common/body_limits.py: 413), counted as it streams in.
    chunks = [chunk async for chunk in request.stream()]
    counts = await importer.import_employees(
        session, b"".join(chunks), today=clock.today(), actor=admin.subject
    )
    return ImportResult(
        created=counts.created, updated=counts.updated, unchanged=counts.unchanged, refused=counts.refused
    )


@router.get(
    "/{nip}",
    summary="Get an employee",
    operation_id="employees_get",
    responses={
        200: {
            "headers": {"ETag": {"description": "Send as If-Match on PATCH.", "schema": {"type": "string"}}}
        },
        **problem_responses(401, 404, 422),
    },
)
async def get_employee(
    nip: NipPath, session: ReadConnectionDep, caller: CallerDep, response: Response
) -> EmployeeRead:
    """One employee, for admins, integrators, services, the employee themself and their direct supervisor;
    anyone else gets 404."""
    employee, etag = await service.read_employee(session, nip, caller)
    response.headers["ETag"] = etag
    return employee


@router.patch(
    "/{nip}",
    summary="Change an employee",
    operation_id="employees_update",
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422),
)
async def update_employee(
    nip: NipPath,
    body: EmployeeUpdate,
    session: SessionDep,
    response: Response,
    admin: AdminDep,
    if_match: Annotated[str | None, Header(description="The ETag from GET; 412 when stale.")] = None,
) -> EmployeeRead:
    """Change some fields. A new supervisor or unit is recorded in the history from `effective_on`
    (default today). Refused: self-supervision, an unknown (422) or inactive (409) supervisor, a cycle
    (409), and deactivating someone who still supervises active employees (409)."""
    employee = await service.update_employee(
        session, nip, body, if_match=if_match, today=clock.today(), actor=admin.subject
    )
    response.headers["ETag"] = service.etag_of(employee)
    return EmployeeRead.model_validate(employee)


@router.get(
    "/{nip}/supervisor",
    summary="Supervisor on a date",
    operation_id="employees_supervisor_on",
    responses=problem_responses(401, 404, 422),
)
async def supervisor_on(
    nip: NipPath,
    session: SessionDep,
    caller: CallerDep,
    on: Annotated[date | None, Query(description="The day (YYYY-MM-DD); default today.")] = None,
) -> SupervisorOn:
    """Who was the direct supervisor of `nip` (and in which unit) on a day — the person entitled to
    approve and evaluate for that day (PermenPANRB 6/2022). For admins, services (pelatihan checks who may
    approve an enrolment), the employee, and their supervisor; anyone else gets 404."""
    day = on or clock.today()
    if not await service.may_ask_supervisor(session, nip, caller, day):
        raise EmployeeNotFound(msg("no employee with NIP {nip}", nip=nip))
    found = await service.supervisor_on(session, nip, day)
    if found is None:
        raise EmployeeNotFound(
            msg("no reporting line recorded for NIP {nip} on {day}", nip=nip, day=day.isoformat())
        )
    return SupervisorOn(nip=nip, on=day, supervisor_nip=found.supervisor_nip, unit_id=found.unit_id)
