"""Issue 17 item 2: credit points (angka kredit) against domain.md §11.4's table and example, a mid-year level
change, the 409 before the annual result is final, who may read them, and the per-unit report."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import httpx
import openpyxl
import pytest

from services.kinerja_api.credit.rules import COEFFICIENT, PERCENTAGE, compute
from services.kinerja_api.tables.employee_enums import Jenjang
from services.kinerja_api.tables.evaluation_enums import Predikat
from tests.support.after_year import HEAD, JF, PPPK, STAFF, annual_result, finalise, team
from tests.support.fixtures import Tokens


def test_the_table_of_section_11_4() -> None:
    assert {j.value: str(c) for j, c in COEFFICIENT.items()} == {
        "PEMULA": "3.75", "TERAMPIL": "5", "MAHIR": "12.5", "PENYELIA": "25",
        "AHLI_PERTAMA": "12.5", "AHLI_MUDA": "25", "AHLI_MADYA": "37.5", "AHLI_UTAMA": "50",
    }  # fmt: skip
    assert {p.value: int(v) for p, v in PERCENTAGE.items()} == {
        "SANGAT_BAIK": 150, "BAIK": 100, "BUTUH_PERBAIKAN": 75, "KURANG": 50, "SANGAT_KURANG": 25,
    }  # fmt: skip
    # The example: Ahli Pertama, Sangat Baik, a full year.
    assert compute(Predikat.SANGAT_BAIK, [(Jenjang.AHLI_PERTAMA, 12)])[1] == Decimal("18.750")
    # Pemula, Baik, 5 months: 3.75 * 1 * 5/12 = 1.5625 -> half-up to 1.563.
    assert str(compute(Predikat.BAIK, [(Jenjang.PEMULA, 5)])[1]) == "1.563"
    # Mahir, Sangat Kurang, 7 months: 12.5 * 0.25 * 7/12 = 1.822916.. -> 1.823.
    assert str(compute(Predikat.SANGAT_KURANG, [(Jenjang.MAHIR, 7)])[1]) == "1.823"


async def test_credit_points_of_a_jf(
    client: httpx.AsyncClient, admin: dict[str, str], db: str, tokens: Tokens
) -> None:
    t = await team(client, admin)
    url = f"/v1/employees/{JF}/credit-points?year=2026"
    missing = await client.get(url, headers=admin)
    assert missing.status_code == 409
    assert "no annual result for 2026" in missing.json()["detail"]
    draft = await annual_result(db, JF, t["unit"], 2026, "SANGAT_BAIK", status="DRAFT")
    not_final = await client.get(url, headers=admin)
    assert not_final.status_code == 409
    assert "DRAFT, not FINAL" in not_final.json()["detail"]
    await finalise(db, draft, "SANGAT_BAIK")

    body = (await client.get(url, headers=tokens.pegawai(JF))).json()
    assert body["credit_points"] == "18.750"
    assert body["lines"] == [
        {"jenjang": "AHLI_PERTAMA", "months": 12, "coefficient": "12.5", "credit_points": "18.750"}
    ]
    assert body["formula"] == "12.5 * 150% * 12/12 = 18.750"

    # A promotion dated 1 July: six months in each level.
    moved = await client.patch(
        f"/v1/employees/{JF}", json={"jenjang": "AHLI_MUDA", "effective_on": "2026-07-01"}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    body = (await client.get(url, headers=tokens.pegawai(HEAD))).json()
    assert [(x["jenjang"], x["months"], x["credit_points"]) for x in body["lines"]] == [
        ("AHLI_PERTAMA", 6, "9.375"),
        ("AHLI_MUDA", 6, "18.750"),
    ]
    assert body["credit_points"] == "28.125"

    # Not a JF: 409 naming the missing level. Others: 404; an integrator needs the scope.
    await annual_result(db, STAFF, t["unit"], 2026, "BAIK")
    no_level = await client.get(f"/v1/employees/{STAFF}/credit-points?year=2026", headers=admin)
    assert no_level.status_code == 409
    assert "no functional level" in no_level.json()["detail"]
    assert (await client.get(url, headers=tokens.pegawai(STAFF))).status_code == 404
    assert (await client.get(url, headers=tokens.pegawai(PPPK))).status_code == 404
    assert (await client.get(url, headers=tokens.headers("tpp", ["integrator"]))).status_code == 403
    scoped = tokens.headers("tpp", ["integrator"], scope="kinerja:individual")
    assert (await client.get(url, headers=scoped)).status_code == 200


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
async def test_credit_points_report(
    client: httpx.AsyncClient, admin: dict[str, str], db: str, tokens: Tokens, fmt: str
) -> None:
    t = await team(client, admin)
    await annual_result(db, JF, t["unit"], 2026, "BAIK")
    extra = await client.post(
        "/v1/employees",
        json={
            "nip": "198703032012031003", "name": "Arsiparis", "unit_id": t["unit"], "position": "Arsiparis",
            "position_type": "FUNGSIONAL", "rank": "II/c", "employment": "PNS", "supervisor_nip": HEAD,
            "jenjang": "TERAMPIL", "effective_on": "2026-03-01",
        },
        headers=admin,
    )  # fmt: skip
    assert extra.status_code == 201, extra.text
    url = f"/v1/reports/credit-points?year=2026&unit_id={t['unit']}&format={fmt}"
    resp = await client.get(url, headers=admin)
    assert resp.status_code == 200, resp.text
    if fmt == "json":
        items = {i["nip"]: i for i in resp.json()["items"]}
        assert set(items) == {JF, "198703032012031003"}
        assert (items[JF]["status"], items[JF]["credit_points"]) == ("FINAL", "12.500")
        other = items["198703032012031003"]
        assert (other["status"], other["months"], other["credit_points"]) == ("NO_RESULT", 10, None)
    elif fmt == "csv":
        rows = {r["nip"]: r for r in csv.DictReader(io.StringIO(resp.text))}
        assert rows[JF]["credit_points"] == "12.500"
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(resp.content))["report"]
        header = [c.value for c in sheet[1]]
        values = {r[0].value: r[header.index("credit_points")].value for r in sheet.iter_rows(min_row=2)}
        assert values[JF] == 12.5
    assert (await client.get(url, headers=tokens.headers("tpp", ["integrator"]))).status_code == 403
    assert (await client.get(url, headers=tokens.pegawai(HEAD))).status_code == 403
