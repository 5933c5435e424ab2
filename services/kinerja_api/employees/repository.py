"""Queries on ``kinerja.employee`` and ``kinerja.employee_assignment``.

Hot and bulk paths use SQLAlchemy Core (architecture §7: the ORM identity map costs ~3x on point reads
and row-by-row inserts would make a 10,000-row import take minutes).
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    Integer,
    Select,
    and_,
    bindparam,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnClause

# get, Assignment and assignments_during live in services.kinerja_api.staff (evaluations and skp read them
# without importing employees); re-exported so this package's callers keep ``repository.get``.
from services.common.db import KeyedRead, Reader, read_one
from services.kinerja_api.staff import Assignment as Assignment
from services.kinerja_api.staff import assignments_during as assignments_during
from services.kinerja_api.staff import get as get
from services.kinerja_api.staff import overlapping
from services.kinerja_api.tables.employees import Employee, EmployeeAssignment

# The columns a CSV line sets, in file order; also the "is anything different" comparison of the import.
DATA_COLUMNS = (
    "nip",
    "name",
    "unit_id",
    "position",
    "position_type",
    "rank",
    "employment",
    "supervisor_nip",
    "active",
    "jenjang",
    "contract_start",
    "contract_end",
    "siasn_id",
)


class EmployeeState(NamedTuple):
    """An employee's data columns, comparable between the database and a CSV line."""

    nip: str
    name: str
    unit_id: uuid.UUID
    position: str
    position_type: str
    rank: str
    employment: str
    supervisor_nip: str | None
    active: bool
    jenjang: str | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    siasn_id: str | None = None


_EMPLOYEE = Employee.__table__
# The point read as a Core statement built once: no ORM instance, identity map or state per request, and no
# statement to rebuild (its compiled form is found in the engine's cache). About 10 % of a point read's CPU
# under load (py-spy, docs/benchmarks.md); the test of hot statements keeps it one statement. Keyed by NIP, so
# the point reads of one turn of the event loop are one statement (services/common/db.py ReadConnection.one).
_BY_NIP = KeyedRead(
    select(*_EMPLOYEE.c).where(text("nip = ANY(CAST(:nips AS varchar[]))")),
    keys_param="nips",
    key_column="nip",
)
# A list's items (EmployeeRead) carry no timestamps or version (the version is the point read's ETag): not read.
_LIST_COLUMNS = tuple(c for c in _EMPLOYEE.c if c.key not in ("created_at", "updated_at", "version"))


async def read(session: Reader, nip: str) -> Any | None:
    """One employee's row by NIP for reading (attributes named as the model's), or None."""
    return await read_one(session, _BY_NIP, nip)


async def siasn_owner(session: AsyncSession, siasn_id: str) -> str | None:
    """The NIP of the employee carrying ``siasn_id`` (index uq_employee_siasn_id), or None."""
    owner = await session.scalar(select(Employee.nip).where(Employee.siasn_id == siasn_id))
    return str(owner) if owner is not None else None


async def lock_rows(session: AsyncSession, nips: Sequence[str]) -> None:
    """Lock the rows of ``nips`` until the transaction ends, in NIP order (no deadlock between two)."""
    await session.execute(
        select(Employee.nip).where(Employee.nip.in_(sorted(nips))).order_by(Employee.nip).with_for_update()
    )


async def lock_reporting_line(session: AsyncSession) -> None:
    """Serialise changes of the reporting line until the transaction ends.

    Two concurrent changes can each pass the cycle check and together close a loop (A under B while B
    goes under A); under this transaction-scoped advisory lock the second one sees the first one's row.
    """
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('kinerja:reporting-line'))"))


async def exists(session: AsyncSession, nip: str) -> bool:
    """True when an employee with that NIP exists."""
    return bool(await session.scalar(select(func.count()).where(Employee.nip == nip)))


# Written out, not bound, so the expression is the one index ix_employee_name_words was built on.
_SIMPLE: ColumnClause[Any] = literal_column("'simple'::regconfig")


def name_words(q: str) -> list[str]:
    """The lower-cased words of a search, letters and digits only (nothing of tsquery's syntax survives)."""
    return re.findall(r"[^\W_]+", q.lower())


def list_statement(
    *,
    unit_id: uuid.UUID | None,
    supervisor_nip: str | None,
    active: bool | None,
    visible_to: str | None,
    after_nip: str | None,
    limit: int,
    q: str | None = None,
) -> tuple[Select[Any], dict[str, Any]]:
    """Up to ``limit`` employees ordered by NIP after ``after_nip`` (the columns of EmployeeRead): the statement and
    its parameters; ``None`` leaves a filter out.

    ``visible_to`` restricts the rows to that employee and their direct reports (a pegawai's view).
    ``q``: digits are a NIP prefix (index ``ix_employee_nip_pattern``); anything else is words, each the
    start of a word of the name in any case (GIN index ``ix_employee_name_words`` on
    ``to_tsvector('simple', name)``: built into PostgreSQL, no extension needed).
    """
    params: dict[str, Any] = {"limit": limit}
    search = None
    if q is not None:
        words = [] if q.isdigit() else name_words(q)
        search = "nip" if q.isdigit() else "words" if words else "nothing"
        if search == "nip":
            params["nip_prefix"] = f"{q}%"
        elif search == "words":
            params["tsquery"] = " & ".join(f"{w}:*" for w in words)
    values = {
        "unit_id": unit_id,
        "supervisor_nip": supervisor_nip,
        "visible_to": visible_to,
        "after_nip": after_nip,
    }
    params.update((name, value) for name, value in values.items() if value is not None)
    return _list_shape(search, active, frozenset(params)), params


@functools.cache
def _list_shape(search: str | None, active: bool | None, present: frozenset[str]) -> Select[Any]:
    """The statement for one combination of filters, values bound by name; built once per combination and
    reused, so its cache key is computed once (building it per request cost a sixth of the list's CPU, issue
    21)."""
    stmt = select(*_LIST_COLUMNS).order_by(Employee.nip).limit(bindparam("limit", type_=Integer))
    if search == "nip":
        stmt = stmt.where(Employee.nip.like(bindparam("nip_prefix")))
    elif search == "words":
        stmt = stmt.where(
            func.to_tsvector(_SIMPLE, Employee.name).bool_op("@@")(
                func.to_tsquery(_SIMPLE, bindparam("tsquery"))
            )
        )
    elif search == "nothing":
        stmt = stmt.where(false())
    if "unit_id" in present:
        stmt = stmt.where(Employee.unit_id == bindparam("unit_id"))
    if "supervisor_nip" in present:
        stmt = stmt.where(Employee.supervisor_nip == bindparam("supervisor_nip"))
    if active is not None:
        stmt = stmt.where(Employee.active.is_(active))
    if "visible_to" in present:
        viewer: BindParameter[str] = bindparam("visible_to")
        stmt = stmt.where(or_(Employee.nip == viewer, Employee.supervisor_nip == viewer))
    if "after_nip" in present:
        stmt = stmt.where(Employee.nip > bindparam("after_nip"))
    return stmt


# Walks up from the proposed supervisor. UNION (not UNION ALL) plus the path check stop the walk even if
# bad data already holds a loop, so the query always terminates.
_CHAIN_SQL = text(
    """
    WITH RECURSIVE chain(nip, path) AS (
        SELECT CAST(:start AS varchar), ARRAY[CAST(:start AS varchar)]
      UNION
        SELECT e.supervisor_nip, c.path || e.supervisor_nip
        FROM kinerja.employee e
        JOIN chain c ON e.nip = c.nip
        WHERE e.supervisor_nip IS NOT NULL AND NOT e.supervisor_nip = ANY(c.path)
    )
    SELECT path FROM chain WHERE nip = :target LIMIT 1
    """
)


async def chain_to(session: AsyncSession, start: str, target: str) -> list[str] | None:
    """The reporting chain from ``start`` up to ``target`` (both included), or None if ``target`` is not
    above ``start``. Setting X's supervisor to S closes a cycle exactly when X is on S's chain."""
    path = await session.scalar(_CHAIN_SQL, {"start": start, "target": target})
    return list(path) if path is not None else None


async def active_reports(session: AsyncSession, nip: str, limit: int = 10) -> tuple[int, list[str]]:
    """How many active employees report directly to ``nip``, and the first few of them."""
    where = and_(Employee.supervisor_nip == nip, Employee.active.is_(True))
    count = int(await session.scalar(select(func.count()).where(where)) or 0)
    rows = await session.scalars(select(Employee.nip).where(where).order_by(Employee.nip).limit(limit))
    return count, list(rows.all())


async def open_assignment(session: AsyncSession, nip: str) -> EmployeeAssignment | None:
    """The current (open-ended) assignment of an employee, locked."""
    stmt = (
        select(EmployeeAssignment)
        .where(EmployeeAssignment.nip == nip, EmployeeAssignment.valid_to.is_(None))
        .with_for_update()
    )
    return (await session.scalars(stmt)).one_or_none()


async def assignment_on(session: AsyncSession, nip: str, day: date) -> Assignment | None:
    """The assignment that held on ``day``."""
    stmt = overlapping(nip, day, day).order_by(EmployeeAssignment.valid_from.desc()).limit(1)
    row = (await session.execute(stmt)).first()
    return Assignment(*row) if row is not None else None


async def all_states(session: AsyncSession) -> dict[str, EmployeeState]:
    """Every employee's data columns (the import validates the whole resulting reporting graph)."""
    cols = [getattr(Employee, c) for c in DATA_COLUMNS]
    rows = await session.execute(select(*cols))
    return {row[0]: EmployeeState(*row) for row in rows}


# One statement for any number of rows: arrays bound once and unnested server-side (asyncpg caps a
# statement at 32,767 parameters, and FK checks of a single statement run at its end, so rows may name
# supervisors that appear later in the same file).
_UPSERT_SQL = text(
    """
    INSERT INTO kinerja.employee AS e
        (nip, name, unit_id, position, position_type, rank, employment, supervisor_nip, active,
         jenjang, contract_start, contract_end, siasn_id)
    SELECT * FROM unnest(
        CAST(:nip AS varchar[]), CAST(:name AS varchar[]), CAST(:unit_id AS uuid[]),
        CAST(:position AS varchar[]), CAST(:position_type AS varchar[]), CAST(:rank AS varchar[]),
        CAST(:employment AS varchar[]), CAST(:supervisor_nip AS varchar[]), CAST(:active AS boolean[]),
        CAST(:jenjang AS varchar[]), CAST(:contract_start AS date[]), CAST(:contract_end AS date[]),
        CAST(:siasn_id AS varchar[]))
    ON CONFLICT (nip) DO UPDATE SET
        name = excluded.name, unit_id = excluded.unit_id, position = excluded.position,
        position_type = excluded.position_type, rank = excluded.rank, employment = excluded.employment,
        supervisor_nip = excluded.supervisor_nip, active = excluded.active, jenjang = excluded.jenjang,
        contract_start = excluded.contract_start, contract_end = excluded.contract_end,
        siasn_id = excluded.siasn_id, version = e.version + 1, updated_at = now()
    WHERE (e.name, e.unit_id, e.position, e.position_type, e.rank, e.employment, e.supervisor_nip, e.active,
           e.jenjang, e.contract_start, e.contract_end, e.siasn_id)
        IS DISTINCT FROM (excluded.name, excluded.unit_id, excluded.position, excluded.position_type,
                          excluded.rank, excluded.employment, excluded.supervisor_nip, excluded.active,
                          excluded.jenjang, excluded.contract_start, excluded.contract_end, excluded.siasn_id)
    RETURNING (xmax = 0) AS inserted
    """
)


async def bulk_upsert(session: AsyncSession, rows: Sequence[EmployeeState]) -> tuple[int, int]:
    """Insert or update ``rows`` in one statement; returns (created, updated)."""
    if not rows:
        return 0, 0
    params: dict[str, Any] = {col: [getattr(r, col) for r in rows] for col in DATA_COLUMNS}
    result = await session.execute(_UPSERT_SQL, params)
    flags = [bool(f) for f in result.scalars().all()]
    created = sum(flags)
    return created, len(flags) - created


async def bulk_record_assignments(session: AsyncSession, rows: Sequence[EmployeeState], day: date) -> None:
    """Start a new assignment on ``day`` for each row (new employees, or a changed supervisor, unit,
    position or jenjang).

    A same-day earlier assignment is replaced rather than closed (an empty ``[day, day)`` range means
    nothing); an older open one is closed on ``day``.
    """
    if not rows:
        return
    nips = [r.nip for r in rows]
    await session.execute(
        text(
            "DELETE FROM kinerja.employee_assignment "
            "WHERE nip = ANY(CAST(:nips AS varchar[])) AND valid_to IS NULL AND valid_from >= :day"
        ),
        {"nips": nips, "day": day},
    )
    await session.execute(
        text(
            "UPDATE kinerja.employee_assignment SET valid_to = :day "
            "WHERE nip = ANY(CAST(:nips AS varchar[])) AND valid_to IS NULL"
        ),
        {"nips": nips, "day": day},
    )
    await session.execute(
        text(
            "INSERT INTO kinerja.employee_assignment "
            "(nip, supervisor_nip, unit_id, position, jenjang, valid_from) "
            "SELECT n, s, u, p, j, :day FROM unnest(CAST(:nips AS varchar[]), CAST(:sups AS varchar[]), "
            "CAST(:units AS uuid[]), CAST(:positions AS varchar[]), CAST(:jenjangs AS varchar[])) "
            "AS t(n, s, u, p, j)"
        ),
        {
            "nips": nips,
            "sups": [r.supervisor_nip for r in rows],
            "units": [r.unit_id for r in rows],
            "positions": [r.position for r in rows],
            "jenjangs": [r.jenjang for r in rows],
            "day": day,
        },
    )
