"""A unit head's result rating follows the organisation predikat (issue 16 item 5; domain.md §11.3): ISTIMEWA →
DI_ATAS, BAIK → SESUAI, otherwise DI_BAWAH; a departure is refused (409) unless an admin recorded why."""

from __future__ import annotations

import uuid

import httpx

from tests.kinerja.test_evaluations_seed import Seeder, new_evaluation, rate
from tests.support.fixtures import Tokens

S = "SESUAI_EKSPEKTASI"
A = "DI_ATAS_EKSPEKTASI"


async def _head(client: httpx.AsyncClient, tokens: Tokens, seed: Seeder, org: str) -> tuple[str, str]:
    """A JPT heading a unit whose 2026-Q1 organisation predikat is ``org``; returns (head nip, unit id)."""
    unit = await seed.unit("HRO")
    head = await seed.employee(seed.nip(1), unit, None, position_type="JPT")
    await seed.employee(seed.nip(2), unit, head)
    await seed.anchor()
    put = await client.put(
        f"/v1/reports/org-predikat/{unit}/2026-Q1", json={"org_predikat": org}, headers=tokens.admin()
    )
    assert put.status_code == 200, put.text
    return head, str(unit)


async def test_mismatch_is_refused_naming_the_expected_rating(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder
) -> None:
    head, _ = await _head(client, tokens, seed, "ISTIMEWA")
    admin = tokens.admin()  # acting in the governor's name for the unit head
    ev = await rate(client, admin, await new_evaluation(client, admin, head), S, S)
    resp = await client.post(f"/v1/evaluations/{ev['id']}/finalize", headers=admin)
    assert resp.status_code == 409, resp.text
    problem = resp.json()
    assert problem["type"].endswith("rating-departs-from-org-predikat")
    assert A in problem["detail"]
    assert "ISTIMEWA" in problem["detail"]


async def test_match_is_accepted(client: httpx.AsyncClient, tokens: Tokens, seed: Seeder) -> None:
    head, _ = await _head(client, tokens, seed, "BAIK")
    admin = tokens.admin()
    ev = await rate(client, admin, await new_evaluation(client, admin, head), S, S)
    resp = await client.post(f"/v1/evaluations/{ev['id']}/finalize", headers=admin)
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "FINAL"


async def test_staff_are_not_tied_to_the_org_predikat(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder
) -> None:
    head, _ = await _head(client, tokens, seed, "ISTIMEWA")
    me = tokens.pegawai(head)
    ev = await rate(client, me, await new_evaluation(client, me, seed.nip(2)), S, S)
    resp = await client.post(f"/v1/evaluations/{ev['id']}/finalize", headers=me)
    assert resp.status_code == 200, resp.text


async def test_mismatch_is_accepted_after_an_admin_exception(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder
) -> None:
    head, _ = await _head(client, tokens, seed, "KURANG")
    admin = tokens.admin()
    ev = await rate(client, admin, await new_evaluation(client, admin, head), S, S)
    url = f"/v1/evaluations/{ev['id']}/org-alignment-exception"
    reason = "Kepala unit baru menjabat sejak Maret; capaian organisasi bukan hasil kerjanya."
    put = await client.put(url, json={"reason": reason}, headers=admin)
    assert put.status_code == 200, put.text
    assert put.json()["org_alignment_reason"] == reason
    resp = await client.post(f"/v1/evaluations/{ev['id']}/finalize", headers=admin)
    assert resp.status_code == 200, resp.text
    audit = await seed.conn.fetchval(
        "SELECT count(*) FROM kinerja.audit_entry WHERE action = 'evaluation.org_alignment_exception'"
        " AND entity_id = $1 AND reason = $2",
        ev["id"],
        reason,
    )
    assert audit == 1
    # Once FINAL, the exception is no longer recorded.
    late = await client.put(url, json={"reason": reason}, headers=admin)
    assert late.status_code == 409, late.text


async def test_exception_is_admin_only_and_404_for_unknown(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder
) -> None:
    head, _ = await _head(client, tokens, seed, "KURANG")
    admin = tokens.admin()
    ev = await rate(client, admin, await new_evaluation(client, admin, head), S, S)
    body = {"reason": "Alasan tertulis yang cukup panjang."}
    for who in (tokens.pegawai(head), tokens.pegawai(seed.nip(2))):
        resp = await client.put(f"/v1/evaluations/{ev['id']}/org-alignment-exception", json=body, headers=who)
        assert resp.status_code == 403, resp.text
    missing = await client.put(
        f"/v1/evaluations/{uuid.uuid4()}/org-alignment-exception", json=body, headers=admin
    )
    assert missing.status_code == 404, missing.text
