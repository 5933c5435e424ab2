"""What follows a change to an employee, in the same transaction: one ``record_change`` (audit
entry, change-log row, outbox events), so pelatihan's roster, integrators' webhooks and publik's unit list
follow kinerja without a call inside the request (docs/events.md: ``kinerja.employee``; a unit's change is
recorded by units/changes.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import Change, record_change, record_changes
from services.common.changes.catalogue.kinerja import EmployeeChanged
from services.kinerja_api.employees.repository import DATA_COLUMNS, EmployeeState
from services.kinerja_api.events import SINK
from services.kinerja_api.tables.employees import Employee

EMPLOYEE_EVENT = EmployeeChanged.event_type
_ROSTER_KEYS = tuple(EmployeeChanged.model_fields)


def employee_state(employee: Employee | EmployeeState) -> dict[str, Any]:
    """The audited and synced columns of an employee, JSON-ready."""
    state = {c: getattr(employee, c) for c in DATA_COLUMNS}
    state["unit_id"] = str(state["unit_id"])
    for day in ("contract_start", "contract_end"):
        if state[day] is not None:
            state[day] = state[day].isoformat()
    return state


def _event(state: dict[str, Any]) -> EmployeeChanged:
    # The state is the row just written, so the model need not validate it again (the import's hot path);
    # the payload is exactly the model's fields: no name or position title (UU 27/2022).
    return EmployeeChanged.model_construct(**{k: state[k] for k in _ROSTER_KEYS})


def roster_entry(employee: Employee | EmployeeState) -> dict[str, Any]:
    """What pelatihan's roster holds of an employee (the ``kinerja.employee`` event data)."""
    return _event(employee_state(employee)).payload()


async def employee_changed(
    session: AsyncSession, *, actor: str, action: str, before: dict[str, Any] | None, employee: Employee
) -> None:
    """Record one employee change and publish the new roster entry (nothing when nothing changed)."""
    after = employee_state(employee)
    if before == after:
        return
    await record_change(
        session,
        SINK,
        actor=actor,
        action=action,
        entity="employee",
        entity_id=employee.nip,
        before=before,
        after=after,
        events=[_event(after)],
    )


async def employees_imported(
    session: AsyncSession, *, actor: str, changes: Sequence[tuple[EmployeeState | None, EmployeeState]]
) -> None:
    """Record and publish every employee an import created or changed, in bulk."""
    rows: list[Change] = []
    for old, new in changes:
        after = employee_state(new)
        rows.append(
            Change(
                "employee.import",
                "employee",
                after["nip"],
                employee_state(old) if old else None,
                after,
                (_event(after),),
                "CSV import",
            )
        )
    await record_changes(session, SINK, rows, actor=actor)
