"""The curve while rating (issue 16; domain.md §11.3): finalising answers with the unit's curve with this result
counted, a warning and never a refusal; under 10 results the unit is too small to apply the pattern."""

from __future__ import annotations

import httpx

from tests.kinerja.test_evaluations_seed import Seeder, new_evaluation, rate
from tests.support.fixtures import Tokens

S = "SESUAI_EKSPEKTASI"


async def test_finalising_warns_with_the_rule_that_would_break(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder
) -> None:
    unit = await seed.unit("CRV")
    boss = await seed.employee(seed.nip(1), unit, None, position_type="JPT")
    staff = [await seed.employee(seed.nip(10 + i), unit, boss) for i in range(10)]
    await seed.anchor()
    admin = tokens.admin()
    put = await client.put(
        f"/v1/reports/org-predikat/{unit}/2026-Q1", json={"org_predikat": "BAIK"}, headers=admin
    )
    assert put.status_code == 200, put.text
    me = tokens.pegawai(boss)
    answers = []
    for nip in staff:
        ev = await rate(client, me, await new_evaluation(client, me, nip), S, S)
        resp = await client.post(f"/v1/evaluations/{ev['id']}/finalize", headers=me)
        assert resp.status_code == 200, resp.text  # never refused
        answers.append(resp.json()["curve"])
    assert [a["status"] for a in answers[:9]] == ["TOO_SMALL"] * 9
    assert answers[8]["total"] == 9
    last = answers[9]
    assert (last["status"], last["org_predikat"], last["total"]) == ("BREAKS", "BAIK", 10)
    assert {w["rule"] for w in last["warnings"]} == {"BAIK_MAX_70", "SOME_BUTUH_PERBAIKAN_OR_KURANG"}
