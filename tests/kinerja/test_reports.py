"""Reports on real PostgreSQL: predikat distribution with the SE MenPANRB 3/2023 curve check, compliance
with the period calendar, the SIASN kinerjaperiodik export, and the calendar itself."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import httpx
import pytest

from services.common.auth import Role
from tests.kinerja.test_evaluations_seed import Seeder, evaluate
from tests.support.fixtures import Tokens

A, S, B = "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"
CELL = {  # a rating pair that gives each predikat
    "SANGAT_BAIK": (A, A),
    "BAIK": (S, S),
    "BUTUH_PERBAIKAN": (B, S),
    "KURANG": (S, B),
    "SANGAT_KURANG": (B, B),
}


async def final_rows(
    seed: Seeder, unit: uuid.UUID, boss: str, nips: list[str], predikat: list[str], period: str
) -> None:
    """FINAL evaluations written straight to the table (the API path is covered in test_evaluations)."""
    for nip, p in zip(nips, predikat, strict=True):
        result, behavior = CELL[p]
        await seed.conn.execute(
            "INSERT INTO kinerja.evaluation (id, nip, unit_id, period, period_start, period_end, evaluator_nip,"
            " status, result_rating, behavior_rating, predikat, finalized_at)"
            " VALUES (gen_random_uuid(), $1, $2, $3, '2026-01-01', '2026-03-31', $4, 'FINAL', $5, $6, $7, now())",
            nip,
            unit,
            period,
            boss,
            result,
            behavior,
            p,
        )


@pytest.fixture
async def team(seed: Seeder) -> dict[str, Any]:
    """A unit headed by a JPT, a sub-unit with a boss and ten staff."""
    unit = await seed.unit("DINKES")
    sub = await seed.unit("DINKES.YANKES", unit)
    head = await seed.employee(seed.nip(100), unit, None, position_type="JPT")
    boss = await seed.employee(seed.nip(101), sub, head, position_type="ADMINISTRATOR")
    staff = [await seed.employee(seed.nip(110 + i), sub, boss) for i in range(10)]
    return {"unit": unit, "sub": sub, "head": head, "boss": boss, "staff": staff}


async def test_distribution_and_curve_check(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder, team: dict[str, Any]
) -> None:
    unit = team["unit"]
    predikat = ["BAIK"] * 8 + ["SANGAT_BAIK", "BUTUH_PERBAIKAN"]
    await final_rows(seed, team["sub"], team["boss"], team["staff"], predikat, "2026-Q1")
    url = f"/v1/reports/predikat-distribution?period=2026-Q1&unit_id={unit}"
    # No organisation predikat yet: counted, not checked.
    resp = await client.get(url, headers=tokens.admin())
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == 10
    assert body["counts"] == {
        "SANGAT_BAIK": 1,
        "BAIK": 8,
        "BUTUH_PERBAIKAN": 1,
        "KURANG": 0,
        "SANGAT_KURANG": 0,
    }
    assert body["curve_check"] == {"checked": False, "too_small": False, "ok": True, "violations": []}
    # Only the sub-unit itself, or not the sub-units: a unit without evaluations.
    alone = await client.get(url + "&include_subunits=false", headers=tokens.admin())
    assert alone.json()["total"] == 0
    # The admin sets BAIK: at most 70% BAIK, and some BUTUH_PERBAIKAN/KURANG (present).
    put = f"/v1/reports/org-predikat/{unit}/2026-Q1"
    assert (
        await client.put(put, json={"org_predikat": "BAIK"}, headers=tokens.pegawai(team["head"]))
    ).status_code == 403
    set_ = await client.put(put, json={"org_predikat": "BAIK"}, headers=tokens.admin())
    assert set_.status_code == 200, set_.text
    body = (await client.get(url, headers=tokens.admin())).json()
    assert body["org_predikat"] == "BAIK"
    check = body["curve_check"]
    assert check["checked"] is True
    assert check["ok"] is False
    assert [v["rule"] for v in check["violations"]] == ["BAIK_MAX_70"]
    violation = check["violations"][0]
    assert violation["expected"] == "BAIK <= 70%"
    assert violation["actual"].startswith("80%")
    assert "8 of 10" in violation["explanation"]
    # SANGAT_KURANG allows no SANGAT_BAIK and needs 60% SANGAT_KURANG.
    await client.put(put, json={"org_predikat": "SANGAT_KURANG"}, headers=tokens.admin())
    rules = [
        v["rule"] for v in (await client.get(url, headers=tokens.admin())).json()["curve_check"]["violations"]
    ]
    assert rules == ["SANGAT_KURANG_MIN_60", "NO_SANGAT_BAIK"]
    # Who may read: admin, integrator, the unit head; not the boss (not JPT), not the head for the province.
    assert (await client.get(url, headers=tokens.headers("bkn", [Role.INTEGRATOR]))).status_code == 200
    assert (await client.get(url, headers=tokens.pegawai(team["head"]))).status_code == 200
    assert (await client.get(url, headers=tokens.pegawai(team["boss"]))).status_code == 403
    province = "/v1/reports/predikat-distribution?period=2026-Q1"
    assert (await client.get(province, headers=tokens.pegawai(team["head"]))).status_code == 403
    assert (await client.get(province, headers=tokens.admin())).json()["total"] == 10
    assert (await client.get(url.replace("2026-Q1", "2026-Q9"), headers=tokens.admin())).status_code == 422
    missing = f"/v1/reports/predikat-distribution?period=2026-Q1&unit_id={uuid.uuid4()}"
    assert (await client.get(missing, headers=tokens.admin())).status_code == 404


async def test_compliance_follows_the_calendar(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder, team: dict[str, Any]
) -> None:
    done, half, *rest = team["staff"]
    skp, indicators = await seed.approved_skp(done, 2026)
    await seed.realization(skp, indicators[0], "2026-Q1")
    await seed.approved_skp(half, 2026)
    await seed.skp(rest[0], 2026, "SUBMITTED")
    await final_rows(seed, team["sub"], team["boss"], [done], ["BAIK"], "2026-Q1")
    url = f"/v1/reports/compliance?period=2026-Q1&unit_id={team['unit']}"
    # The unit head reads their own unit's report (issue 11; it was 403), the same as the admin's.
    as_head = await client.get(url, headers=tokens.pegawai(team["head"]))
    assert as_head.status_code == 200, as_head.text
    resp = await client.get(url, headers=tokens.admin())
    stamps = ("generated_at", "data_as_of")
    assert {k: v for k, v in as_head.json().items() if k not in stamps} == {
        k: v for k, v in resp.json().items() if k not in stamps
    }
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["headcount"] == 12
    assert body["counts"] == {"skp_approved": 2, "realization_reported": 1, "evaluated": 1}
    assert body["deadlines"] == {
        "skp_due_on": "2026-01-31",
        "realization_due_on": "2026-03-31",
        "evaluation_due_on": "2026-04-15",
    }
    assert body["overdue"] == {"skp": True, "realization": True, "evaluation": True}
    items = {i["nip"]: i for i in body["items"]}
    assert done not in items
    assert items[half] == {
        "nip": half,
        "name": items[half]["name"],
        "unit_id": str(team["sub"]),
        "skp_approved": True,
        "realization_reported": False,
        "evaluated": False,
    }
    assert len(items) == 11
    # Keyset pages cover the same rows.
    seen: list[str] = []
    cursor = None
    while True:
        page = (
            await client.get(
                url + "&limit=4" + (f"&cursor={cursor}" if cursor else ""), headers=tokens.admin()
            )
        ).json()
        seen += [i["nip"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(items)
    # The calendar drives the deadlines.
    cal = await client.put(
        "/v1/calendar/2026-Q1",
        json={
            "skp_due_on": "2026-02-15",
            "realization_due_on": "2026-04-05",
            "evaluation_due_on": "2099-01-01",
        },
        headers=tokens.admin(),
    )
    assert cal.status_code == 200, cal.text
    body = (await client.get(url, headers=tokens.headers("bkn", [Role.INTEGRATOR]))).json()
    assert body["deadlines"]["evaluation_due_on"] == "2099-01-01"
    assert body["overdue"]["evaluation"] is False


async def test_calendar_defaults_and_admin_changes(
    client: httpx.AsyncClient, tokens: Tokens, db: str
) -> None:
    resp = await client.get("/v1/calendar/2026", headers=tokens.pegawai("199001012015011001"))
    assert resp.status_code == 200
    periods = {p["period"]: p for p in resp.json()["periods"]}
    assert list(periods) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026"]
    assert periods["2026-Q1"]["evaluation_due_on"] == "2026-04-15"
    assert periods["2026-Q4"]["evaluation_due_on"] == "2027-01-15"
    assert periods["2026-Q2"]["realization_due_on"] == "2026-06-30"
    assert periods["2026"]["evaluation_due_on"] == "2027-01-31"
    assert {p["skp_due_on"] for p in periods.values()} == {"2026-01-31"}
    assert {p["source"] for p in periods.values()} == {"DEFAULT"}
    body = {"skp_due_on": "2026-01-31", "realization_due_on": "2026-12-31", "evaluation_due_on": "2027-01-10"}
    assert (
        await client.put("/v1/calendar/2026", json=body, headers=tokens.pegawai("199001012015011001"))
    ).status_code == 403
    assert (await client.put("/v1/calendar/2026-Q7", json=body, headers=tokens.admin())).status_code == 422
    bad = {**body, "evaluation_due_on": "2026-12-01"}
    assert (await client.put("/v1/calendar/2026", json=bad, headers=tokens.admin())).status_code == 422
    ok = await client.put("/v1/calendar/2026", json=body, headers=tokens.admin())
    assert ok.status_code == 200
    assert ok.json()["source"] == "SET"
    periods = {
        p["period"]: p
        for p in (await client.get("/v1/calendar/2026", headers=tokens.admin())).json()["periods"]
    }
    assert periods["2026"]["evaluation_due_on"] == "2027-01-10"


async def test_siasn_kinerjaperiodik_shape(
    client: httpx.AsyncClient, tokens: Tokens, team: dict[str, Any], seed: Seeder
) -> None:
    await seed.anchor()
    # SIASN names people by its own person id (issue 17): every seeded employee gets one.
    await seed.conn.execute("UPDATE kinerja.employee SET siasn_id = upper(md5(nip))")
    boss = tokens.pegawai(team["boss"])
    first = await evaluate(client, boss, team["staff"][0], A, S)
    await evaluate(client, boss, team["staff"][1], B, B)
    governor = await evaluate(client, tokens.admin(), team["head"], S, S)
    url = "/v1/reports/siasn-kinerja?period=2026-Q1"
    assert (await client.get(url, headers=boss)).status_code == 403
    integrator = tokens.headers("bkn-sync", [Role.INTEGRATOR], scope="kinerja:individual")
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = (
            await client.get(url + "&limit=2" + (f"&cursor={cursor}" if cursor else ""), headers=integrator)
        ).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(items) == 3
    by_id = {i["evaluation_id"]: i for i in items}
    one = by_id[first["id"]]
    assert one == {
        "evaluation_id": first["id"],
        "pnsDinilaiId": hashlib.md5(team["staff"][0].encode()).hexdigest().upper(),
        "periodikId": 2,
        "bulanMulaiPenilaian": 1,
        "bulanSelesaiPenilaian": 3,
        "tahun": 2026,
        "tahunMulaiPenilaian": 2026,
        "tahunSelesaiPenilaian": 2026,
        "hasilKinerjaNilai": 1,
        "perilakuKerjaNilai": 2,
        "kuadranKinerjaNilai": 2,
        "koefisienId": None,
        "penilaiNipNrp": team["boss"],
        "penilaiNama": one["penilaiNama"],
        "penilaiGolongan": "32",  # SIASN golonganPns id of III/b
        "penilaiJabatanNama": "Analis",
        "penilaiUnorNama": "Unit DINKES.YANKES",
        "statusPenilai": "ASN",
    }
    assert sorted(i["kuadranKinerjaNilai"] for i in items) == [2, 2, 5]
    gov = by_id[governor["id"]]
    assert gov["statusPenilai"] == "NON ASN"
    assert gov["penilaiNipNrp"] is None
    assert (await client.get("/v1/reports/siasn-kinerja?period=2026", headers=integrator)).status_code == 422


async def test_only_the_head_of_a_unit_reads_its_compliance(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder, team: dict[str, Any]
) -> None:
    """The JPT heads the unit (and reads its sub-units through it); the Kepala Bidang (ADMINISTRATOR) who
    answers to someone outside the sub-unit heads the sub-unit only; staff, other units' heads and the
    province as a whole stay 403."""
    other = await seed.unit("DISDIK")
    other_head = await seed.employee(seed.nip(200), other, None, position_type="JPT")
    deputy = await seed.employee(seed.nip(102), team["sub"], team["boss"], position_type="PENGAWAS")

    def url(unit: Any) -> str:
        return f"/v1/reports/compliance?period=2026-Q1&unit_id={unit}"

    async def status(path: str, nip: str) -> int:
        return (await client.get(path, headers=tokens.pegawai(nip))).status_code

    assert await status(url(team["unit"]), team["head"]) == 200
    assert await status(url(team["sub"]), team["head"]) == 403  # heads the unit, not the sub-unit row itself
    assert await status(url(team["sub"]), team["boss"]) == 200
    sub = (await client.get(url(team["sub"]), headers=tokens.pegawai(team["boss"]))).json()
    assert sub["headcount"] == 12  # the boss, the deputy and ten staff
    assert await status(url(team["unit"]), team["boss"]) == 403
    assert await status(url(team["sub"]), deputy) == 403  # answers to the boss inside the sub-unit
    assert await status(url(team["sub"]), team["staff"][0]) == 403
    assert await status(url(other), team["head"]) == 403
    assert await status(url(team["unit"]), other_head) == 403
    assert await status("/v1/reports/compliance?period=2026-Q1", team["head"]) == 403
    assert await status(url(other), other_head) == 200
