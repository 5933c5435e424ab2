"""What follows a change to an employee or a unit, in the same transaction: an audit entry (who, when,
before, after) and an outbox event, so pelatihan's roster and publik's unit list follow kinerja without
a call inside the request (docs/events.md: ``kinerja.employee``, ``kinerja.unit``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.outbox import enqueue_many
from services.kinerja_api.audit.service import Change, record, record_many
from services.kinerja_api.employees.models import Employee
from services.kinerja_api.employees.repository import DATA_COLUMNS, EmployeeState
from services.kinerja_api.events import OutboxEvent
from services.kinerja_api.units.models import Unit

EMPLOYEE_EVENT = "kinerja.employee"
UNIT_EVENT = "kinerja.unit"


def employee_state(employee: Employee | EmployeeState) -> dict[str, Any]:
    """The audited and published columns of an employee, JSON-ready."""
    state = {c: getattr(employee, c) for c in DATA_COLUMNS}
    state["unit_id"] = str(state["unit_id"])
    return state


def _roster_event(state: dict[str, Any]) -> dict[str, Any]:
    # pelatihan needs no name or position title for its roster (data minimisation, UU 27/2022).
    keys = ("nip", "unit_id", "employment", "position_type", "rank", "active", "supervisor_nip")
    return {k: state[k] for k in keys}


def roster_entry(employee: Employee | EmployeeState) -> dict[str, Any]:
    """What pelatihan's roster holds of an employee (the ``kinerja.employee`` event data)."""
    return _roster_event(employee_state(employee))


async def employee_changed(
    session: AsyncSession, *, actor: str, action: str, before: dict[str, Any] | None, employee: Employee
) -> None:
    """Audit one employee change and publish the new roster entry (nothing when nothing changed)."""
    after = employee_state(employee)
    if before == after:
        return
    await enqueue_many(session, OutboxEvent, "pelatihan", [(EMPLOYEE_EVENT, _roster_event(after))])
    await record(
        session,
        actor=actor,
        action=action,
        entity="employee",
        entity_id=employee.nip,
        before=before,
        after=after,
    )


async def employees_imported(
    session: AsyncSession, *, actor: str, changes: Sequence[tuple[EmployeeState | None, EmployeeState]]
) -> None:
    """Audit and publish every employee an import created or changed, in bulk."""
    states = [(employee_state(old) if old else None, employee_state(new)) for old, new in changes]
    await enqueue_many(
        session, OutboxEvent, "pelatihan", [(EMPLOYEE_EVENT, _roster_event(after)) for _, after in states]
    )
    await record_many(
        session,
        [Change("employee.import", "employee", after["nip"], before, after) for before, after in states],
        actor=actor,
        reason="CSV import",
    )


async def unit_changed(session: AsyncSession, *, actor: str, unit: Unit, active: bool = True) -> None:
    """Publish a unit to publik (it accepts surveys for units it knows)."""
    payload = {
        "unit_id": str(unit.id),
        "code": unit.code,
        "name": unit.name,
        "parent_id": str(unit.parent_id) if unit.parent_id else None,
        "active": active,
    }
    await enqueue_many(session, OutboxEvent, "publik", [(UNIT_EVENT, payload)])
    await record(
        session,
        actor=actor,
        action="unit.create",
        entity="unit",
        entity_id=str(unit.id),
        before=None,
        after=payload,
    )
