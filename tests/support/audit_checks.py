"""Checks every app's audit tests share: the entries about one record, a chain that verifies, and a row
rewritten behind the app's back that ``/audit/verify`` names."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from tests.support.fixtures import plain_dsn


async def entries(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], entity: str, entity_id: str
) -> list[dict[str, Any]]:
    """The audit entries about one record, in chain order."""
    resp = await client.get(path, params={"entity": entity, "entity_id": entity_id}, headers=headers)
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


async def verify(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """The chain check's answer."""
    resp = await client.get(f"{path}/verify", headers=headers)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def tamper_and_verify(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], database_url: str, schema: str, seq: int
) -> dict[str, Any]:
    """Rewrite entry ``seq``'s actor directly in the database (its hash left alone) and check the chain."""
    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        await conn.execute(f"UPDATE {schema}.audit_entry SET actor = 'someone-else' WHERE seq = $1", seq)
    finally:
        await conn.close()
    return await verify(client, path, headers)


async def readers_only(
    client: httpx.AsyncClient, path: str, refused: list[dict[str, str]], admitted: list[dict[str, str]]
) -> None:
    """No token: 401; each of ``refused``: 403; each of ``admitted``: 200, on both audit routes."""
    for route in (path, f"{path}/verify"):
        assert (await client.get(route)).status_code == 401
        for headers in refused:
            resp = await client.get(route, headers=headers)
            assert resp.status_code == 403, (route, resp.text)
            assert resp.headers["content-type"] == "application/problem+json"
        for headers in admitted:
            assert (await client.get(route, headers=headers)).status_code == 200
