"""The gateway's reports with the four apps as real processes on loopback, on the demo data: the catalogue
lists exactly the reports of the exported specs; the unit scorecard composes the real figures of kinerja,
pelatihan and publik (the same the services answer directly), as JSON and CSV; with publik down it is a
partial report listing what is missing, and with every service down a 503 problem."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from asn_cli.seed import bootstrap, create_admin, seed_demo
from gateway.reports.specs import UNIT_SCORECARD
from services.common.apps import APP_NAMES
from services.common.reports import expected_cells, parse_csv
from services.common.request_id import HEADER
from tests.support.stack import ADMIN_PASSWORD, ADMIN_USER, SERVICE_SECRETS, Stack

pytestmark = pytest.mark.e2e
OPENAPI = Path(__file__).resolve().parents[2] / "openapi"


def exported_reports() -> set[tuple[str, str]]:
    """(METHOD, gateway path) of every x-report operation in the committed specs."""
    found: set[tuple[str, str]] = set()
    for app in APP_NAMES:
        spec = json.loads((OPENAPI / f"{app}.json").read_text())
        for path, item in spec["paths"].items():
            for method, op in item.items():
                if isinstance(op, dict) and "x-report" in op:
                    full = path if app == "gateway" or path.startswith(f"/{app}/") else f"/{app}{path}"
                    found.add((method.upper(), full))
    return found


async def integrator_headers(gw: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, str]:
    created = await gw.post(
        "/auth/clients", json={"name": "tpp-system", "roles": ["integrator"]}, headers=admin
    )
    assert created.status_code == 201, created.text
    body = created.json()
    token = await gw.post(
        "/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": body["client_id"],
            "client_secret": body["client_secret"],
        },
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def test_catalogue_and_unit_scorecard_over_real_processes(db: str, tmp_path: Path) -> None:
    await bootstrap(db, SERVICE_SECRETS)
    await create_admin(db, ADMIN_USER, ADMIN_PASSWORD)
    await seed_demo(dict.fromkeys(APP_NAMES, db), None)  # type: ignore[arg-type]
    stack = Stack(database_url=db, workdir=tmp_path)
    await asyncio.to_thread(stack.start)
    try:
        async with httpx.AsyncClient(base_url=stack.url, timeout=30.0) as gw:
            admin = {"Authorization": f"Bearer {await asyncio.to_thread(stack.token)}"}
            reader = await integrator_headers(gw, admin)

            # The catalogue: every report of the exported specs, nothing else, for admin and integrator.
            cat = await gw.get("/reports", headers=reader)
            assert cat.status_code == 200, cat.text
            body = cat.json()
            assert body["missing_services"] == []
            listed = {(r["method"], r["path"]) for r in body["reports"]}
            assert listed == exported_reports()
            assert {r["service"] for r in body["reports"]} == set(APP_NAMES)
            compliance = next(r for r in body["reports"] if r["name"] == "kinerja.compliance")
            assert compliance["path"] == "/kinerja/v1/reports/compliance"
            period_param = next(p for p in compliance["parameters"] if p["name"] == "period")
            assert period_param["required"] is True
            assert period_param["location"] == "query"
            assert compliance["media_types"] == [
                "application/json",
                "text/csv",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ]
            assert {"format", "dialect"} <= {p["name"] for p in compliance["parameters"]}
            assert compliance["schema_version"] == "1"
            assert (await gw.get("/reports", headers=admin)).status_code == 200
            pegawai = await gw.post(
                "/auth/token",
                data={"grant_type": "password", "username": "pegawai.bkd", "password": "bengkulu-demo"},
            )
            staff = {"Authorization": f"Bearer {pegawai.json()['access_token']}"}
            assert (await gw.get("/reports", headers=staff)).status_code == 403
            assert (await gw.get("/reports")).status_code == 401

            # A unit with figures in all three services.
            year = datetime.now(UTC).year
            ikm = (await gw.get("/publik/v1/reports/ikm", params={"year": year}, headers=reader)).json()
            unit = next(u for u in ikm["units"] if u["respondents"] > 0)["unit_id"]
            period = str(year)
            rid = "scorecard-test-0001"
            card = await gw.get(
                "/reports/unit-scorecard",
                params={"unit_id": unit, "period": period},
                headers={**reader, HEADER: rid},
            )
            assert card.status_code == 200, card.text
            assert card.headers[HEADER.lower()] == rid
            got = card.json()
            assert got["missing"] == []
            assert got["schema_version"] == "1"

            # The same figures the services answer directly.
            dist = (
                await gw.get(
                    "/kinerja/v1/reports/predikat-distribution",
                    params={"period": period, "unit_id": unit},
                    headers=reader,
                )
            ).json()
            comp = (
                await gw.get(
                    "/kinerja/v1/reports/compliance",
                    params={"period": period, "unit_id": unit},
                    headers=reader,
                )
            ).json()
            jp = (
                await gw.get(
                    "/pelatihan/v1/reports/jp-compliance",
                    params={"year": year, "unit_id": unit},
                    headers=reader,
                )
            ).json()
            ikm_unit = next(u for u in ikm["units"] if u["unit_id"] == unit)
            assert got["kinerja"]["counts"] == dist["counts"]
            assert got["kinerja"]["total"] == dist["total"]
            assert got["kinerja"]["compliance"] == {"headcount": comp["headcount"], **comp["counts"]}
            assert comp["headcount"] > 0
            jp_row = next(u for u in jp["units"] if u["unit_id"] == unit)
            assert got["pelatihan"] == {k: jp_row[k] for k in got["pelatihan"]}
            assert got["pelatihan"]["pns_total"] > 0
            assert got["publik"] == {k: ikm_unit[k] for k in ("respondents", "ikm", "mutu", "kinerja")}
            stamps = [
                d for d in (dist["data_as_of"], comp["data_as_of"], jp["data_as_of"], ikm["data_as_of"]) if d
            ]
            assert got["data_as_of"] is not None
            oldest = min(datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps)
            assert datetime.fromisoformat(got["data_as_of"].replace("Z", "+00:00")) <= oldest

            as_csv = await gw.get(
                "/reports/unit-scorecard",
                params={"unit_id": unit, "period": period},
                headers={**reader, "Accept": "text/csv"},
            )
            assert as_csv.status_code == 200, as_csv.text
            assert as_csv.headers["content-disposition"].startswith("attachment; filename=")
            header, rows = parse_csv(as_csv.text)
            columns = [c.name for c in UNIT_SCORECARD.columns]
            assert header == columns
            assert len(rows) == 1
            # Compare the figures (generated_at differs between the two calls; it is not a column).
            assert rows == expected_cells(got, columns, None)

            bad = await gw.get(
                "/reports/unit-scorecard",
                params={"unit_id": unit, "period": period},
                headers={**reader, "Accept": "application/xml"},
            )
            assert bad.status_code == 406
            assert bad.headers["content-type"].startswith("application/problem+json")
            unknown = await gw.get(
                "/reports/unit-scorecard",
                params={"unit_id": "00000000-0000-4000-8000-000000000000", "period": period},
                headers=reader,
            )
            assert unknown.status_code == 404, unknown.text
            assert (
                await gw.get(
                    "/reports/unit-scorecard", params={"unit_id": unit, "period": "2026-Q5"}, headers=reader
                )
            ).status_code == 422

            # publik down: a partial report that says what is missing.
            stack.procs["publik"][0].kill()
            partial = await gw.get(
                "/reports/unit-scorecard", params={"unit_id": unit, "period": period}, headers=reader
            )
            assert partial.status_code == 200, partial.text
            p = partial.json()
            assert p["publik"] is None
            assert [m["service"] for m in p["missing"]] == ["publik"]
            assert p["missing"][0]["status"] in (502, 503, 504)
            assert p["kinerja"] == got["kinerja"]
            assert p["pelatihan"] == got["pelatihan"]
            partial_csv = await gw.get(
                "/reports/unit-scorecard",
                params={"unit_id": unit, "period": period},
                headers={**reader, "Accept": "text/csv"},
            )
            _, prow = parse_csv(partial_csv.text)
            assert prow[0]["publik.ikm"] == ""
            assert json.loads(prow[0]["missing"])[0]["service"] == "publik"
            # The catalogue still answers (cached), listing the reports it knows.
            assert (await gw.get("/reports", headers=reader)).status_code == 200

            # Every service down: 503 problem.
            stack.procs["kinerja"][0].kill()
            stack.procs["pelatihan"][0].kill()
            down = await gw.get(
                "/reports/unit-scorecard", params={"unit_id": unit, "period": period}, headers=reader
            )
            assert down.status_code == 503, down.text
            assert down.headers["content-type"].startswith("application/problem+json")
            assert "retry-after" in down.headers
    finally:
        await asyncio.to_thread(stack.stop)
