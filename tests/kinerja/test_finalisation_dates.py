"""Issue 16 leftovers, in-process on real PostgreSQL: a result is finalised only once its period has run (a
quarter from its last day, a part from its stretch's end, the year from 31 December or the admin's earlier
``annual_final_from``; 409 ``period-not-ended``); the year rules are a partial update; an accepted objection
re-sends what finalising sends downstream; the unit head's tie to the organisation predikat is judged on the
snapshot taken at finalisation, also when the atasan decides an objection."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx

from tests.kinerja.test_evaluations_seed import Seeder, evaluate, new_evaluation, rate
from tests.support.anchoring import anchored_body, main_results
from tests.support.clock import on_day, set_today
from tests.support.fixtures import Tokens
from tests.support.kinerja_seed import reporting_line

S, A, B = "SESUAI_EKSPEKTASI", "DI_ATAS_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"


def _problem(resp: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert body["type"].rstrip("/").endswith(slug), body
    return body


async def _events(seed: Seeder, event_type: str) -> list[dict[str, Any]]:
    rows = await seed.conn.fetch(
        "SELECT payload::text AS p FROM kinerja.outbox_event WHERE event_type = $1 ORDER BY created_at, id",
        event_type,
    )
    return [json.loads(r["p"]) for r in rows]


async def test_a_quarter_is_finalised_from_its_last_day(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder
) -> None:
    line = await reporting_line(seed, "FQ")
    boss = tokens.pegawai(line["boss"])
    with on_day(None, date(2026, 3, 30)):
        ev = await rate(client, boss, await new_evaluation(client, boss, line["staff"][0], "2026-Q1"), S, S)
        url = f"/v1/evaluations/{ev['id']}/finalize"
        body = _problem(await client.post(url, headers=boss), 409, "period-not-ended")
        assert "2026-03-31" in body["detail"]
        assert "2026-03-30" in body["detail"]
        set_today(None, date(2026, 3, 31))
        final = await client.post(url, headers=boss)
        assert final.status_code == 200, final.text
        assert final.json()["status"] == "FINAL"
        calendar = (await client.get("/v1/calendar/2026", headers=boss)).json()["periods"]
        assert {p["period"]: p["finalisable_from"] for p in calendar} == {
            "2026-Q1": "2026-03-31",
            "2026-Q2": "2026-06-30",
            "2026-Q3": "2026-09-30",
            "2026-Q4": "2026-12-31",
            "2026": "2026-12-31",
        }


async def test_the_annual_result_from_31_december_or_the_admins_earlier_day(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder
) -> None:
    line = await reporting_line(seed, "FY")
    boss, admin = tokens.pegawai(line["boss"]), tokens.admin()
    staff = line["staff"][0]
    rules = "/v1/calendar/2026/rules"
    with on_day(None, date(2026, 12, 20)):
        await evaluate(client, boss, staff, S, S, period="2026-Q1")
        annual = await rate(client, boss, await new_evaluation(client, boss, staff, "2026"), S, S)
        url = f"/v1/evaluations/{annual['id']}/finalize"
        body = _problem(await client.post(url, headers=boss), 409, "period-not-ended")
        assert "2026-12-31" in body["detail"]

        # The year rules are a partial update: the objection days stay when only the day is sent.
        put = await client.put(rules, json={"objection_days": 20}, headers=admin)
        assert put.status_code == 200, put.text
        _problem(await client.put(rules, json={"annual_final_from": "2027-01-02"}, headers=admin), 422, "")
        assert (
            await client.put(rules, json={"annual_final_from": "2026-12-15"}, headers=boss)
        ).status_code == 403
        put = await client.put(rules, json={"annual_final_from": "2026-12-15"}, headers=admin)
        assert put.status_code == 200, put.text
        assert put.json() == {
            "year": 2026,
            "objection_days": 20,
            "cadence": "QUARTERLY",
            "annual_final_from": "2026-12-15",
            "source": "SET",
        }
        calendar = (await client.get("/v1/calendar/2026", headers=boss)).json()["periods"]
        assert [p["finalisable_from"] for p in calendar if p["period"] == "2026"] == ["2026-12-15"]
        audit = (await client.get("/v1/audit?entity=calendar_year&entity_id=2026", headers=admin)).json()
        assert [e["action"] for e in audit["items"]] == ["calendar.year_rules", "calendar.year_rules"]

        final = await client.post(url, headers=boss)
        assert final.status_code == 200, final.text
        assert final.json()["status"] == "FINAL"

        # null goes back to 31 December; objection_days still kept.
        put = await client.put(rules, json={"annual_final_from": None}, headers=admin)
        assert (put.json()["annual_final_from"], put.json()["objection_days"]) == (None, 20)


async def test_a_part_is_finalised_from_its_stretchs_end(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder
) -> None:
    line = await reporting_line(seed, "FP", staff=(3,))
    other = await seed.employee(seed.nip(6), line["unit"], line["head"], position_type="ADMINISTRATOR")
    await seed.anchor()
    staff = line["staff"][0]
    await seed.transfer(staff, other, line["unit"], date(2026, 5, 16))
    b, o = tokens.pegawai(line["boss"]), tokens.pegawai(other)
    with on_day(None, date(2026, 5, 14)):
        result = await new_evaluation(client, o, staff, "2026-Q2")
        made = await client.post(f"/v1/evaluations/{result['id']}/parts", json={}, headers=b)
        assert made.status_code == 201, made.text
        part = made.json()
        assert part["period_end"] == "2026-05-15"
        base = f"/v1/evaluations/{result['id']}/parts/{part['id']}"
        patched = await client.patch(
            base,
            json=anchored_body(await main_results(client, b, part["id"]), S, S),
            headers={**b, "If-Match": f'"{part["version"]}"'},
        )
        assert patched.status_code == 200, patched.text
        url = f"{base}/finalize"
        body = _problem(await client.post(url, headers=b), 409, "period-not-ended")
        assert "2026-05-15" in body["detail"]
        set_today(None, date(2026, 5, 15))
        assert (await client.post(url, headers=b)).status_code == 200


async def test_an_accepted_objection_resends_development_needs_and_the_unit_aggregate(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder
) -> None:
    line = await reporting_line(seed, "OBD", staff=(3, 4))
    admin, head, boss = tokens.admin(), tokens.pegawai(line["head"]), tokens.pegawai(line["boss"])
    # The whole unit final: the aggregate goes to publik once.
    await evaluate(client, admin, line["head"], S, S)
    await evaluate(client, head, line["boss"], S, S)
    second = await evaluate(client, boss, line["staff"][1], S, S)
    first = await evaluate(client, boss, line["staff"][0], S, S)
    aggregates = await _events(seed, "kinerja.unit_performance")
    assert [a["counts"]["BAIK"] for a in aggregates] == [4]
    needs = [n for n in await _events(seed, "kinerja.development_needs") if n["evaluation_id"] == first["id"]]
    assert [n["result_below_expectation"] for n in needs] == [False]

    lodged = await client.post(
        f"/v1/evaluations/{first['id']}/objections",
        json={"reason": "Mohon ditinjau."},
        headers=tokens.pegawai(line["staff"][0]),
    )
    assert lodged.status_code == 201, lodged.text
    # The atasan (the head, the boss's superior) sets a lower result rating.
    decided = await client.post(
        f"/v1/objections/{lodged.json()['id']}/decide",
        json={"accept": True, "result_rating": B, "note": "Bukti dukung tidak memadai."},
        headers=head,
    )
    assert decided.status_code == 200, decided.text
    needs = [n for n in await _events(seed, "kinerja.development_needs") if n["evaluation_id"] == first["id"]]
    assert [n["result_below_expectation"] for n in needs] == [False, True]
    aggregates = await _events(seed, "kinerja.unit_performance")
    assert [(a["counts"]["BAIK"], a["counts"]["BUTUH_PERBAIKAN"]) for a in aggregates] == [(4, 0), (3, 1)]

    # A rejected objection changes nothing downstream.
    lodged = await client.post(
        f"/v1/evaluations/{second['id']}/objections",
        json={"reason": "Mohon ditinjau."},
        headers=tokens.pegawai(line["staff"][1]),
    )
    assert lodged.status_code == 201, lodged.text
    rejected = await client.post(
        f"/v1/objections/{lodged.json()['id']}/decide", json={"accept": False}, headers=head
    )
    assert rejected.status_code == 200, rejected.text
    assert len(await _events(seed, "kinerja.unit_performance")) == 2


async def _org_predikat(client: httpx.AsyncClient, tokens: Tokens, unit: Any, org: str) -> None:
    put = await client.put(
        f"/v1/reports/org-predikat/{unit}/2026-Q1", json={"org_predikat": org}, headers=tokens.admin()
    )
    assert put.status_code == 200, put.text


async def test_the_head_check_on_an_objection_uses_who_headed_the_unit_at_finalisation(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder
) -> None:
    line = await reporting_line(seed, "HSN", staff=(3,))
    await _org_predikat(client, tokens, line["unit"], "BAIK")  # the head's rating must be SESUAI
    admin = tokens.admin()
    final = await evaluate(client, admin, line["head"], S, S)
    snapshot = await seed.conn.fetchval(
        "SELECT snapshot->>'heads_unit' FROM kinerja.evaluation WHERE id = $1", final["id"]
    )
    assert snapshot == "true"
    # The head has since been moved to a staff position: the record no longer says they head the unit.
    await seed.conn.execute(
        "UPDATE kinerja.employee SET position_type = 'PELAKSANA' WHERE nip = $1", line["head"]
    )
    lodged = await client.post(
        f"/v1/evaluations/{final['id']}/objections",
        json={"reason": "Capaian saya di atas target."},
        headers=tokens.pegawai(line["head"]),
    )
    assert lodged.status_code == 201, lodged.text
    decide = f"/v1/objections/{lodged.json()['id']}/decide"
    # The admin decides for the governor; DI_ATAS departs from BAIK's SESUAI, judged on the snapshot.
    body = {"accept": True, "result_rating": A}
    refused = _problem(
        await client.post(decide, json=body, headers=admin), 409, "rating-departs-from-org-predikat"
    )
    assert S in refused["detail"]
    # An admin may record the exception on the FINAL result while its objection is pending.
    url = f"/v1/evaluations/{final['id']}/org-alignment-exception"
    reason = "Target organisasi berubah di tengah triwulan; capaian kepala unit diakui."
    put = await client.put(url, json={"reason": reason}, headers=admin)
    assert put.status_code == 200, put.text
    decided = await client.post(decide, json=body, headers=admin)
    assert decided.status_code == 200, decided.text
    assert (await client.get(f"/v1/evaluations/{final['id']}", headers=admin)).json()["result_rating"] == A
    # Decided, the objection no longer opens the result to an exception.
    assert (await client.put(url, json={"reason": reason}, headers=admin)).status_code == 409


async def test_someone_who_became_head_after_finalisation_is_not_held_to_the_org_predikat(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder
) -> None:
    line = await reporting_line(seed, "HSL", staff=(3,))
    await _org_predikat(client, tokens, line["unit"], "BAIK")
    staff = line["staff"][0]
    final = await evaluate(client, tokens.pegawai(line["boss"]), staff, S, S)
    # Made a unit head (JPT) after the result was final.
    await seed.conn.execute(
        "UPDATE kinerja.employee SET position_type = 'JPT', supervisor_nip = NULL WHERE nip = $1", staff
    )
    lodged = await client.post(
        f"/v1/evaluations/{final['id']}/objections",
        json={"reason": "Mohon ditinjau."},
        headers=tokens.pegawai(staff),
    )
    assert lodged.status_code == 201, lodged.text
    decided = await client.post(
        f"/v1/objections/{lodged.json()['id']}/decide",
        json={"accept": True, "result_rating": A},
        headers=tokens.pegawai(line["head"]),
    )
    assert decided.status_code == 200, decided.text
