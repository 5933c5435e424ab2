"""Issue 14 finding 4: an integrator reads people's rows (NIPs, names) only with the scope
``kinerja:individual``; without it, aggregates. Behaviour notes never leave through the change log, scope or
not. Sent as an integrator's client token would be (the gateway puts the granted scopes in ``scope``)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.common.auth import Role, Scope
from tests.kinerja.test_evaluations_seed import Seeder, evaluate
from tests.support.fixtures import Tokens
from tests.support.kinerja_seed import reporting_line

A, S = "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI"
NOTES = {"AKUNTABEL": "Sering terlambat menyerahkan laporan; dibicarakan empat mata."}


@pytest.fixture
async def team(seed: Seeder) -> dict[str, Any]:
    return await reporting_line(seed, "DINKES", head=100, boss=101, staff=(110, 111, 112))


def integrator(tokens: Tokens, *scopes: str) -> dict[str, str]:
    return tokens.headers("cl_bappeda", [Role.INTEGRATOR], scope=" ".join(scopes) or None)


async def test_without_the_scope_an_integrator_reads_aggregates_only(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder, team: dict[str, Any]
) -> None:
    staff = team["staff"][0]
    ev = await evaluate(client, tokens.pegawai(team["boss"]), staff, A, S, notes=NOTES)
    skp = await seed.conn.fetchval("SELECT id FROM kinerja.skp WHERE nip = $1 AND year = 2026", staff)
    bare = integrator(tokens)
    other_scope = integrator(tokens, Scope.PELATIHAN_INDIVIDUAL)  # pelatihan's grant opens nothing here

    for who in (bare, other_scope):
        for url in ("/v1/employees", "/v1/skp", "/v1/evaluations", "/v1/changes"):
            resp = await client.get(url, headers=who)
            assert resp.status_code == 403, (url, resp.text)
            assert "kinerja:individual" in resp.json()["detail"]
        siasn = await client.get("/v1/reports/siasn-kinerja?period=2026-Q1", headers=who)
        assert siasn.status_code == 403
        for url in (f"/v1/employees/{staff}", f"/v1/evaluations/{ev['id']}", f"/v1/skp/{skp}"):
            assert (await client.get(url, headers=who)).status_code == 404, url
        # Aggregates stay open: the distribution and the compliance counts, without the rows.
        dist = await client.get(
            f"/v1/reports/predikat-distribution?period=2026-Q1&unit_id={team['unit']}", headers=who
        )
        assert dist.status_code == 200
        assert dist.json()["total"] == 1
        report = await client.get(
            f"/v1/reports/compliance?period=2026-Q1&unit_id={team['unit']}", headers=who
        )
        assert report.status_code == 200, report.text
        body = report.json()
        assert body["headcount"] == 5
        assert body["counts"]["evaluated"] == 1
        assert body["items"] == []
        assert body["individuals_withheld"] is True
        assert staff not in report.text
        as_csv = await client.get(
            f"/v1/reports/compliance?period=2026-Q1&unit_id={team['unit']}",
            headers={**who, "Accept": "text/csv"},
        )
        assert as_csv.status_code == 200
        assert staff not in as_csv.text


async def test_with_the_scope_an_integrator_reads_people(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder, team: dict[str, Any]
) -> None:
    staff = team["staff"][0]
    ev = await evaluate(client, tokens.pegawai(team["boss"]), staff, A, S, notes=NOTES)
    granted = integrator(tokens, Scope.KINERJA_INDIVIDUAL)
    for url in (
        "/v1/employees",
        "/v1/evaluations",
        "/v1/changes",
        "/v1/reports/siasn-kinerja?period=2026-Q1",
    ):
        assert (await client.get(url, headers=granted)).status_code == 200, url
    assert (await client.get(f"/v1/employees/{staff}", headers=granted)).status_code == 200
    read = await client.get(f"/v1/evaluations/{ev['id']}", headers=granted)
    assert read.status_code == 200
    report = (
        await client.get(f"/v1/reports/compliance?period=2026-Q1&unit_id={team['unit']}", headers=granted)
    ).json()
    assert report["individuals_withheld"] is False
    assert {i["nip"] for i in report["items"]} >= set(team["staff"][1:])


async def test_behaviour_notes_never_leave_through_the_change_log(
    client: httpx.AsyncClient, tokens: Tokens, team: dict[str, Any]
) -> None:
    staff = team["staff"][0]
    ev = await evaluate(client, tokens.pegawai(team["boss"]), staff, A, S, notes=NOTES)
    granted = integrator(tokens, Scope.KINERJA_INDIVIDUAL)
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = await client.get(
            "/v1/changes", params={"limit": 100, **({"cursor": cursor} if cursor else {})}, headers=granted
        )
        assert page.status_code == 200
        seen.extend(page.json()["items"])
        cursor = page.json()["next_cursor"]
        if not page.json()["has_more"]:
            break
    mine = [e for e in seen if e["entity"] == "evaluation" and e["id"] == ev["id"]]
    assert len(mine) >= 3  # create, rate, finalise
    for entry in mine:
        assert "behavior_notes" not in entry["data"]
        assert "terlambat" not in str(entry["data"])
    assert mine[-1]["data"]["status"] == "FINAL"
    # The admins' audit keeps them.
    audit = await client.get(
        "/v1/audit", params={"entity": "evaluation", "entity_id": ev["id"]}, headers=tokens.admin()
    )
    assert audit.status_code == 200, audit.text
    assert "terlambat" in audit.text
