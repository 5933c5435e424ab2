"""Hostile input: oversized bodies (413), deeply nested JSON (a 4xx, no crash), huge ``limit`` values (422),
undecodable bodies (422), and SQL or HTML in every string field of the create endpoints (a 4xx with nothing
stored, or stored verbatim: never executed)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest

from services.common.apps import SERVICE_NAMES
from tests.support.fixtures import plain_dsn
from tests.support.seeded import Seeded

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ATTACKS = [
    "'; DROP TABLE kinerja.unit; --",
    "' OR '1'='1",
    "1); DELETE FROM gateway.account; --",
    '<script>alert("x")</script>',
    "\"><img src=x onerror=alert('x')>",
    "&lt;b&gt; ]]> <![CDATA[x]]>",
    "\x00nul",
    "${7*7} {{7*7}} %s%n",
]


def db_fetchval(url: str, sql: str, *args: Any) -> Any:
    async def go() -> Any:
        conn = await asyncpg.connect(plain_dsn(url))
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()

    return asyncio.run(go())


def rows_containing(url: str, table: str, marker: str) -> int:
    return int(db_fetchval(url, f"SELECT count(*) FROM {table} t WHERE t::text LIKE $1", f"%{marker}%"))


def assert_alive(s: Seeded) -> None:
    for app in ("gateway", *SERVICE_NAMES):
        proc = s.stack.procs[app][0]
        assert proc.popen is not None
        assert proc.popen.poll() is None, f"{app} died; see {proc.log_path}"
        assert httpx.get(proc.url + "/healthz", timeout=5).status_code == 200


def test_oversized_bodies_get_413_on_every_app(seeded: Seeded) -> None:
    big = b'{"name": "' + b"x" * 3_000_000 + b'"}'
    targets = {
        "gateway /auth/accounts": seeded.url + "/auth/accounts",
        "gateway -> kinerja": seeded.url + "/kinerja/v1/units",
        "gateway -> pelatihan": seeded.url + "/pelatihan/v1/institutions",
        "gateway -> publik": seeded.url + "/publik/v1/surveys",
        "kinerja direct": seeded.stack.procs["kinerja"][0].url + "/v1/units",
        "pelatihan direct": seeded.stack.procs["pelatihan"][0].url + "/v1/institutions",
        "publik direct": seeded.stack.procs["publik"][0].url + "/v1/surveys",
    }
    statuses = {}
    for label, url in targets.items():
        # Declared length and chunked (no length): both are refused while being read.
        declared = httpx.post(
            url, content=big, headers={**seeded.headers("admin"), "content-type": "application/json"}
        )

        def chunks() -> Any:
            for _ in range(300):
                yield b"x" * 10_000

        chunked = httpx.post(url, content=chunks(), headers=seeded.headers("admin"), timeout=30)
        statuses[label] = (declared.status_code, chunked.status_code)
        assert declared.headers["content-type"] == "application/problem+json"
    assert all(s == (413, 413) for s in statuses.values()), statuses
    assert_alive(seeded)


@pytest.mark.parametrize("depth", [1_000, 10_000, 100_000])
def test_deeply_nested_json_gets_a_4xx_and_nothing_crashes(seeded: Seeded, depth: int) -> None:
    body = ("[" * depth + "]" * depth).encode()
    obj = ('{"a":' * depth + "1" + "}" * depth).encode()
    headers = {**seeded.headers("admin"), "content-type": "application/json"}
    for path in ("/kinerja/v1/units", "/pelatihan/v1/institutions", "/publik/v1/surveys", "/auth/clients"):
        for payload in (body, obj):
            resp = httpx.post(seeded.url + path, content=payload, headers=headers, timeout=30)
            assert 400 <= resp.status_code < 500, (path, depth, resp.status_code, resp.text[:200])
    assert_alive(seeded)


def test_undecodable_body_is_a_422(seeded: Seeded) -> None:
    headers = {**seeded.headers("admin"), "content-type": "application/json"}
    resp = httpx.post(seeded.url + "/kinerja/v1/units", content=b"\xff\xfe\x00{", headers=headers)
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["errors"][0]["loc"][0] == "body"
    resp = httpx.post(seeded.url + "/kinerja/v1/units", content=b'{"code": "\xff\xfe"}', headers=headers)
    assert resp.status_code == 422, resp.text


def test_huge_limit_values_get_422_on_every_list(seeded: Seeded) -> None:
    spec: dict[str, Any] = httpx.get(seeded.url + "/openapi.json", timeout=10).json()
    lists = [
        path
        for path, item in spec["paths"].items()
        if "get" in item and any(p.get("name") == "limit" for p in item["get"].get("parameters", []))
    ]
    assert len(lists) >= 15
    nip = seeded.nips["pegawai"]
    bad: dict[str, list[int]] = {}
    for path in lists:
        url = seeded.url + path.replace("{nip}", nip).replace("{session_id}", str(uuid.uuid4()))
        got = []
        for value in ("201", "1000000", "99999999999999999999999", "-1", "0", "1e9", "NaN"):
            resp = httpx.get(url, params={"limit": value}, headers=seeded.headers("admin"), timeout=10)
            got.append(resp.status_code)
        if any(code != 422 for code in got):
            bad[path] = got
    assert not bad, bad


Body = Callable[[Seeded, str], dict[str, Any]]


def _unit(s: Seeded, text: str) -> dict[str, Any]:
    return {"code": f"SEC-{uuid.uuid4().hex[:8]}", "name": text}


def _institution(s: Seeded, text: str) -> dict[str, Any]:
    return {"name": text, "kind": "LAINNYA"}


def _innovation(s: Seeded, text: str) -> dict[str, Any]:
    return {"unit_id": _a_unit(s), "title": text, "description": text, "launched_on": "2026-01-05"}


def _survey(s: Seeded, text: str) -> dict[str, Any]:
    unit = _a_unit(s)
    token = httpx.post(s.url + "/publik/v1/surveys/form-token", json={"unit_id": unit}, timeout=10)
    assert token.status_code == 201, token.text
    return {"unit_id": unit, "answers": [3] * 9, "comment": text, "form_token": token.json()["token"]}


def _client(s: Seeded, text: str) -> dict[str, Any]:
    return {"name": text, "roles": ["integrator"]}


def _account(s: Seeded, text: str) -> dict[str, Any]:
    return {"username": text, "password": "a-long-password-123", "roles": ["pegawai"]}


_UNIT_CACHE: dict[str, str] = {}


def _a_unit(s: Seeded) -> str:
    if "id" not in _UNIT_CACHE:
        items = httpx.get(s.url + "/kinerja/v1/units", headers=s.headers("admin"), timeout=10).json()["items"]
        _UNIT_CACHE["id"] = items[0]["id"]
    return _UNIT_CACHE["id"]


# (path, body builder with the text in its string fields, table to search, field overrides to try one by one)
CREATES: list[tuple[str, Body, str, list[str]]] = [
    ("/kinerja/v1/units", _unit, "kinerja.unit", ["name", "code"]),
    ("/pelatihan/v1/institutions", _institution, "pelatihan.institution", ["name", "kind"]),
    ("/publik/v1/innovations", _innovation, "publik.item", ["title", "description", "url", "launched_on"]),
    ("/publik/v1/surveys", _survey, "publik.survey_response", ["comment", "unit_id"]),
    ("/auth/clients", _client, "gateway.api_client", ["name"]),
    ("/auth/accounts", _account, "gateway.account", ["username", "password"]),
]


@pytest.mark.parametrize(("path", "build", "table", "fields"), CREATES, ids=[c[0] for c in CREATES])
def test_sql_and_html_in_every_string_field(
    seeded: Seeded, path: str, build: Body, table: str, fields: list[str]
) -> None:
    before_units = int(db_fetchval(seeded.database_url, "SELECT count(*) FROM kinerja.unit"))
    outcomes: dict[str, int] = {}
    for field in fields:
        for attack in ATTACKS:
            marker = f"mk{uuid.uuid4().hex[:10]}"
            text = marker + attack
            body = build(seeded, "plain text")
            body[field] = text
            resp = httpx.post(seeded.url + path, json=body, headers=seeded.headers("admin"), timeout=15)
            outcomes[f"{field}:{attack[:12]}"] = resp.status_code
            assert resp.status_code < 500, (path, field, attack, resp.status_code, resp.text[:300])
            stored = rows_containing(seeded.database_url, table, marker)
            if resp.status_code >= 400:
                assert resp.headers["content-type"] == "application/problem+json"
                assert stored == 0, f"{path} {field}: {resp.status_code} but {stored} row(s) stored"
            else:
                # Stored as data, verbatim (parameterised SQL), and echoed as JSON text, not markup.
                assert stored >= 1, (path, field, attack)
                assert resp.headers["content-type"].startswith("application/json")
                if field in resp.json():
                    assert resp.json()[field] == text
    # Nothing was executed: the tables the SQL tried to drop or empty are all there.
    assert int(db_fetchval(seeded.database_url, "SELECT count(*) FROM kinerja.unit")) >= before_units
    assert int(db_fetchval(seeded.database_url, "SELECT count(*) FROM gateway.account")) > 0
    assert_alive(seeded)


def test_a_write_is_committed_before_its_answer(seeded: Seeded) -> None:
    """Found by the longer fuzz run: the session committed after the response was sent, so a client that
    repeated a create at once collided with the uncommitted row (500 instead of 409) and a read right after
    a 201 could miss the row."""
    admin = seeded.headers("admin")
    statuses: list[tuple[int, int, int]] = []
    with httpx.Client(base_url=seeded.url, timeout=10) as c:
        for _ in range(40):
            name = f"Commit {uuid.uuid4().hex[:10]}"
            first = c.post(
                "/pelatihan/v1/institutions", json={"name": name, "kind": "LAINNYA"}, headers=admin
            )
            again = c.post(
                "/pelatihan/v1/institutions", json={"name": name, "kind": "LAINNYA"}, headers=admin
            )
            code = f"CM-{uuid.uuid4().hex[:8]}"
            unit = c.post("/kinerja/v1/units", json={"code": code, "name": "Commit"}, headers=admin)
            read = c.get(f"/kinerja/v1/units/{unit.json()['id']}", headers=admin)
            statuses.append((first.status_code, again.status_code, read.status_code))
    assert set(statuses) == {(201, 409, 200)}, sorted(set(statuses))
