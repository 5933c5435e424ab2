"""Every report of every service: CSV and JSON of the same request carry the same rows and columns (both
parsed), the JSON carries schema_version / generated_at / data_as_of, the CSV carries them as headers and
a Content-Disposition filename, and an Accept that allows neither answers 406 problem+json.

The reports are found from each app's own OpenAPI (operations carrying ``x-report``), so a new report is
covered without touching this test. The three apps run in-process on the demo data of all three services."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from services.common.reports import XLSX, cell, expected_cells, flatten, parse_csv, typed
from services.common.roles import Scope
from services.common.settings import normalise_database_url
from services.kinerja_api import demo as kinerja_demo
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app as kinerja_app
from services.pelatihan_api import demo as pelatihan_demo
from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.main import create_app as pelatihan_app
from services.publik_api import demo as publik_demo
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app as publik_app
from tests.support.fixtures import Tokens, running

Apps = dict[str, httpx.AsyncClient]
CLOSED = "http://127.0.0.1:9"  # nothing listens: no report calls another service


@pytest.fixture
async def seeded(db: str) -> dict[str, Any]:
    engine = create_async_engine(normalise_database_url(db))
    context: dict[str, Any] = {}
    try:
        for seed in (kinerja_demo.seed_demo, pelatihan_demo.seed_demo, publik_demo.seed_demo):
            async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
                await seed(session, context)
    finally:
        await engine.dispose()
    return context


@pytest.fixture
async def apps(seeded: dict[str, Any], settings_for: Callable[..., Any]) -> AsyncIterator[Apps]:
    common = {"gateway_url": CLOSED}
    async with (
        running(kinerja_app(settings_for(KinerjaSettings, **common))) as kinerja,
        running(pelatihan_app(settings_for(PelatihanSettings, kinerja_url=CLOSED, **common))) as pelatihan,
        running(publik_app(settings_for(PublikSettings, kinerja_url=CLOSED, **common))) as publik,
    ):
        yield {"kinerja": kinerja, "pelatihan": pelatihan, "publik": publik}


def params_for(name: str, seeded: dict[str, Any]) -> list[dict[str, Any]]:
    """Calls that exercise each report: the province and one unit, the years the demo data fills."""
    year = datetime.now(UTC).year
    unit = str(next(iter(seeded["demo_units"].values())))
    calls: dict[str, list[dict[str, Any]]] = {
        "kinerja.predikat-distribution": [{"period": f"{year}-Q1"}, {"period": str(year), "unit_id": unit}],
        "kinerja.compliance": [{"period": f"{year}-Q1", "limit": 3}, {"period": str(year), "unit_id": unit}],
        "kinerja.siasn-kinerja": [{"period": f"{year}-Q1"}],
        "kinerja.follow-up": [{"year": year, "limit": 5}, {"year": year - 1, "unit_id": unit}],
        "kinerja.credit-points": [{"year": year, "limit": 5}, {"year": year, "unit_id": unit}],
        "pelatihan.jp-compliance": [{"year": year - 1}, {"year": year - 1, "unit_id": unit}],
        "pelatihan.development-plan": [{"year": year, "unit_id": unit}],
        "publik.ikm": [{"year": year}, {"year": year, "unit_id": unit}],
    }
    return calls[name]


async def test_every_report_answers_the_same_rows_as_json_and_csv(
    apps: Apps, seeded: dict[str, Any], tokens: Tokens
) -> None:
    # Granted both scopes (docs/integrators.md "Scopes"): the reports' person rows are what is compared here.
    integrator = tokens.headers(
        "tpp-system", ["integrator"], scope=f"{Scope.KINERJA_INDIVIDUAL} {Scope.PELATIHAN_INDIVIDUAL}"
    )
    found: list[str] = []
    rows_seen = 0
    decimal_commas = 0
    for service, client in apps.items():
        spec = (await client.get("/openapi.json")).json()
        for path, item in spec["paths"].items():
            for method, op in item.items():
                if not isinstance(op, dict) or "x-report" not in op:
                    continue
                ext = op["x-report"]
                found.append(ext["name"])
                assert method == "get"
                assert set(op["responses"]["200"]["content"]) == {"application/json", "text/csv", XLSX}
                assert "406" in op["responses"]
                assert {"format", "dialect"} <= {p["name"] for p in op["parameters"]}, path
                columns = [c["name"] for c in ext["columns"]]
                # Admin-only reports (the follow-up flags speak of individual ratings) are read as the admin.
                who = integrator if "integrator" in ext["roles"] else tokens.admin()
                for params in params_for(ext["name"], seeded):
                    where = f"{service} {path} {params}"
                    as_json = await client.get(path, params=params, headers=who)
                    assert as_json.status_code == 200, (where, as_json.text)
                    assert as_json.headers["content-type"].startswith("application/json")
                    body = as_json.json()
                    assert body["schema_version"] == ext["schema_version"], where
                    assert datetime.fromisoformat(body["generated_at"].replace("Z", "+00:00"))
                    assert "data_as_of" in body, where
                    as_csv = await client.get(path, params=params, headers={**who, "Accept": "text/csv"})
                    assert as_csv.status_code == 200, (where, as_csv.text)
                    assert as_csv.headers["content-type"].startswith("text/csv")
                    assert "attachment; filename=" in as_csv.headers["content-disposition"]
                    assert as_csv.headers["x-report-schema-version"] == ext["schema_version"]
                    header, rows = parse_csv(as_csv.text)
                    assert header == columns, where
                    expected = expected_cells(body, ext["columns"], ext.get("rows"))
                    assert rows == expected, where
                    excel = await client.get(
                        path, params={**params, "format": "csv", "dialect": "excel-id"}, headers=who
                    )
                    assert excel.status_code == 200, (where, excel.text)
                    assert excel.content.startswith(b"\xef\xbb\xbf"), where
                    lines = list(csv.reader(io.StringIO(excel.content.decode("utf-8-sig")), delimiter=";"))
                    assert lines[0] == columns, where
                    excel_rows = [dict(zip(columns, line, strict=True)) for line in lines[1:]]
                    assert excel_rows == expected_cells(body, ext["columns"], ext.get("rows"), "excel-id")
                    decimal_commas += sum(
                        1
                        for r in excel_rows
                        for c in ext["columns"]
                        if c["type"] == "number" and "," in r[c["name"]]
                    )
                    book = await client.get(path, params={**params, "format": "xlsx"}, headers=who)
                    assert book.status_code == 200, (where, book.text)
                    assert book.headers["content-type"] == XLSX
                    assert book.headers["content-disposition"].endswith('.xlsx"')
                    sheet = openpyxl.load_workbook(io.BytesIO(book.content))["report"]
                    assert sheet.freeze_panes == "A2"
                    assert [c.value for c in sheet[1]] == columns, where
                    got_cells = [[c.value for c in line] for line in sheet.iter_rows(min_row=2)]
                    assert got_cells == _xlsx_expected(body, ext), where
                    rows_seen += len(rows)
                    # Every JSON key of a row is a declared column (nothing is left out of the CSV).
                    raw = [body] if ext.get("rows") is None else body[ext.get("rows")]
                    for r in raw:
                        flat = _flat_keys(r)
                        extra = flat - set(columns) - _json_only(ext["name"])
                        assert not extra, (where, extra)
                    refused = await client.get(
                        path, params=params, headers={**who, "Accept": "application/xml"}
                    )
                    assert refused.status_code == 406, where
                    assert refused.headers["content-type"].startswith("application/problem+json")
                    assert refused.json()["status"] == 406
                    q = await client.get(
                        path,
                        params=params,
                        headers={**who, "Accept": "text/csv;q=0.5, application/json"},
                    )
                    assert q.headers["content-type"].startswith("application/json"), where
    assert sorted(found) == sorted(
        [
            "kinerja.predikat-distribution",
            "kinerja.compliance",
            "kinerja.siasn-kinerja",
            "kinerja.follow-up",
            "kinerja.credit-points",
            "pelatihan.jp-compliance",
            "pelatihan.development-plan",
            "publik.ikm",
        ]
    )
    assert rows_seen > 10  # the demo data fills real rows, not only headers
    assert decimal_commas > 0  # excel-id wrote decimal commas for real figures


def _xlsx_expected(body: dict[str, Any], ext: dict[str, Any]) -> list[list[Any]]:
    """The typed cells the XLSX must hold: numbers as numbers, booleans as booleans, text neutralised."""
    raw = [body] if ext.get("rows") is None else body[ext["rows"]]
    out = []
    for r in raw:
        flat = flatten(r)
        line: list[Any] = []
        for c in ext["columns"]:
            value = typed(flat.get(c["name"]), c["type"])
            if isinstance(value, Decimal):
                value = float(value)
            elif isinstance(value, str | list | dict):
                value = cell(value)
            line.append(value)
        out.append(line)
    return out


def _json_only(name: str) -> set[str]:
    """Report-level fields that are not per-row columns (documented in the catalogue's notes)."""
    meta = {"schema_version", "generated_at", "data_as_of"}
    return (
        meta
        | {
            "kinerja.predikat-distribution": set(),
            "kinerja.compliance": set(),
            "kinerja.siasn-kinerja": set(),
            "kinerja.follow-up": set(),
            "kinerja.credit-points": set(),
            "pelatihan.jp-compliance": set(),
            "pelatihan.development-plan": set(),
            "publik.ikm": set(),
        }[name]
    )


def _flat_keys(row: dict[str, Any], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for k, v in row.items():
        if isinstance(v, dict):
            out |= _flat_keys(v, f"{prefix}{k}.")
        else:
            out.add(f"{prefix}{k}")
    return out


async def test_reports_need_a_reader_role(apps: Apps, tokens: Tokens) -> None:
    year = datetime.now(UTC).year
    pegawai = tokens.pegawai("198001012005011001")
    for client, path in (
        (apps["kinerja"], f"/v1/reports/compliance?period={year}-Q1"),
        (apps["pelatihan"], f"/v1/reports/jp-compliance?year={year}"),
        (apps["publik"], f"/v1/reports/ikm?year={year}"),
    ):
        assert (await client.get(path)).status_code == 401, path
        denied = await client.get(path, headers={**pegawai, "Accept": "text/csv"})
        assert denied.status_code == 403, path
        assert denied.headers["content-type"].startswith("application/problem+json")
        assert json.loads(denied.text)["status"] == 403
