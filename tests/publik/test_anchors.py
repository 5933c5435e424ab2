"""Audit anchors (issue 14 finding 3): publik reads every app's audit head with a service token, keeps a
signed, hash-chained record only when a head moved, serves it publicly, and ``asn verify-audit`` catches a
chain rewritten by its owner even when every later hash was recomputed so the chain verifies on its own."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from asn_cli.main import main as asn
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from gateway.state import gateway_state
from services.common.apps import APP_NAMES
from services.common.auth import Role
from services.common.changes.audit import entry_hash, fields_of
from services.common.settings import normalise_database_url
from services.kinerja_api.audit.models import AuditEntry as KinerjaEntry
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app as create_kinerja
from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.main import create_app as create_pelatihan
from services.publik_api.anchors.keeper import HEAD_PATH, AnchorKeeper
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app as create_publik
from services.publik_api.state import publik_state
from tests.publik.conftest import closed_url
from tests.support.audit_checks import as_superuser, verify
from tests.support.fixtures import Tokens, running


@contextlib.asynccontextmanager
async def service_client(app: Any, headers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client to a running app that calls it the way publik's keeper does: with a service token."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", headers=headers
    ) as client:
        yield client


def bearer(name: str, app: Any, tokens: Tokens, subject: str, role: str) -> dict[str, str]:
    """A token the app trusts: the gateway checks its own signing key, the services the test key."""
    if name == "gateway":
        return {
            "Authorization": f"Bearer {gateway_state(app).keyring.signer.issue(subject, [role], ttl_s=600)}"
        }
    return tokens.headers(subject, [role])


@pytest.fixture
async def stack(
    db: str,
    settings_for: Callable[..., Any],
    publik_settings: Callable[..., PublikSettings],
    tokens: Tokens,
    tmp_path: Path,
) -> AsyncIterator[dict[str, Any]]:
    """kinerja, pelatihan, the gateway and publik running in-process, and a keeper over them."""
    dead = closed_url()
    apps = {
        "kinerja": create_kinerja(settings_for(KinerjaSettings)),
        "pelatihan": create_pelatihan(settings_for(PelatihanSettings, kinerja_url=dead, gateway_url=dead)),
        "gateway": create_gateway(
            settings_for(
                GatewaySettings,
                data_dir=tmp_path / "gateway",
                kinerja_urls=dead,
                pelatihan_urls=dead,
                publik_urls=dead,
            )
        ),
    }
    # The lifespan's own keeper waits an hour between rounds; the test drives its own keeper.
    publik_app = create_publik(publik_settings(anchor_interval_s=3600))
    async with contextlib.AsyncExitStack() as stack:
        clients = {name: await stack.enter_async_context(running(app)) for name, app in apps.items()}
        publik = await stack.enter_async_context(running(publik_app))
        sources = {
            name: await stack.enter_async_context(
                service_client(app, bearer(name, app, tokens, "svc-publik", Role.SERVICE))
            )
            for name, app in apps.items()
        }
        state = publik_state(publik_app)
        keeper = AnchorKeeper(state.sessionmaker, state.snapshot_signer, sources, interval_s=3600)
        # The start-up round (publik's own head only: the other apps' URLs lead nowhere) may still run.
        await _settled(publik)
        yield {"apps": apps, "clients": clients, "publik": publik, "keeper": keeper}


async def _settled(publik: httpx.AsyncClient) -> None:
    for _ in range(100):
        if (await publik.get("/v1/anchors")).json()["items"]:
            return
        await asyncio.sleep(0.05)


async def _anchors(publik: httpx.AsyncClient) -> list[dict[str, Any]]:
    resp = await publik.get("/v1/anchors")
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-cache"
    body: list[dict[str, Any]] = resp.json()["items"]
    assert resp.json()["next_cursor"] is None  # every anchor of the test fits one page
    return body


async def _new_unit(kinerja: httpx.AsyncClient, tokens: Tokens, code: str) -> None:
    resp = await kinerja.post("/v1/units", json={"code": code, "name": code}, headers=tokens.admin())
    assert resp.status_code == 201, resp.text


async def test_the_head_is_for_service_tokens_only(stack: dict[str, Any], tokens: Tokens) -> None:
    for name, client in stack["clients"].items():
        app = stack["apps"][name]
        assert (await client.get(HEAD_PATH)).status_code == 401
        admin = bearer(name, app, tokens, "admin", Role.ADMIN)
        assert (await client.get(HEAD_PATH, headers=admin)).status_code == 403
        resp = await client.get(HEAD_PATH, headers=bearer(name, app, tokens, "svc-test", Role.SERVICE))
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"seq": 0, "hash": "0" * 64}


async def test_an_anchor_is_written_only_when_a_head_moves(stack: dict[str, Any], tokens: Tokens) -> None:
    keeper: AnchorKeeper = stack["keeper"]
    publik: httpx.AsyncClient = stack["publik"]
    kinerja: httpx.AsyncClient = stack["clients"]["kinerja"]
    await _new_unit(kinerja, tokens, "BKD")
    first = await keeper.run_once()
    assert first is not None
    assert await keeper.run_once() is None  # nothing moved: no record
    await _new_unit(kinerja, tokens, "DISDIK")
    second = await keeper.run_once()
    assert second is not None
    assert second.n == first.n + 1
    assert second.prev_hash == first.hash
    assert await keeper.run_once() is None

    anchors = await _anchors(publik)  # public: no token
    assert [a["n"] for a in anchors] == list(range(1, second.n + 1))
    heads = anchors[-1]["heads"]
    assert set(heads) == set(APP_NAMES)
    assert heads["kinerja"]["seq"] == anchors[-2]["heads"]["kinerja"]["seq"] + 1
    assert heads["pelatihan"] == heads["gateway"] == {"seq": 0, "hash": "0" * 64}
    kinerja_head = await kinerja.get(HEAD_PATH, headers=tokens.service())
    assert heads["kinerja"] == kinerja_head.json()


async def _rewrite(database_url: str, seq: int) -> None:
    """What the owner of kinerja's schema can do: change entry ``seq`` past the trigger and recompute every
    later hash, so the chain verifies on its own."""
    engine = create_async_engine(normalise_database_url(database_url))
    try:
        async with AsyncSession(engine) as session:
            rows = list((await session.scalars(select(KinerjaEntry).order_by(KinerjaEntry.seq))).all())
    finally:
        await engine.dispose()
    prev = next((r.hash for r in rows if r.seq == seq - 1), "0" * 64)
    for row in [r for r in rows if r.seq >= seq]:
        if row.seq == seq:
            row.actor = "someone-else"
        digest = entry_hash(prev, fields_of(row))
        await as_superuser(
            database_url,
            "UPDATE kinerja.audit_entry SET actor = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
            row.actor,
            prev,
            digest,
            row.seq,
        )
        prev = digest


async def _verify_audit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: str, key_dir: Path
) -> tuple[int, str]:
    monkeypatch.setenv("ASN_DATABASE_URL", db)
    monkeypatch.setenv("PUBLIK_DATA_DIR", str(key_dir))
    monkeypatch.delenv("PUBLIK_SNAPSHOT_KEY_PEM", raising=False)
    code = await asyncio.to_thread(asn, ["verify-audit"])
    return code, capsys.readouterr().out


async def test_a_rewrite_by_the_owner_is_detected_by_the_anchors(
    stack: dict[str, Any],
    tokens: Tokens,
    db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keeper: AnchorKeeper = stack["keeper"]
    kinerja: httpx.AsyncClient = stack["clients"]["kinerja"]
    for unit_code in ("BKD", "DISDIK", "DINKES"):
        await _new_unit(kinerja, tokens, unit_code)
    assert await keeper.run_once() is not None
    code, out = await _verify_audit(monkeypatch, capsys, db, tmp_path)
    assert code == 0, out
    assert "OK: kinerja: 3 entries" in out

    await _rewrite(db, 2)
    check = await verify(kinerja, "/v1/audit", tokens.admin())
    assert check["valid"] is True  # the chain alone cannot tell
    code, out = await _verify_audit(monkeypatch, capsys, db, tmp_path)
    assert code == 1, out
    assert "kinerja: seq 3 no longer has its anchored hash (rewritten)" in out


async def test_a_truncated_chain_and_a_forged_anchor_are_detected(
    stack: dict[str, Any],
    tokens: Tokens,
    db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keeper: AnchorKeeper = stack["keeper"]
    kinerja: httpx.AsyncClient = stack["clients"]["kinerja"]
    for unit_code in ("BKD", "DISDIK"):
        await _new_unit(kinerja, tokens, unit_code)
    assert await keeper.run_once() is not None
    await as_superuser(db, "DELETE FROM kinerja.audit_entry WHERE seq = 2")
    await as_superuser(
        db, "UPDATE publik.audit_anchor SET payload = replace(payload, '\"seq\":2', '\"seq\":1')"
    )
    code, out = await _verify_audit(monkeypatch, capsys, db, tmp_path)
    assert code == 1, out
    assert "kinerja: anchored seq 2 is missing from the chain (truncated)" in out
    # The stored copy was edited; the heads checked are the signed ones.
    assert "anchor 2: the stored payload is not the signed one" in out
