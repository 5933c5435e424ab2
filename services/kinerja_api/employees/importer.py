"""The CSV import of employees — one piece of code for ``POST /v1/employees/import`` and
``asn import-employees``.

All or nothing: every line is checked first (NIP layout, value sets, unit, supervisor, and the whole
resulting reporting graph: no self-supervision, no cycle, no inactive supervisor, nobody deactivated
while still supervising). With any bad line nothing is written and each bad line is reported as
``{line, msg}`` (line numbers as in the file, the header being line 1). Otherwise all rows are written in
the caller's transaction by two set-based statements, so a 10,000-row file takes well under a second of
database time, and running the same file again changes nothing.

Parsing and the graph checks are CPU work and run in a worker thread (architecture §3.8).
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.i18n import msg
from services.kinerja_api.calendar.periods import periods_containing
from services.kinerja_api.employees import changes, repository
from services.kinerja_api.employees.errors import ImportRejected, MalformedCsv, PeriodResultFinal
from services.kinerja_api.employees.repository import EmployeeState
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
    siasn_id_problem,
)
from services.kinerja_api.units import repository as units_repository

COLUMNS = (
    "nip",
    "name",
    "unit_code",
    "position",
    "position_type",
    "rank",
    "employment",
    "supervisor_nip",
    "active",
)
ALT_COLUMNS = tuple("unit_id" if c == "unit_code" else c for c in COLUMNS)
# Optional columns after the nine (any subset, any order; issue 17). A column the file leaves out keeps the
# stored value; an empty cell clears it.
OPTIONAL_COLUMNS = ("jenjang", "contract_start", "contract_end", "siasn_id")
PROGRESS_EVERY = 1000
_TRUE = {"true", "1", "yes", "y", "ya", "t"}
_FALSE = {"false", "0", "no", "n", "tidak", "f"}

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called every PROGRESS_EVERY rows and at the end of each stage."""


@dataclass(slots=True)
class RawRow:
    """One CSV record with the number of the line it starts on."""

    line: int
    fields: list[str]


@dataclass(slots=True)
class ParsedFile:
    """A decoded CSV: which unit column it uses, which optional columns it has, and its records."""

    unit_by_id: bool
    rows: list[RawRow]
    extras: tuple[str, ...] = ()


@dataclass(slots=True)
class ImportPlan:
    """What the import will write."""

    upserts: list[EmployeeState] = field(default_factory=list)
    line_changes: list[EmployeeState] = field(default_factory=list)
    # Existing employees whose supervisor or unit changes, with their CSV line (the FINAL-period check).
    reporting_changes: dict[str, int] = field(default_factory=dict)
    # Existing employees who move to another position (their current SKP closes on the import day).
    moves: list[EmployeeState] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class ImportCounts:
    """The outcome of an import; ``refused`` stays 0 because any bad line rejects the whole file."""

    created: int
    updated: int
    unchanged: int
    refused: int = 0


def _noop(stage: str, done: int, total: int) -> None:
    return None


def parse_csv(data: bytes) -> ParsedFile:
    """Decode (UTF-8, optional BOM) and split a CSV; MalformedCsv for a bad encoding or header."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        body = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MalformedCsv(
            msg(
                "the body is not UTF-8: byte 0x{byte:02x} at offset {start} (line {line}); save the file as UTF-8 and retry",
                byte=data[exc.start],
                start=exc.start,
                line=line,
            )
        ) from None
    reader = csv.reader(io.StringIO(body, newline=""), strict=True)
    rows: list[RawRow] = []
    try:
        header = next(reader, None)
        if header is None:
            raise MalformedCsv(
                msg("the file is empty; expected the header {columns}", columns=",".join(COLUMNS))
            )
        names = tuple(h.strip() for h in header)
        base, extras = names[: len(COLUMNS)], names[len(COLUMNS) :]
        if (
            base not in (COLUMNS, ALT_COLUMNS)
            or not set(extras) <= set(OPTIONAL_COLUMNS)
            or len(set(extras)) != len(extras)
        ):
            raise MalformedCsv(
                msg(
                    "line 1: the header must be exactly {columns} (or unit_id instead of unit_code), optionally followed by any of {optional}; got {names}",
                    columns=",".join(COLUMNS),
                    optional=",".join(OPTIONAL_COLUMNS),
                    names=",".join(names),
                )
            )
        previous_end = reader.line_num
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            rows.append(RawRow(start, record))
    except csv.Error as exc:
        raise MalformedCsv(
            msg("line {line_num}: the CSV is malformed: {error}", line_num=reader.line_num, error=str(exc))
        ) from None
    if not rows:
        raise MalformedCsv(msg("the file has a header but no employees"))
    return ParsedFile(unit_by_id=base == ALT_COLUMNS, rows=rows, extras=extras)


def _bool(value: str) -> bool | None:
    v = value.strip().lower()
    return True if v in _TRUE else False if v in _FALSE else None


def _date(value: str, column: str, errors: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{column} {value!r} must be a date YYYY-MM-DD or empty")
        return None


def _optional(values: dict[str, str], old: EmployeeState | None, errors: list[str]) -> dict[str, Any]:
    """The optional columns of a line: a column the file leaves out keeps the stored value."""
    out: dict[str, Any] = {c: getattr(old, c) if old else None for c in OPTIONAL_COLUMNS}
    if "jenjang" in values:
        out["jenjang"] = None
        if values["jenjang"]:
            try:
                out["jenjang"] = Jenjang(values["jenjang"]).value
            except ValueError:
                errors.append(
                    f"jenjang {values['jenjang']!r} must be one of {', '.join(j.value for j in Jenjang)} or empty"
                )
    for column in ("contract_start", "contract_end"):
        if column in values:
            out[column] = _date(values[column], column, errors)
    if "siasn_id" in values:
        out["siasn_id"] = values["siasn_id"] or None
        problem = siasn_id_problem(values["siasn_id"]) if values["siasn_id"] else None
        if problem:
            errors.append(problem)
    return out


def _row_state(
    row: RawRow,
    unit_by_id: bool,
    unit_codes: dict[str, uuid.UUID],
    unit_ids: set[uuid.UUID],
    today: date,
    extras: tuple[str, ...] = (),
    old: EmployeeState | None = None,
) -> tuple[EmployeeState | None, list[str]]:
    """A line's employee, or the reasons it is bad."""
    errors: list[str] = []
    if len(row.fields) != len(COLUMNS) + len(extras):
        return None, [f"expected {len(COLUMNS) + len(extras)} fields, got {len(row.fields)}"]
    cells = [f.strip() for f in row.fields]
    nip, name, unit, position, ptype, rank_raw, employment_raw, sup, active_raw = cells[: len(COLUMNS)]
    optional = _optional(dict(zip(extras, cells[len(COLUMNS) :], strict=True)), old, errors)
    employment: Employment | None = None
    try:
        employment = Employment(employment_raw)
    except ValueError:
        errors.append(
            f"employment {employment_raw!r} must be one of {', '.join(e.value for e in Employment)}"
        )
    try:
        validate_identifier(nip, employment.value if employment else "PNS", today=today)
    except NipError as exc:
        errors.append(str(exc))
    if not name or len(name) > 200:
        errors.append("name must be 1-200 characters")
    if not position or len(position) > 200:
        errors.append("position must be 1-200 characters")
    unit_id: uuid.UUID | None = None
    if unit_by_id:
        try:
            unit_id = uuid.UUID(unit)
        except ValueError:
            errors.append(f"unit_id {unit!r} is not a UUID")
        else:
            if unit_id not in unit_ids:
                errors.append(f"unit_id {unit} does not exist")
                unit_id = None
    else:
        unit_id = unit_codes.get(unit)
        if unit_id is None:
            errors.append(f"unit_code {unit!r} does not exist")
    position_type: PositionType | None = None
    try:
        position_type = PositionType(ptype)
    except ValueError:
        errors.append(f"position_type {ptype!r} must be one of {', '.join(p.value for p in PositionType)}")
    rank: Rank | None = None
    try:
        rank = Rank(rank_raw)
    except ValueError:
        errors.append(f"rank {rank_raw!r} is not a golongan (I/a..IV/e for PNS, I..XVII for PPPK)")
    if rank is not None and employment is not None:
        mismatch = rank_mismatch(rank, employment)
        if mismatch:
            errors.append(mismatch)
    supervisor = sup or None
    if supervisor is not None and (len(supervisor) != 18 or not supervisor.isdigit()):
        errors.append(f"supervisor_nip {supervisor!r} must be 18 digits or empty")
    active = _bool(active_raw)
    if active is None:
        errors.append(f"active {active_raw!r} must be true or false")
    if position_type is not None:
        jenjang = Jenjang(optional["jenjang"]) if optional["jenjang"] else None
        problem = jenjang_problem(jenjang, position_type)
        if problem:
            errors.append(problem)
    if employment is not None:
        problem = contract_problem(employment, optional["contract_start"], optional["contract_end"])
        if problem:
            errors.append(problem)
    if (
        errors
        or unit_id is None
        or position_type is None
        or rank is None
        or employment is None
        or active is None
    ):
        return None, errors
    return (
        EmployeeState(
            nip,
            name,
            unit_id,
            position,
            position_type.value,
            rank.value,
            employment.value,
            supervisor,
            active,
            **optional,
        ),
        [],
    )


def _cycles(graph: dict[str, str | None], starts: list[str]) -> dict[str, list[str]]:
    """For every node on a cycle reachable from ``starts``, the cycle as a list of NIPs."""
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    on_cycle: dict[str, list[str]] = {}
    for start in starts:
        walk: list[str] = []
        node: str | None = start
        while node is not None and node in graph and state.get(node, 0) == 0:
            state[node] = 1
            walk.append(node)
            node = graph[node]
        if node is not None and state.get(node) == 1:
            cycle = walk[walk.index(node) :]
            for member in cycle:
                on_cycle[member] = cycle
        for visited in walk:
            state[visited] = 2
    return on_cycle


def plan_import(
    parsed: ParsedFile,
    *,
    existing: dict[str, EmployeeState],
    unit_codes: dict[str, uuid.UUID],
    today: date,
    progress: Progress = _noop,
) -> ImportPlan:
    """Check every line against the rules and the resulting graph; raise ImportRejected listing every bad
    line, else return what to write."""
    unit_ids = set(unit_codes.values())
    total = len(parsed.rows)
    bad: dict[int, list[str]] = {}
    states: dict[str, tuple[int, EmployeeState]] = {}
    first_line: dict[str, int] = {}
    placeholders: set[str] = set()  # NIPs of bad lines: still "known", so references to them do not cascade
    for i, row in enumerate(parsed.rows, 1):
        nip = row.fields[0].strip() if row.fields else ""
        state, errors = _row_state(
            row, parsed.unit_by_id, unit_codes, unit_ids, today, parsed.extras, existing.get(nip)
        )
        if nip in first_line:
            errors.append(f"NIP {nip} appears more than once (first on line {first_line[nip]})")
        else:
            first_line[nip] = row.line
        if errors:
            bad[row.line] = errors
            placeholders.add(nip)
        elif state is not None:
            states[state.nip] = (row.line, state)
        if i % PROGRESS_EVERY == 0:
            progress("validating", i, total)
    progress("validating", total, total)
    placeholders -= states.keys()  # a duplicate's first, valid line still counts

    final: dict[str, EmployeeState] = dict(existing)
    final.update({nip: s for nip, (_, s) in states.items()})
    siasn_owners: dict[str, list[str]] = {}
    for s in final.values():
        if s.siasn_id is not None:
            siasn_owners.setdefault(s.siasn_id, []).append(s.nip)
    active_reports: dict[str, list[str]] = {}
    for s in final.values():
        if s.active and s.supervisor_nip is not None and s.nip not in placeholders:
            active_reports.setdefault(s.supervisor_nip, []).append(s.nip)
    for nip, (line, s) in states.items():
        errors = []
        sup = s.supervisor_nip
        if sup == nip:
            errors.append(f"employee {nip} cannot be their own supervisor")
        elif sup is not None and sup not in placeholders:
            boss = final.get(sup)
            if boss is None:
                errors.append(f"supervisor {sup} is neither in the database nor in this file")
            elif s.active and not boss.active:
                errors.append(f"supervisor {sup} is inactive")
        if s.siasn_id is not None and len(siasn_owners[s.siasn_id]) > 1:
            others = sorted(n for n in siasn_owners[s.siasn_id] if n != nip)
            errors.append(f"siasn_id {s.siasn_id} is also given to {', '.join(others)}")
        if not s.active and active_reports.get(nip):
            reports = sorted(active_reports[nip])
            shown = ", ".join(reports[:5]) + (", …" if len(reports) > 5 else "")
            errors.append(
                f"employee {nip} is deactivated but still supervises {len(reports)} active employee(s) ({shown})"
            )
        if errors:
            bad.setdefault(line, []).extend(errors)
    graph = {nip: (None if nip in placeholders else s.supervisor_nip) for nip, s in final.items()}
    for nip, cycle in _cycles(graph, list(states)).items():
        if nip in states and len(cycle) > 1:
            at = cycle.index(nip)
            loop = [*cycle[at:], *cycle[:at], nip]
            bad.setdefault(states[nip][0], []).append(f"reporting line forms a cycle: {' → '.join(loop)}")
    if bad:
        errors_out = [
            {"line": line, "loc": ["body", line], "msg": "; ".join(msgs)}
            for line, msgs in sorted(bad.items())
        ]
        raise ImportRejected(
            msg("{count} of {total} lines are invalid; nothing was imported", count=len(bad), total=total),
            errors=errors_out,
        )

    plan = ImportPlan()
    for line, s in states.values():
        old = existing.get(s.nip)
        if old is None:
            plan.created += 1
            plan.upserts.append(s)
            plan.line_changes.append(s)
        elif old == s:
            plan.unchanged += 1
        else:
            plan.updated += 1
            plan.upserts.append(s)
            reporting = (old.supervisor_nip, old.unit_id) != (s.supervisor_nip, s.unit_id)
            if reporting:
                plan.reporting_changes[s.nip] = line
            if old.position != s.position:
                plan.moves.append(s)
            if reporting or old.position != s.position or old.jenjang != s.jenjang:
                plan.line_changes.append(s)
    return plan


async def _check_no_final_result(session: AsyncSession, plan: ImportPlan, today: date) -> None:
    """The import dates every change today: a change of the reporting line inside a period whose result is
    FINAL is refused as a PATCH would be (409), listing every such line; nothing is written."""
    if not plan.reporting_changes:
        return
    periods = periods_containing(today)
    # Finalising a result locks the employee's row, so an import and a finalisation run one after the other.
    await repository.lock_rows(session, list(plan.reporting_changes))
    final = await evaluations.final_results_of(session, list(plan.reporting_changes), periods)
    if not final:
        return
    errors_out = [
        {
            "line": plan.reporting_changes[nip],
            "loc": ["body", plan.reporting_changes[nip]],
            "msg": f"the reporting line of {nip} changes today, inside {' and '.join(done)}, whose result is "
            "FINAL; an admin reopens that result with a reason first",
        }
        for nip, done in sorted(final.items(), key=lambda kv: plan.reporting_changes[kv[0]])
    ]
    raise PeriodResultFinal(
        msg(
            "{count} line(s) change the reporting line inside a period whose result is FINAL; "
            "nothing was imported",
            count=len(errors_out),
        ),
        errors=errors_out,
    )


async def import_employees(
    session: AsyncSession, data: bytes, *, today: date, actor: str, progress: Progress = _noop
) -> ImportCounts:
    """Validate and import a CSV in the caller's transaction (flushed, never committed)."""
    parsed = await asyncio.to_thread(parse_csv, data)
    # One change of the reporting line at a time (imports and PATCHes alike): two files, or a file and a
    # PATCH, could each be valid alone and close a cycle together.
    await repository.lock_reporting_line(session)
    unit_codes = await units_repository.ids_by_code(session)
    existing = await repository.all_states(session)
    plan = await asyncio.to_thread(
        plan_import, parsed, existing=existing, unit_codes=unit_codes, today=today, progress=progress
    )
    await _check_no_final_result(session, plan, today)
    total = len(plan.upserts)
    progress("writing", 0, total)
    created, updated = await repository.bulk_upsert(session, plan.upserts)
    await repository.bulk_record_assignments(session, plan.line_changes, today)
    for nip in plan.reporting_changes:
        await rehome.rehome_stale_drafts(
            session, nip, actor=actor, reason="reporting line changed (CSV import)"
        )
    for moved in plan.moves:
        await positions.position_changed(
            session, nip=moved.nip, since=today, position=moved.position, actor=actor
        )
    await changes.employees_imported(
        session, actor=actor, changes=[(existing.get(s.nip), s) for s in plan.upserts]
    )
    progress("writing", total, total)
    unchanged = plan.unchanged + (plan.created + plan.updated - created - updated)
    return ImportCounts(created=created, updated=updated, unchanged=unchanged)
