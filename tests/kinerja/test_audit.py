"""The audit log through the API on real PostgreSQL: admins read it page by page, the hash chain verifies,
and a row changed or deleted behind the application's back is found."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.auth import Role
from tests.support.fixtures import Tokens

HEAD = "197503121999031002"


async def history(client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens) -> str:
    """A unit head's SKP taken through create, two results, submit and approval in the governor's name:
    five SKP audit entries (after the registry's own)."""
    unit = (await client.post("/v1/units", json={"code": "BKD", "name": "BKD"}, headers=admin)).json()["id"]
    body: dict[str, Any] = {
        "nip": HEAD,
        "name": "Kepala",
        "unit_id": unit,
        "position": "Kepala Badan",
        "position_type": "JPT",
        "rank": "IV/c",
        "employment": "PNS",
    }
    assert (await client.post("/v1/employees", json=body, headers=admin)).status_code == 201
    head = tokens.pegawai(HEAD)
    skp = (await client.post("/v1/skp", json={"year": 2026}, headers=head)).json()
    for n in (1, 2):
        result = {
            "kind": "UTAMA",
            "text": f"Hasil {n}",
            "perspective": "PROSES_BISNIS",
            "indicators": [{"text": "Indikator", "target": "100%"}],
        }
        assert (
            await client.post(f"/v1/skp/{skp['id']}/results", json=result, headers=head)
        ).status_code == 201
    assert (await client.post(f"/v1/skp/{skp['id']}/submit", headers=head)).status_code == 200
    assert (await client.post(f"/v1/skp/{skp['id']}/approve", headers=admin)).status_code == 200
    return str(skp["id"])


async def skp_entries(client: httpx.AsyncClient, admin: dict[str, str], skp_id: str) -> list[dict[str, Any]]:
    resp = await client.get("/v1/audit", params={"entity": "skp", "entity_id": skp_id}, headers=admin)
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


async def test_read_and_page(client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens) -> None:
    skp_id = await history(client, admin, tokens)
    entries = await skp_entries(client, admin, skp_id)
    assert [e["action"] for e in entries] == [
        "skp.create",
        "skp.result.add",
        "skp.result.add",
        "skp.submit",
        "skp.approve",
    ]
    approve = entries[-1]
    assert approve["actor"] == "admin"
    assert approve["on_behalf_of"] == "GUBERNUR"
    assert approve["before"]["status"] == "SUBMITTED"
    assert approve["after"]["status"] == "APPROVED"
    assert approve["prev_hash"] == entries[-2]["hash"]
    assert entries[1]["after"]["result"]["text"] == "Hasil 1"

    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "entity": "skp"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/audit", params=params, headers=admin)).json()
        seen += [e["seq"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [e["seq"] for e in entries]
    everything = [e["seq"] for e in (await client.get("/v1/audit", headers=admin)).json()["items"]]
    assert everything == sorted(everything)
    assert set(seen) <= set(everything)

    lone_id = await client.get("/v1/audit", params={"entity_id": skp_id}, headers=admin)
    assert lone_id.status_code == 422
    for who in (tokens.pegawai(HEAD), tokens.headers("bkn-sync", [Role.INTEGRATOR])):
        assert (await client.get("/v1/audit", headers=who)).status_code == 403
        assert (await client.get("/v1/audit/verify", headers=who)).status_code == 403
    assert (await client.get("/v1/audit/verify")).status_code == 401


async def test_chain_verifies(client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens) -> None:
    empty = (await client.get("/v1/audit/verify", headers=admin)).json()
    assert empty == {"entries": 0, "valid": True, "first_bad_seq": None, "problem": None}
    await history(client, admin, tokens)
    # The registry's own entries (unit, employee) are part of the same chain.
    total = len((await client.get("/v1/audit", params={"limit": 200}, headers=admin)).json()["items"])
    assert total >= 5
    check = (await client.get("/v1/audit/verify", headers=admin)).json()
    assert check == {"entries": total, "valid": True, "first_bad_seq": None, "problem": None}


# Only a superuser gets past the append-only trigger (issue 14): the rewrite the chain must still reveal.
BEHIND_THE_TRIGGER = "SET LOCAL session_replication_role = replica"


async def test_tampered_row_is_detected(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens, engine: AsyncEngine
) -> None:
    skp_id = await history(client, admin, tokens)
    approve = (await skp_entries(client, admin, skp_id))[-1]
    # Someone with database access rewrites who approved, leaving the stored hash alone.
    async with engine.begin() as conn:
        await conn.execute(text(BEHIND_THE_TRIGGER))
        await conn.execute(
            text(
                "UPDATE kinerja.audit_entry SET actor = '198001012005011001', on_behalf_of = NULL WHERE seq = :s"
            ),
            {"s": approve["seq"]},
        )
    check = (await client.get("/v1/audit/verify", headers=admin)).json()
    assert check["valid"] is False
    assert check["first_bad_seq"] == approve["seq"]
    assert "does not match its hash" in check["problem"]


async def test_tampered_payload_is_detected(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens, engine: AsyncEngine
) -> None:
    skp_id = await history(client, admin, tokens)
    add = (await skp_entries(client, admin, skp_id))[1]
    async with engine.begin() as conn:
        await conn.execute(text(BEHIND_THE_TRIGGER))
        await conn.execute(
            text(
                "UPDATE kinerja.audit_entry SET after = jsonb_set(after, '{result,text}', '\"Lain\"') "
                "WHERE seq = :s"
            ),
            {"s": add["seq"]},
        )
    check = (await client.get("/v1/audit/verify", headers=admin)).json()
    assert (check["valid"], check["first_bad_seq"]) == (False, add["seq"])


async def test_deleted_row_is_detected(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens, engine: AsyncEngine
) -> None:
    skp_id = await history(client, admin, tokens)
    entries = await skp_entries(client, admin, skp_id)
    submit, approve = entries[3], entries[4]
    async with engine.begin() as conn:
        await conn.execute(text(BEHIND_THE_TRIGGER))
        await conn.execute(text("DELETE FROM kinerja.audit_entry WHERE seq = :s"), {"s": submit["seq"]})
    check = (await client.get("/v1/audit/verify", headers=admin)).json()
    assert check["valid"] is False
    assert check["first_bad_seq"] == approve["seq"]
    assert "link" in check["problem"]
