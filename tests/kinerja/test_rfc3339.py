"""RFC 3339 timestamps (``2026-03-31T17:00:00Z``) in every answer (issue 11): change-log rows are written that
way and old ones rewritten by the migration; audit rows keep their stored (hashed) text and are formatted on
output. A walk over the answers of several endpoints on the demo finds no other spelling."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from services.common.changelog import normalise_stored_timestamps
from services.common.rfc3339 import RFC3339_UTC, format_instant, normalise
from services.common.settings import normalise_database_url
from services.kinerja_api import demo
from tests.support.fixtures import Tokens, plain_dsn

# Anything that carries a time of day after a date, however it is spelled.
LOOKS_LIKE_A_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def bad_timestamps(body: Any) -> list[str]:
    return [s for s in strings(body) if LOOKS_LIKE_A_TIMESTAMP.match(s) and not RFC3339_UTC.fullmatch(s)]


def test_format_and_normalise() -> None:
    wib = timezone(timedelta(hours=7))
    assert format_instant(datetime(2026, 4, 1, 0, 0, tzinfo=wib)) == "2026-03-31T17:00:00Z"
    assert (
        format_instant(datetime(2026, 3, 31, 17, 0, 0, 120000, tzinfo=UTC)) == "2026-03-31T17:00:00.120000Z"
    )
    stored = {"at": "2026-12-02 11:37:50+00:00", "on": "2026-12-02", "list": ["2026-12-02T18:37:50.5+07:00"]}
    assert normalise(stored) == {
        "at": "2026-12-02T11:37:50Z",
        "on": "2026-12-02",
        "list": ["2026-12-02T11:37:50.500000Z"],
    }
    assert normalise("Rapat 2026-12-02 11:37:50 di aula") == "Rapat 2026-12-02 11:37:50 di aula"


async def test_old_change_log_rows_are_rewritten(db: str) -> None:
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        seq = await conn.fetchval(
            "INSERT INTO kinerja.change_log (entity, entity_id, op, data) VALUES ('skp', 'x', 'UPSERT', $1::jsonb)"
            " RETURNING seq",
            json.dumps({"approved_at": "2026-12-02 11:37:50.25+00:00", "results": [], "year": 2026}),
        )
    finally:
        await conn.close()
    engine = create_async_engine(normalise_database_url(db))
    try:
        async with engine.begin() as conn_:
            changed = await conn_.run_sync(normalise_stored_timestamps, "kinerja.change_log")
    finally:
        await engine.dispose()
    assert changed == 1
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        data = json.loads(
            await conn.fetchval("SELECT data::text FROM kinerja.change_log WHERE seq = $1", seq)
        )
    finally:
        await conn.close()
    assert data == {"approved_at": "2026-12-02T11:37:50.250000Z", "results": [], "year": 2026}


async def test_every_answer_writes_rfc3339(client: httpx.AsyncClient, db: str, tokens: Tokens) -> None:
    engine = create_async_engine(normalise_database_url(db))
    context: dict[str, Any] = {}
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            await demo.seed_demo(session, context)
    finally:
        await engine.dispose()
    admin = tokens.admin()
    atasan = next(a["nip"] for a in context["demo_accounts"] if a["username"] == "atasan.bkd")
    evaluations = (await client.get("/v1/evaluations?limit=200", headers=admin)).json()["items"]
    final = next(e for e in evaluations if e["status"] == "FINAL")
    skps = (await client.get(f"/v1/skp?nip={atasan}", headers=tokens.pegawai(atasan))).json()["items"]
    audit = (await client.get("/v1/audit?entity=evaluation&limit=200", headers=admin)).json()
    # The stored audit text keeps the old spelling (its hash covers it); the answer does not.
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        stored = await conn.fetchval(
            "SELECT after::text FROM kinerja.audit_entry WHERE after::text ~ ' \\d{2}:\\d{2}:' LIMIT 1"
        )
    finally:
        await conn.close()
    assert stored is not None
    answers: dict[str, Any] = {
        "changes": (await client.get("/v1/changes?limit=200", headers=admin)).json(),
        "audit": audit,
        "audit_skp": (await client.get("/v1/audit?entity=skp&limit=200", headers=admin)).json(),
        "evaluations": evaluations,
        "evaluation": (await client.get(f"/v1/evaluations/{final['id']}", headers=admin)).json(),
        "skp": (await client.get(f"/v1/skp/{skps[0]['id']}", headers=tokens.pegawai(atasan))).json(),
        "employees": (await client.get("/v1/employees?limit=50", headers=admin)).json(),
        "tasks": (await client.get("/v1/me/tasks", headers=tokens.pegawai(atasan))).json(),
    }
    seen = [s for body in answers.values() for s in strings(body) if LOOKS_LIKE_A_TIMESTAMP.match(s)]
    assert any("finalized_at" in json.dumps(e["after"] or {}) for e in audit["items"])
    assert len(seen) > 10
    assert {name: bad_timestamps(body) for name, body in answers.items()} == {key: [] for key in answers}
    assert (await client.get("/v1/audit/verify", headers=admin)).json()["valid"] is True
