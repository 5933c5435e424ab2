"""Reading a change log back: page through ``/v1/changes`` and rebuild the state it describes (kinerja and
pelatihan both serve one), and compare a migration's backfill with the rows the app logged live."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
import httpx

from tests.support.fixtures import plain_dsn

State = dict[tuple[str, str], dict[str, Any]]


async def read_all(
    client: httpx.AsyncClient, headers: dict[str, str], cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str]:
    entries: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = await client.get("/v1/changes", params=params, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        entries.extend(body["items"])
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return entries, str(cursor)


def rebuild(entries: list[dict[str, Any]], state: State | None = None) -> State:
    state = dict(state or {})
    for e in entries:
        key = (e["entity"], e["id"])
        if e["op"] == "DELETE":
            state.pop(key, None)
        else:
            state[key] = e["data"]
    return state


ROOT = Path(__file__).resolve().parents[2]


def migration(path: str) -> ModuleType:
    """A migration module loaded by path (its folder is not a package)."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, ROOT / path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def live_and_backfilled(
    db: str, schema: str, statements: list[str]
) -> tuple[dict[tuple[str, str], Any], list[tuple[str, str, Any]]]:
    """The latest logged ``data`` per entity, and the rows the backfill writes into an emptied log."""
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        live: dict[tuple[str, str], Any] = {}
        for r in await conn.fetch(
            f"SELECT entity, entity_id, op, data::text AS d FROM {schema}.change_log ORDER BY seq"
        ):
            key = (r["entity"], r["entity_id"])
            if r["op"] == "DELETE":
                live.pop(key, None)
            else:
                live[key] = json.loads(r["d"])
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.execute(f"DELETE FROM {schema}.change_log")
            for statement in statements:
                await conn.execute(statement)
            rows = await conn.fetch(
                f"SELECT entity, entity_id, data::text AS d FROM {schema}.change_log ORDER BY seq"
            )
        finally:
            await tx.rollback()
    finally:
        await conn.close()
    return live, [(r["entity"], r["entity_id"], json.loads(r["d"])) for r in rows]
