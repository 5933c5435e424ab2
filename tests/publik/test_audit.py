"""publik's audit chain: what it learns and publishes (units, items, corrections, approvals, innovations)
is recorded by record_change with its actor — the sending service or the admin; citizens' survey answers
are input, not changes, and are not. Admins read and verify the chain; a rewritten row breaks it."""

from __future__ import annotations

import uuid

import httpx

from services.common.auth import Role
from tests.publik.conftest import envelope, performance, publish, send_event
from tests.support.audit_checks import entries, readers_only, tamper_and_verify, verify
from tests.support.fixtures import Tokens

AUDIT = "/v1/audit"


async def test_publication_changes_write_verified_entries(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    unit = uuid.uuid4()
    unit_event = {"unit_id": str(unit), "code": "BKD", "name": "BKD", "parent_id": None, "active": True}
    assert (await send_event(publik, tokens, envelope("kinerja.unit", unit_event))).status_code == 202
    # The same unit again is no change: nothing more is recorded.
    assert (await send_event(publik, tokens, envelope("kinerja.unit", unit_event))).status_code == 202
    [learnt] = await entries(publik, AUDIT, tokens.admin(), "unit", str(unit))
    assert (learnt["action"], learnt["actor"], learnt["after"]["name"]) == ("unit.learn", "kinerja", "BKD")

    resp = await send_event(publik, tokens, envelope("kinerja.unit_performance", performance(unit)))
    assert resp.status_code == 202, resp.text
    pub = await publish(publik, tokens, "2026-Q1")
    [approved] = await entries(publik, AUDIT, tokens.admin(), "publication", pub["id"])
    assert (approved["action"], approved["actor"]) == ("publication.approve", "admin")
    assert (approved["before"]["status"], approved["after"]["published"]) == ("PENDING", 1)

    corrected = performance(unit, headcount=60)
    resp = await send_event(publik, tokens, envelope("kinerja.unit_performance", corrected))
    assert resp.status_code == 202, resp.text
    items = (await publik.get(AUDIT, params={"entity": "item"}, headers=tokens.admin())).json()["items"]
    assert [(e["action"], e["actor"]) for e in items] == [
        ("item.receive", "kinerja"),
        # A correction of public figures waits for the next approval (docs/publik.md, disclosure control).
        ("item.correction_received", "kinerja"),
    ]
    assert items[1]["before"]["pending_data"] is None
    assert items[1]["after"]["pending_data"]["headcount"] == 60
    assert items[1]["after"]["version"] == items[1]["before"]["version"] == 1
    assert items[1]["after"]["published_at"] is not None

    population = await publik.put(
        f"/v1/units/{unit}/service-population", json={"population": 5000}, headers=tokens.admin()
    )
    assert population.status_code == 200, population.text
    check = await verify(publik, AUDIT, tokens.admin())
    assert check == {"entries": 5, "valid": True, "first_bad_seq": None, "problem": None}


async def test_a_rewritten_entry_is_reported(publik: httpx.AsyncClient, tokens: Tokens, db: str) -> None:
    unit = uuid.uuid4()
    for name in ("BKD", "Badan Kepegawaian Daerah"):
        event = {"unit_id": str(unit), "code": "BKD", "name": name, "parent_id": None, "active": True}
        assert (await send_event(publik, tokens, envelope("kinerja.unit", event))).status_code == 202
    first, second = await entries(publik, AUDIT, tokens.admin(), "unit", str(unit))
    assert second["before"]["name"] == "BKD"
    check = await tamper_and_verify(publik, AUDIT, tokens.admin(), db, "publik", first["seq"])
    assert (check["valid"], check["first_bad_seq"]) == (False, first["seq"])


async def test_only_admins_read_the_audit(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    await readers_only(
        publik,
        AUDIT,
        refused=[
            tokens.pegawai("198001012005011001"),
            tokens.headers("client-1", [Role.INTEGRATOR]),
            tokens.service(),
        ],
        admitted=[tokens.admin()],
    )
