"""Snapshots: signed, hash-chained; any changed byte and any broken link is detected from the outside."""

from __future__ import annotations

import argparse
import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest

from asn_cli.publik_commands import cmd_verify_snapshots, register, verify_url
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app
from services.publik_api.snapshots.service import SnapshotSigner, canonical_json
from services.publik_api.snapshots.verify import verify_chain
from services.publik_api.state import publik_state
from tests.publik.conftest import envelope, performance, publish, send_event
from tests.support.fixtures import Tokens, running, serve


async def _three_snapshots(
    client: httpx.AsyncClient, tokens: Tokens
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    unit = uuid.uuid4()
    await send_event(client, tokens, envelope("kinerja.unit_performance", performance(unit)))
    await publish(client, tokens, "2026-Q1")
    # A correction the disclosure rules allow (five people move), public on the next approval.
    corrected = performance(
        unit, counts={"SANGAT_BAIK": 11, "BAIK": 20, "BUTUH_PERBAIKAN": 5, "KURANG": 2, "SANGAT_KURANG": 0}
    )
    await send_event(client, tokens, envelope("kinerja.unit_performance", corrected))
    await publish(client, tokens, "2026-Q1")
    resp = await client.post(
        "/v1/innovations",
        json={
            "unit_id": str(unit),
            "title": "Layanan daring",
            "description": "Pendaftaran daring.",
            "launched_on": "2025-08-17",
        },
        headers=tokens.admin(),
    )
    assert resp.status_code == 201, resp.text
    latest = (await client.get("/v1/snapshots/latest")).json()
    assert latest["n"] == 3
    snapshots = [(await client.get(f"/v1/snapshots/{n}")).json() for n in (1, 2, 3)]
    jwks = (await client.get("/v1/snapshots/jwks.json")).json()
    return snapshots, jwks


async def test_chain_verifies_and_any_changed_byte_is_detected(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    snapshots, jwks = await _three_snapshots(publik, tokens)
    assert verify_chain(snapshots, jwks) == []
    key = jwks["keys"][0]
    assert key["x-purpose"] == "snapshot"
    assert key["kid"] == snapshots[0]["kid"]
    assert snapshots[1]["prev_hash"] == snapshots[0]["hash"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    token = snapshots[2]["jws"]
    # Every single position of the JWS, changed to another valid base64url character, breaks verification.
    for i, ch in enumerate(token):
        if ch == ".":
            continue
        replacement = alphabet[(alphabet.index(ch) + 1) % len(alphabet)]
        tampered = [*snapshots[:2], {**snapshots[2], "jws": token[:i] + replacement + token[i + 1 :]}]
        assert verify_chain(tampered, jwks), f"byte {i} changed and not detected"
    for field in ("hash", "prev_hash"):
        value = snapshots[2][field]
        changed = ("0" if value[0] != "0" else "1") + value[1:]
        assert verify_chain([*snapshots[:2], {**snapshots[2], field: changed}], jwks)


async def test_a_broken_chain_is_detected(publik: httpx.AsyncClient, tokens: Tokens, db: str) -> None:
    snapshots, jwks = await _three_snapshots(publik, tokens)
    # A gap: snapshot 2 withheld.
    assert any("gap" in p for p in verify_chain([snapshots[0], snapshots[2]], jwks))
    # Served under another number than the one signed.
    assert verify_chain([snapshots[0], {**snapshots[2], "n": 2}, {**snapshots[1], "n": 3}], jwks)
    # Rewritten history, properly signed with the real key: snapshot 2 replaced by other content. Its own
    # signature is valid, but snapshot 3 no longer links to it.
    conn = await asyncpg.connect(db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        payload = await conn.fetchval("SELECT payload FROM publik.snapshot WHERE n = 2")
    finally:
        await conn.close()
    assert isinstance(payload, str)
    import hashlib
    import json

    from services.publik_api.snapshots import service as snapshot_service

    body = json.loads(payload)
    body["items"] = []
    forged = canonical_json(body)
    app_signer = await _signer_of(publik)
    replaced = {**snapshots[1], "jws": app_signer.sign(forged), "hash": hashlib.sha256(forged).hexdigest()}
    problems = verify_chain([snapshots[0], replaced, snapshots[2]], jwks)
    assert any("snapshot 3" in p and "link" in p for p in problems), problems
    assert snapshot_service.SNAPSHOT_KINDS


async def _signer_of(client: httpx.AsyncClient) -> SnapshotSigner:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    signer: SnapshotSigner = publik_state(transport.app).snapshot_signer
    return signer


async def test_asn_verify_snapshots_command(
    publik_settings: Callable[..., PublikSettings],
    tokens: Tokens,
    db: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = publik_settings()
    async with running(create_app(settings)) as client:
        await _three_snapshots(client, tokens)
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    with serve(create_app(settings)) as url:
        args = parser.parse_args(["verify-snapshots", url])
        assert await asyncio.to_thread(cmd_verify_snapshots, args, None) == 0
        assert "OK: 3 snapshot(s)" in capsys.readouterr().out
        conn = await asyncpg.connect(db.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute("UPDATE publik.snapshot SET hash = repeat('0', 64) WHERE n = 2")
            # Let the running server's cache notice (it polls the publication version).
            await conn.execute("UPDATE publik.publication_state SET version = version + 1")
        finally:
            await conn.close()
        await asyncio.sleep(0.2)
        count, problems = await asyncio.to_thread(verify_url, url)
        assert count == 3
        assert problems
        assert await asyncio.to_thread(cmd_verify_snapshots, args, None) == 1
        assert "FAILED" in capsys.readouterr().out
