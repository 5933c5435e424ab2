"""Transfers inside a period (issue 15, domain.md §11.1) through the API on real PostgreSQL: one result per
person and period with a predikat, earlier supervisors' parts without one (A->B->A gives A two parts), the
result locked while a part is DRAFT, a leaver's part closed by an admin, a transfer refused inside a FINAL
period, and the race between the two."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
import pytest

from tests.kinerja.test_evaluations_seed import Seeder, new_evaluation, rate
from tests.support.anchoring import anchored_body, main_results
from tests.support.fixtures import Tokens

A, S = "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI"


@pytest.fixture
async def line(seed: Seeder) -> dict[str, Any]:
    """HEAD <- {BOSS, OTHER_BOSS}; BOSS <- STAFF, all in one unit."""
    unit = await seed.unit("BKD")
    head = await seed.employee(seed.nip(1), unit, None, position_type="JPT")
    boss = await seed.employee(seed.nip(2), unit, head, position_type="ADMINISTRATOR")
    other_boss = await seed.employee(seed.nip(5), unit, head, position_type="ADMINISTRATOR")
    staff = await seed.employee(seed.nip(3), unit, boss)
    await seed.anchor()
    return {"unit": unit, "head": head, "boss": boss, "other_boss": other_boss, "staff": staff}


async def _part(
    client: httpx.AsyncClient, who: dict[str, str], result_id: str, **body: Any
) -> dict[str, Any]:
    resp = await client.post(f"/v1/evaluations/{result_id}/parts", json=body, headers=who)
    assert resp.status_code == 201, resp.text
    out: dict[str, Any] = resp.json()
    return out


async def _rate_and_finalize_part(
    client: httpx.AsyncClient, who: dict[str, str], part: dict[str, Any]
) -> dict[str, Any]:
    url = f"/v1/evaluations/{part['result_id']}/parts/{part['id']}"
    resp = await client.patch(
        url,
        json=anchored_body(await main_results(client, who, part["id"]), S, S),
        headers={**who, "If-Match": f'"{part["version"]}"'},
    )
    assert resp.status_code == 200, resp.text
    done = await client.post(f"{url}/finalize", headers=who)
    assert done.status_code == 200, done.text
    out: dict[str, Any] = done.json()
    return out


async def test_a_b_a_one_result_and_parts_counted_once(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder, line: dict[str, Any]
) -> None:
    staff, boss, other = line["staff"], line["boss"], line["other_boss"]
    for on, sup in ((1, other), (20, boss)):
        await seed.transfer(staff, sup, line["unit"], date(2026, 2, on))
    await seed.transfer(staff, other, line["unit"], date(2026, 3, 10))
    b, o = tokens.pegawai(boss), tokens.pegawai(other)
    result = await new_evaluation(client, o, staff)
    assert (result["evaluator_nip"], result["period_start"]) == (other, "2026-03-10")
    first = await _part(client, b, result["id"])
    second = await _part(client, b, result["id"])
    middle = await _part(client, o, result["id"])
    assert [(p["period_start"], p["period_end"]) for p in (first, second, middle)] == [
        ("2026-01-01", "2026-01-31"),
        ("2026-02-20", "2026-03-09"),
        ("2026-02-01", "2026-02-19"),
    ]
    assert (await client.post(f"/v1/evaluations/{result['id']}/parts", json={}, headers=b)).status_code == 409
    # A part is not a result: /v1/evaluations/{part} is 404, and no objection can be lodged against it.
    assert (await client.get(f"/v1/evaluations/{first['id']}", headers=b)).status_code == 404
    # The result's evaluator sees every part; the former supervisor only theirs.
    listed = await client.get(f"/v1/evaluations/{result['id']}/parts", headers=o)
    assert len(listed.json()["items"]) == 3
    theirs = await client.get(f"/v1/evaluations/{result['id']}/parts", headers=b)
    assert {p["id"] for p in theirs.json()["items"]} == {first["id"], second["id"]}
    result = await rate(client, o, result, A, A)
    blocked = await client.post(f"/v1/evaluations/{result['id']}/finalize", headers=o)
    assert blocked.status_code == 409
    assert "DRAFT" in blocked.json()["detail"]
    for who, part in ((b, first), (b, second), (o, middle)):
        done = await _rate_and_finalize_part(client, who, part)
        assert (done["status"], done["predikat"]) == ("FINAL", None)
    final = await client.post(f"/v1/evaluations/{result['id']}/finalize", headers=o)
    assert final.status_code == 200, final.text
    assert final.json()["predikat"] == "SANGAT_BAIK"
    assert final.json()["decider_nip"] == line["head"]
    # Counted once: the list, ?predikat= and the distribution curve.
    admin = tokens.admin()
    items = (await client.get("/v1/evaluations?period=2026-Q1", headers=admin)).json()["items"]
    assert [e["id"] for e in items] == [result["id"]]
    sb = await client.get("/v1/evaluations?period=2026-Q1&predikat=SANGAT_BAIK", headers=admin)
    assert len(sb.json()["items"]) == 1
    curve = await client.get("/v1/reports/predikat-distribution?period=2026-Q1", headers=admin)
    assert curve.json()["total"] == 1, curve.text


async def test_leaver_part_is_closed_by_admin(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder, line: dict[str, Any]
) -> None:
    staff, boss, other = line["staff"], line["boss"], line["other_boss"]
    await seed.transfer(staff, other, line["unit"], date(2026, 2, 15))
    b, o = tokens.pegawai(boss), tokens.pegawai(other)
    result = await rate(client, o, await new_evaluation(client, o, staff), S, S)
    part = await _part(client, b, result["id"])
    url = f"/v1/evaluations/{result['id']}/parts/{part['id']}"
    admin = tokens.admin()
    early = await client.post(f"{url}/close", json={"reason": "left"}, headers=admin)
    assert early.status_code == 409  # the author is still active: they finalise it themselves
    await seed.conn.execute("UPDATE kinerja.employee SET active = false WHERE nip = $1", boss)
    # Someone who left the service cannot act, whatever their token says.
    gone = await client.patch(url, json={"result_rating": S}, headers={**b, "If-Match": '"1"'})
    assert gone.status_code == 403
    assert gone.json()["type"].endswith("left-the-service")
    assert (await client.post(f"/v1/evaluations/{result['id']}/finalize", headers=o)).status_code == 409
    closed = await client.post(f"{url}/close", json={"reason": "pensiun 1 Maret"}, headers=admin)
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["closed_reason"]) == ("FINAL", "pensiun 1 Maret")
    assert (await client.post(f"/v1/evaluations/{result['id']}/finalize", headers=o)).status_code == 200


async def _patch_line(
    client: httpx.AsyncClient, tokens: Tokens, nip: str, supervisor: str, on: str
) -> httpx.Response:
    admin = tokens.admin()
    etag = (await client.get(f"/v1/employees/{nip}", headers=admin)).headers["ETag"]
    return await client.patch(
        f"/v1/employees/{nip}",
        json={"supervisor_nip": supervisor, "effective_on": on},
        headers={**admin, "If-Match": etag},
    )


async def test_transfer_inside_a_final_period_is_refused_until_reopened(
    client: httpx.AsyncClient, tokens: Tokens, line: dict[str, Any]
) -> None:
    staff, b = line["staff"], tokens.pegawai(line["boss"])
    result = await rate(client, b, await new_evaluation(client, b, staff, "2026-Q1"), S, S)
    assert (await client.post(f"/v1/evaluations/{result['id']}/finalize", headers=b)).status_code == 200
    refused = await _patch_line(client, tokens, staff, line["other_boss"], "2026-03-15")
    assert refused.status_code == 409, refused.text
    assert "2026-Q1" in refused.json()["detail"]
    reopened = await client.post(
        f"/v1/evaluations/{result['id']}/reopen", json={"reason": "mutasi 15 Maret"}, headers=tokens.admin()
    )
    assert reopened.status_code == 200
    moved = await _patch_line(client, tokens, staff, line["other_boss"], "2026-03-15")
    assert moved.status_code == 200, moved.text
    # The old draft is no longer the supervisor of record's: finalising it is refused.
    stale = await client.post(f"/v1/evaluations/{result['id']}/finalize", headers=b)
    assert stale.status_code == 409
    assert stale.json()["type"].endswith("reporting-line-changed")


async def test_retroactive_transfer_races_finalisation(
    client: httpx.AsyncClient, tokens: Tokens, line: dict[str, Any]
) -> None:
    staff, b = line["staff"], tokens.pegawai(line["boss"])
    result = await rate(client, b, await new_evaluation(client, b, staff, "2026-Q1"), S, S)
    admin = tokens.admin()
    etag = (await client.get(f"/v1/employees/{staff}", headers=admin)).headers["ETag"]
    finalize, transfer = await asyncio.gather(
        client.post(f"/v1/evaluations/{result['id']}/finalize", headers=b),
        client.patch(
            f"/v1/employees/{staff}",
            json={"supervisor_nip": line["other_boss"], "effective_on": "2026-03-15"},
            headers={**admin, "If-Match": etag},
        ),
    )
    assert sorted([finalize.status_code, transfer.status_code]) == [200, 409], (finalize.text, transfer.text)
    now = (await client.get(f"/v1/evaluations/{result['id']}", headers=admin)).json()
    assert (now["status"] == "FINAL") == (finalize.status_code == 200)
