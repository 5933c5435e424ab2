"""Every change to an employee or unit is audited and published to the outbox in the same transaction."""

from __future__ import annotations

import asyncpg
import httpx

from tests.kinerja.test_registry_api import BOSS, STAFF, org
from tests.support.fixtures import plain_dsn


async def _rows(db: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def test_employee_and_unit_changes_are_audited_and_published(
    db: str, client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await org(client, admin)
    moved = await client.patch(f"/v1/employees/{STAFF}", json={"position": "Analis SDM"}, headers=admin)
    assert moved.status_code == 200
    # A PATCH that changes nothing writes nothing.
    same = await client.patch(f"/v1/employees/{STAFF}", json={"position": "Analis SDM"}, headers=admin)
    assert same.status_code == 200

    audit = await _rows(
        db, "SELECT action, entity, entity_id, actor, before, after FROM kinerja.audit_entry ORDER BY seq"
    )
    actions = [(r["action"], r["entity_id"]) for r in audit]
    assert ("employee.create", BOSS) in actions
    updates = [r for r in audit if r["action"] == "employee.update"]
    assert len(updates) == 1
    assert '"Analis"' in updates[0]["before"]
    assert '"Analis SDM"' in updates[0]["after"]
    assert {r["actor"] for r in audit} == {"admin"}
    assert sum(r["entity"] == "unit" for r in audit) == 1

    events = await _rows(db, "SELECT destination, event_type, payload::text AS p FROM kinerja.outbox_event")
    roster = [e for e in events if e["event_type"] == "kinerja.employee" and e["destination"] == "pelatihan"]
    assert len(roster) == 6  # five creations and one real change
    # The same changes go to the gateway for integrators' webhooks (employee.changed), without names.
    hooks = [e for e in events if e["event_type"] == "kinerja.employee" and e["destination"] == "gateway"]
    assert len(hooks) == 6
    assert all('"name"' not in e["p"] for e in hooks)
    assert all('"name"' not in e["p"] for e in roster)  # data minimisation: no names in the roster
    units = [e for e in events if e["event_type"] == "kinerja.unit"]
    assert len(units) == 1
    assert units[0]["destination"] == "publik"

    verify = await client.get("/v1/audit/verify", headers=admin)
    if verify.status_code == 200:  # the audit router is part of the SKP work
        assert verify.json()["valid"] is True


async def test_import_audits_and_publishes_each_changed_employee(
    db: str, client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    unit = (await client.post("/v1/units", json={"code": "X", "name": "Unit X"}, headers=admin)).json()
    header = "nip,name,unit_code,position,position_type,rank,employment,supervisor_nip,active\n"
    lines = [f"19800101200501100{i},Pegawai {i},X,Analis,PELAKSANA,III/a,PNS,,true\n" for i in range(1, 4)]
    csv = (header + "".join(lines)).encode()
    headers = {**admin, "Content-Type": "text/csv"}
    first = await client.post("/v1/employees/import", content=csv, headers=headers)
    assert first.status_code == 200, first.text
    again = await client.post("/v1/employees/import", content=csv, headers=headers)
    assert again.json()["unchanged"] == 3
    audit = await _rows(db, "SELECT count(*) AS n FROM kinerja.audit_entry WHERE action = 'employee.import'")
    assert audit[0]["n"] == 3
    events = await _rows(
        db,
        "SELECT count(*) AS n FROM kinerja.outbox_event WHERE event_type = 'kinerja.employee' AND destination = 'pelatihan'",
    )
    assert events[0]["n"] == 3
    assert unit["code"] == "X"
