"""Evaluations through the API on real PostgreSQL: the nine predikat cells, who is refused, a mid-quarter
transfer, ETags, concurrent finalisation, reopen with audit, acknowledgement and objections."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
import pytest

from services.common.auth import Role
from tests.kinerja.test_evaluations_seed import Seeder, connect, evaluate, new_evaluation, rate
from tests.support.anchoring import anchored_body, main_results
from tests.support.fixtures import Tokens

A, S, B = "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"


@pytest.fixture
async def line(seed: Seeder) -> dict[str, Any]:
    """HEAD (JPT, no supervisor) <- BOSS <- {STAFF, STAFF2}; OTHER_BOSS <- OTHER, all in one unit."""
    unit = await seed.unit("BKD")
    head = await seed.employee(seed.nip(1), unit, None, position_type="JPT")
    boss = await seed.employee(seed.nip(2), unit, head, position_type="ADMINISTRATOR")
    staff = await seed.employee(seed.nip(3), unit, boss)
    staff2 = await seed.employee(seed.nip(4), unit, boss)
    other_boss = await seed.employee(seed.nip(5), unit, head, position_type="ADMINISTRATOR")
    other = await seed.employee(seed.nip(6), unit, other_boss)
    await seed.anchor()
    return {
        "unit": unit,
        "head": head,
        "boss": boss,
        "staff": staff,
        "staff2": staff2,
        "other_boss": other_boss,
        "other": other,
    }


MATRIX = [
    (A, B, "KURANG"),
    (A, S, "BAIK"),
    (A, A, "SANGAT_BAIK"),
    (S, B, "KURANG"),
    (S, S, "BAIK"),
    (S, A, "BAIK"),
    (B, B, "SANGAT_KURANG"),
    (B, S, "BUTUH_PERBAIKAN"),
    (B, A, "BUTUH_PERBAIKAN"),
]


@pytest.mark.parametrize(("result", "behavior", "expected"), MATRIX)
async def test_predikat_matrix_cell(
    client: httpx.AsyncClient, tokens: Tokens, line: dict[str, Any], result: str, behavior: str, expected: str
) -> None:
    boss = tokens.pegawai(line["boss"])
    ev = await evaluate(client, boss, line["staff"], result, behavior)
    assert ev["status"] == "FINAL"
    assert ev["predikat"] == expected
    assert ev["finalized_at"] is not None


async def test_who_is_refused(client: httpx.AsyncClient, tokens: Tokens, line: dict[str, Any]) -> None:
    staff = line["staff"]
    body = {"nip": staff, "period": "2026-Q1"}
    # Nobody evaluates themselves.
    own = await client.post(
        "/v1/evaluations", json={"nip": staff, "period": "2026-Q1"}, headers=tokens.pegawai(staff)
    )
    assert own.status_code == 403
    assert own.headers["content-type"] == "application/problem+json"
    # Another supervisor, and the supervisor's own supervisor, are not the direct supervisor.
    for who in (line["other_boss"], line["head"], line["staff2"]):
        resp = await client.post("/v1/evaluations", json=body, headers=tokens.pegawai(who))
        assert resp.status_code == 403, (who, resp.text)
    # An admin does not replace a supervisor who exists.
    assert (await client.post("/v1/evaluations", json=body, headers=tokens.admin())).status_code == 403
    ev = await new_evaluation(client, tokens.pegawai(line["boss"]), staff)
    assert ev["evaluator_nip"] == line["boss"]
    assert ev["on_behalf"] is None
    assert (ev["period_start"], ev["period_end"]) == ("2026-01-01", "2026-03-31")
    # A second one by the same evaluator is a conflict.
    dup = await client.post("/v1/evaluations", json=body, headers=tokens.pegawai(line["boss"]))
    assert dup.status_code == 409
    # Reading: the employee, the evaluator, the evaluator's supervisor, admin and integrator; others 404.
    url = f"/v1/evaluations/{ev['id']}"
    for who in (staff, line["boss"], line["head"]):
        assert (await client.get(url, headers=tokens.pegawai(who))).status_code == 200, who
    assert (await client.get(url, headers=tokens.admin())).status_code == 200
    assert (
        await client.get(
            url, headers=tokens.headers("bkn-sync", [Role.INTEGRATOR], scope="kinerja:individual")
        )
    ).status_code == 200
    for who in (line["staff2"], line["other"], line["other_boss"]):
        assert (await client.get(url, headers=tokens.pegawai(who))).status_code == 404, who
    # Only the evaluator writes; the employee cannot rate themselves.
    resp = await client.patch(
        url, json={"result_rating": A}, headers={**tokens.pegawai(staff), "If-Match": '"1"'}
    )
    assert resp.status_code == 403
    assert (await client.post(f"{url}/finalize", headers=tokens.pegawai(line["head"]))).status_code == 403
    # Unknown employee, future period, malformed period.
    unknown = {"nip": "199912312020121001", "period": "2026-Q1"}
    assert (await client.post("/v1/evaluations", json=unknown, headers=tokens.admin())).status_code == 404
    future = {"nip": staff, "period": "2099-Q1"}
    assert (
        await client.post("/v1/evaluations", json=future, headers=tokens.pegawai(line["boss"]))
    ).status_code == 409
    bad = {"nip": staff, "period": "2026-Q5"}
    assert (
        await client.post("/v1/evaluations", json=bad, headers=tokens.pegawai(line["boss"]))
    ).status_code == 422
    # Listing is visibility-filtered.
    listed = await client.get("/v1/evaluations?period=2026-Q1", headers=tokens.pegawai(line["other"]))
    assert listed.json()["items"] == []
    listed = await client.get("/v1/evaluations?period=2026-Q1", headers=tokens.pegawai(line["head"]))
    assert [e["id"] for e in listed.json()["items"]] == [ev["id"]]


async def test_unit_head_is_evaluated_by_admin_for_the_governor(
    client: httpx.AsyncClient, tokens: Tokens, db: str, line: dict[str, Any]
) -> None:
    head = line["head"]
    assert (
        await client.post(
            "/v1/evaluations", json={"nip": head, "period": "2026-Q2"}, headers=tokens.pegawai(line["boss"])
        )
    ).status_code == 403
    ev = await evaluate(client, tokens.admin(), head, S, A, period="2026-Q2")
    assert ev["evaluator_nip"] is None
    assert ev["on_behalf"] == "GUBERNUR"
    assert ev["predikat"] == "BAIK"
    s = await connect(db)
    try:
        rows = await s.conn.fetch(
            "SELECT action, actor, on_behalf_of FROM kinerja.audit_entry WHERE entity_id = $1 ORDER BY seq",
            ev["id"],
        )
    finally:
        await s.conn.close()
    assert [r["action"] for r in rows] == ["evaluation.create", "evaluation.update", "evaluation.finalize"]
    assert all(r["on_behalf_of"] == "GUBERNUR" and r["actor"] == "admin" for r in rows)


async def test_mid_quarter_transfer_one_result_and_a_part(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder, line: dict[str, Any]
) -> None:
    # Issue 15 changed this rule: a transfer no longer gives two results (one per supervisor, each with a
    # predikat) but one result by the supervisor of record at the period's end, and a part for the other.
    staff, boss, new_boss = line["staff"], line["boss"], line["other_boss"]
    # Moved to OTHER_BOSS's team (another unit) on 15 February 2026.
    unit2 = await seed.unit("BKD.MUT", line["unit"])
    await seed.transfer(staff, new_boss, unit2, date(2026, 2, 15))
    # The former supervisor may open the result, but it is the new supervisor's.
    result = await new_evaluation(client, tokens.pegawai(boss), staff)
    assert (result["kind"], result["evaluator_nip"]) == ("RESULT", new_boss)
    assert (result["period_start"], result["period_end"]) == ("2026-02-15", "2026-03-31")
    assert result["unit_id"] == str(unit2)
    dup = await client.post(
        "/v1/evaluations", json={"nip": staff, "period": "2026-Q1"}, headers=tokens.pegawai(new_boss)
    )
    assert dup.status_code == 409
    part = await client.post(f"/v1/evaluations/{result['id']}/parts", json={}, headers=tokens.pegawai(boss))
    assert part.status_code == 201, part.text
    first = part.json()
    assert (first["kind"], first["result_id"], first["evaluator_nip"]) == ("PART", result["id"], boss)
    assert (first["period_start"], first["period_end"]) == ("2026-01-01", "2026-02-14")
    assert first["unit_id"] == str(line["unit"])
    # The new supervisor has no earlier stretch: no part for them.
    mine = await client.post(
        f"/v1/evaluations/{result['id']}/parts", json={}, headers=tokens.pegawai(new_boss)
    )
    assert mine.status_code == 403
    # Q2 belongs to the new supervisor only.
    q2 = await client.post(
        "/v1/evaluations", json={"nip": staff, "period": "2026-Q2"}, headers=tokens.pegawai(boss)
    )
    assert q2.status_code == 403
    await new_evaluation(client, tokens.pegawai(new_boss), staff, "2026-Q2")


async def test_if_match_stale_and_lock(
    client: httpx.AsyncClient, tokens: Tokens, line: dict[str, Any]
) -> None:
    boss = tokens.pegawai(line["boss"])
    ev = await new_evaluation(client, boss, line["staff"])
    url = f"/v1/evaluations/{ev['id']}"
    got = await client.get(url, headers=boss)
    assert got.headers["etag"] == '"1"'
    missing = await client.patch(url, json={"result_rating": A}, headers=boss)
    assert missing.status_code == 428
    ok = await client.patch(url, json={"result_rating": A}, headers={**boss, "If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.headers["etag"] == '"2"'
    stale = await client.patch(url, json={"behavior_rating": B}, headers={**boss, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["status"] == 412
    incomplete = await client.post(f"{url}/finalize", headers=boss)
    assert incomplete.status_code == 409
    notes: dict[str, Any] = {
        "KOLABORATIF": {"level": B, "note": "Jarang berbagi data."},
        "AKUNTABEL": "Tepat waktu.",
    }
    ok = await client.patch(
        url, json={"behavior_rating": S, "behavior_notes": notes}, headers={**boss, "If-Match": '"2"'}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["behavior_notes"]["AKUNTABEL"] == {"level": None, "note": "Tepat waktu."}
    bad_key = await client.patch(
        url, json={"behavior_notes": {"JUJUR": "x"}}, headers={**boss, "If-Match": '"3"'}
    )
    assert bad_key.status_code == 422
    too_long = await client.patch(
        url, json={"behavior_notes": {"LOYAL": "x" * 2001}}, headers={**boss, "If-Match": '"3"'}
    )
    assert too_long.status_code == 422
    # Issue 16: the main results and the seven BerAKHLAK levels are rated before finalising.
    unanchored = await client.post(f"{url}/finalize", headers={**boss, "If-Match": '"3"'})
    assert unanchored.status_code == 409
    anchored = anchored_body(await main_results(client, boss, ev["id"]), A, S, notes)
    ok = await client.patch(url, json=anchored, headers={**boss, "If-Match": '"3"'})
    assert ok.status_code == 200, ok.text
    final = await client.post(f"{url}/finalize", headers={**boss, "If-Match": '"4"'})
    assert final.status_code == 200, final.text
    assert final.json()["predikat"] == "BAIK"
    locked = await client.patch(url, json={"result_rating": B}, headers={**boss, "If-Match": '"5"'})
    assert locked.status_code == 409
    again = await client.post(f"{url}/finalize", headers=boss)
    assert again.status_code == 409


async def test_concurrent_finalize_one_final_one_conflict(
    client: httpx.AsyncClient, tokens: Tokens, line: dict[str, Any]
) -> None:
    boss = tokens.pegawai(line["boss"])
    ev = await new_evaluation(client, boss, line["staff"])
    await rate(client, boss, ev, A, A)
    url = f"/v1/evaluations/{ev['id']}/finalize"
    first, second = await asyncio.gather(client.post(url, headers=boss), client.post(url, headers=boss))
    assert sorted([first.status_code, second.status_code]) == [200, 409], (first.text, second.text)
    final = await client.get(f"/v1/evaluations/{ev['id']}", headers=boss)
    assert final.json()["status"] == "FINAL"
    assert final.json()["predikat"] == "SANGAT_BAIK"


async def test_reopen_is_admin_only_and_audited(
    client: httpx.AsyncClient, tokens: Tokens, db: str, line: dict[str, Any]
) -> None:
    boss = tokens.pegawai(line["boss"])
    ev = await evaluate(client, boss, line["staff"], B, S)
    url = f"/v1/evaluations/{ev['id']}"
    reason = {"reason": "Rating hasil kerja salah input."}
    assert (await client.post(f"{url}/reopen", json=reason, headers=boss)).status_code == 403
    assert (
        await client.post(f"{url}/reopen", json={"reason": ""}, headers=tokens.admin())
    ).status_code == 422
    reopened = await client.post(f"{url}/reopen", json=reason, headers=tokens.admin())
    assert reopened.status_code == 200, reopened.text
    body = reopened.json()
    assert body["status"] == "DRAFT"
    assert body["predikat"] is None
    assert body["reopened_count"] == 1
    assert (await client.post(f"{url}/reopen", json=reason, headers=tokens.admin())).status_code == 409
    fixed = await rate(client, boss, body, S, S)
    again = await client.post(f"{url}/finalize", headers=boss)
    assert again.status_code == 200
    assert again.json()["predikat"] == "BAIK"
    assert fixed["version"] < again.json()["version"]
    s = await connect(db)
    try:
        row = await s.conn.fetchrow(
            "SELECT actor, reason, before->>'status' AS b, after->>'status' AS a FROM kinerja.audit_entry"
            " WHERE entity_id = $1 AND action = 'evaluation.reopen'",
            ev["id"],
        )
    finally:
        await s.conn.close()
    assert row is not None
    assert (row["actor"], row["reason"], row["b"], row["a"]) == ("admin", reason["reason"], "FINAL", "DRAFT")


async def test_acknowledge_and_objection_decided_by_the_supervisors_supervisor(
    client: httpx.AsyncClient, tokens: Tokens, line: dict[str, Any]
) -> None:
    boss, staff, head = (
        tokens.pegawai(line["boss"]),
        tokens.pegawai(line["staff"]),
        tokens.pegawai(line["head"]),
    )
    draft = await new_evaluation(client, boss, line["staff2"])
    # Nothing to acknowledge or object to while DRAFT.
    assert (
        await client.post(
            f"/v1/evaluations/{draft['id']}/acknowledge", headers=tokens.pegawai(line["staff2"])
        )
    ).status_code == 409
    ev = await evaluate(client, boss, line["staff"], B, B)
    url = f"/v1/evaluations/{ev['id']}"
    assert (await client.post(f"{url}/acknowledge", headers=boss)).status_code == 403
    ack = await client.post(f"{url}/acknowledge", headers=staff)
    assert ack.status_code == 200
    assert ack.json()["acknowledged_at"] is not None
    # Only the employee objects; the reason is required.
    assert (
        await client.post(f"{url}/objections", json={"reason": "Tidak setuju."}, headers=boss)
    ).status_code == 403
    assert (await client.post(f"{url}/objections", json={}, headers=staff)).status_code == 422
    obj = await client.post(f"{url}/objections", json={"reason": "Target tercapai 110%."}, headers=staff)
    assert obj.status_code == 201, obj.text
    objection = obj.json()
    assert objection["status"] == "PENDING"
    dup = await client.post(f"{url}/objections", json={"reason": "Lagi."}, headers=staff)
    assert dup.status_code == 409
    decide = f"/v1/objections/{objection['id']}/decide"
    # The evaluator does not judge their own evaluation; an unrelated employee does not see it.
    assert (await client.post(decide, json={"accept": True}, headers=boss)).status_code == 403
    assert (
        await client.post(decide, json={"accept": True}, headers=tokens.pegawai(line["other"]))
    ).status_code == 404
    # The evaluator's supervisor sees it and decides.
    seen = await client.get(f"/v1/objections/{objection['id']}", headers=head)
    assert seen.status_code == 200
    # Accepting sets the ratings (issue 16): without them 422; the predikat is computed again, still FINAL.
    assert (await client.post(decide, json={"accept": True}, headers=head)).status_code == 422
    decided = await client.post(
        decide, json={"accept": True, "result_rating": S, "note": "Bukti valid."}, headers=head
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "ACCEPTED"
    assert decided.json()["decider_nip"] == line["head"]
    assert (await client.post(decide, json={"accept": False}, headers=head)).status_code == 409
    after = (await client.get(url, headers=staff)).json()
    assert (after["status"], after["result_rating"], after["predikat"]) == ("FINAL", S, "KURANG")
    assert after["reopened_count"] == 0
    # The decision is final: the evaluator cannot change it, an admin does not reopen it, and no second
    # objection is lodged.
    assert (
        await client.patch(
            url, json={"result_rating": A}, headers={**boss, "If-Match": f'"{after["version"]}"'}
        )
    ).status_code == 409
    assert (
        await client.post(f"{url}/reopen", json={"reason": "Koreksi."}, headers=tokens.admin())
    ).status_code == 409
    again = await client.post(f"{url}/objections", json={"reason": "Sekali lagi."}, headers=staff)
    assert again.status_code == 409
    assert again.json()["type"].endswith("objection-exists")
