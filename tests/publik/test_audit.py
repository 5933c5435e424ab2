"""publik's audit chain: what it learns and publishes (units, items, corrections, approvals, innovations)
is recorded by record_change with its actor — the sending service or the admin; citizens' survey answers
are input, not changes, and are not. Admins read and verify the chain; a rewritten row breaks it."""

from __future__ import annotations

import uuid

import httpx

from services.common.auth import Role
from tests.publik.conftest import envelope, performance, publish, send_event, submit_survey
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


async def test_the_admins_catalogue_periods_comments_and_follow_ups_are_chained(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    """Issue 20's admin writes go through the same chain: services, SKM periods, handled comments and the
    published follow-up statement, each with its actor (the comment's text never enters the log)."""
    unit = uuid.uuid4()
    unit_event = {"unit_id": str(unit), "code": "DKC", "name": "Dukcapil", "parent_id": None, "active": True}
    assert (await send_event(publik, tokens, envelope("kinerja.unit", unit_event))).status_code == 202
    made = await publik.post(f"/v1/units/{unit}/services", json={"name": "Loket KTP"}, headers=tokens.admin())
    assert made.status_code == 201, made.text
    service = made.json()["id"]
    renamed = await publik.patch(
        f"/v1/services/{service}", json={"name": "Loket e-KTP"}, headers=tokens.admin()
    )
    assert renamed.status_code == 200, renamed.text
    assert (await publik.delete(f"/v1/services/{service}", headers=tokens.admin())).status_code == 204
    changes = await entries(publik, AUDIT, tokens.admin(), "public_service", service)
    assert [(e["action"], e["actor"]) for e in changes] == [
        ("service.create", "admin"),
        ("service.update", "admin"),
        ("service.delete", "admin"),
    ]
    assert (changes[1]["before"]["name"], changes[1]["after"]["name"]) == ("Loket KTP", "Loket e-KTP")

    period = await publik.post("/v1/skm-periods", json={"code": "2025-S1"}, headers=tokens.admin())
    assert period.status_code == 201, period.text
    [created] = await entries(publik, AUDIT, tokens.admin(), "skm_period", "2025-S1")
    assert (created["action"], created["after"]["kind"]) == ("skm_period.create", "SEMESTER")

    private = "Hubungi saya di 0812-3456-7890."
    assert (await submit_survey(publik, unit, [3] * 9, comment=private)).status_code == 201
    [comment] = (await publik.get("/v1/comments", headers=tokens.admin())).json()["items"]
    unit_admin = tokens.headers("opd.admin", roles=[Role.UNIT_ADMIN], unit_id=str(unit))
    handled = await publik.post(f"/v1/comments/{comment['id']}/handled", headers=unit_admin)
    assert handled.status_code == 200, handled.text
    [mark] = await entries(publik, AUDIT, tokens.admin(), "comment", comment["id"])
    assert (mark["action"], mark["actor"], mark["after"]) == (
        "comment.handle",
        "opd.admin",
        {"handled": True},
    )
    assert "0812" not in str(mark)

    statement = {"period": "2025-S1", "statement": "Loket tambahan dibuka setiap Senin."}
    follow_up = await publik.post(f"/v1/units/{unit}/follow-ups", json=statement, headers=unit_admin)
    assert follow_up.status_code == 201, follow_up.text
    [published] = await entries(publik, AUDIT, tokens.admin(), "item", follow_up.json()["id"])
    assert (published["action"], published["actor"]) == ("item.publish", "opd.admin")
    assert published["after"]["kind"] == "TINDAK_LANJUT"
    assert (await verify(publik, AUDIT, tokens.admin()))["valid"] is True
