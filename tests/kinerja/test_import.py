"""CSV import through the API: 10,000 rows, idempotence, all-or-nothing with line numbers, bad files."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import asyncpg
import httpx

from services.kinerja_api.samples import CSV_HEADER, employees_csv
from tests.kinerja.test_registry_api import make_unit
from tests.support.fixtures import Tokens

CSV = {"Content-Type": "text/csv; charset=utf-8"}


async def count(db: str, table: str) -> int:
    conn = await asyncpg.connect(db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM kinerja.{table}"))
    finally:
        await conn.close()


async def test_ten_thousand_rows_then_unchanged(
    client: httpx.AsyncClient, admin: dict[str, str], db: str
) -> None:
    await make_unit(client, admin, "BKD")
    body = ("\ufeff" + employees_csv(10_000, "BKD")).encode()
    started = time.perf_counter()
    first = await client.post("/v1/employees/import", content=body, headers={**admin, **CSV})
    elapsed = time.perf_counter() - started
    assert first.status_code == 200, first.text[:500]
    assert first.json() == {"created": 10_000, "updated": 0, "unchanged": 0, "refused": 0}
    assert elapsed < 15, elapsed
    assert await count(db, "employee") == 10_000
    assert await count(db, "employee_assignment") == 10_000
    again = await client.post("/v1/employees/import", content=body, headers={**admin, **CSV})
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 10_000, "refused": 0}
    renamed = employees_csv(10_000, "BKD", name_suffix=" (baru)")
    lines = renamed.splitlines(keepends=True)
    mixed = "".join(lines[:101]) + "".join(body.decode()[1:].splitlines(keepends=True)[101:])
    third = await client.post("/v1/employees/import", content=mixed.encode(), headers={**admin, **CSV})
    assert third.json() == {"created": 0, "updated": 100, "unchanged": 9_900, "refused": 0}
    assert await count(db, "employee_assignment") == 10_000  # names changed, reporting lines did not


async def test_three_bad_lines_write_nothing(
    client: httpx.AsyncClient, admin: dict[str, str], db: str
) -> None:
    await make_unit(client, admin, "BKD")
    lines = employees_csv(50, "BKD").splitlines()
    lines[10] = lines[10].replace(",PNS,", ",HONORER,")  # line 11
    lines[20] = "198613312015051001" + lines[20][18:]  # line 21: birth date 1986-13-31
    lines[33] = lines[33].replace(",BKD,", ",NOPE,")  # line 34
    resp = await client.post(
        "/v1/employees/import", content="\n".join(lines).encode(), headers={**admin, **CSV}
    )
    assert resp.status_code == 422
    assert resp.headers["content-type"] == "application/problem+json"
    errors = resp.json()["errors"]
    assert [e["line"] for e in errors] == [11, 21, 34]
    assert "employment 'HONORER'" in errors[0]["msg"]
    assert "NIP birth date 19861331 is not a real date" in errors[1]["msg"]
    assert "unit_code 'NOPE' does not exist" in errors[2]["msg"]
    assert await count(db, "employee") == 0


async def test_graph_errors_across_the_file(
    client: httpx.AsyncClient, admin: dict[str, str], db: str
) -> None:
    await make_unit(client, admin, "BKD")
    a, b, c, d = "197001012000011001", "197101012000011001", "197201012000011001", "197301012000011001"
    rows = [
        f"{a},A,BKD,Kepala,JPT,IV/c,PNS,{c},true",  # 2: cycle a -> c -> b -> a
        f"{b},B,BKD,Kabid,ADMINISTRATOR,IV/a,PNS,{a},true",  # 3
        f"{c},C,BKD,Kasubbid,PENGAWAS,III/d,PNS,{b},true",  # 4
        f"{d},D,BKD,Staf,PELAKSANA,II/c,PNS,{d},true",  # 5: self
        "197401012000011001,E,BKD,Staf,PELAKSANA,II/c,PNS,199901012020011001,true",  # 6: unknown supervisor
        f"{a},A again,BKD,Kepala,JPT,IV/c,PNS,,true",  # 7: duplicate
        "197501012000011001,F,BKD,Staf,PELAKSANA,II/c,PNS,197601012000011001,true",  # 8: inactive supervisor
        "197601012000011001,G,BKD,Kasi,PENGAWAS,III/d,PNS,,false",  # 9: deactivated with an active report
        "197701012000011001,H,BKD,Staf,PELAKSANA,II/c,PNS",  # 10: ragged
    ]
    resp = await client.post(
        "/v1/employees/import", content=(CSV_HEADER + "\n".join(rows)).encode(), headers={**admin, **CSV}
    )
    assert resp.status_code == 422
    by_line = {e["line"]: e["msg"] for e in resp.json()["errors"]}
    assert sorted(by_line) == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert "cycle" in by_line[2]
    assert "cycle" in by_line[3]
    assert "cycle" in by_line[4]
    assert "own supervisor" in by_line[5]
    assert "neither in the database nor in this file" in by_line[6]
    assert "appears more than once (first on line 2)" in by_line[7]
    assert "is inactive" in by_line[8]
    assert "still supervises 1 active" in by_line[9]
    assert "expected 9 fields, got 7" in by_line[10]
    assert await count(db, "employee") == 0


async def test_bad_files(client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens) -> None:
    await make_unit(client, admin, "BKD")
    url = "/v1/employees/import"
    wrong_header = await client.post(url, content=b"nip;name\n1;2\n", headers={**admin, **CSV})
    assert wrong_header.status_code == 400
    assert "header must be exactly" in wrong_header.json()["detail"]
    unterminated = CSV_HEADER + '197001012000011001,"Unclosed,BKD,Kepala,JPT,IV/c,PNS,,true\n'
    broken = await client.post(url, content=unterminated.encode(), headers={**admin, **CSV})
    assert broken.status_code in (400, 422)
    latin1 = (CSV_HEADER + "197001012000011001,Andr\u00e9,BKD,Kepala,JPT,IV/c,PNS,,true\n").encode("latin-1")
    encoding = await client.post(url, content=latin1, headers={**admin, **CSV})
    assert encoding.status_code == 400
    assert "not UTF-8" in encoding.json()["detail"]
    empty = await client.post(url, content=b"", headers={**admin, **CSV})
    assert empty.status_code == 400
    as_json = await client.post(url, json={"rows": []}, headers=admin)
    assert as_json.status_code == 415
    huge = b"x" * (50 * 1024 * 1024)
    too_big = await client.post(url, content=huge, headers={**admin, **CSV})
    assert too_big.status_code == 413
    assert too_big.headers["content-type"] == "application/problem+json"
    pegawai = await client.post(
        url, content=CSV_HEADER.encode(), headers={**tokens.pegawai("197001012000011001"), **CSV}
    )
    assert pegawai.status_code == 403


async def test_import_limit_without_content_length(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    """A streamed (chunked) body is counted as it arrives and cut at the path's cap (services/common/body_limits.py)."""

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(25):
            yield b"y" * (1024 * 1024)

    resp = await client.post("/v1/employees/import", content=chunks(), headers={**admin, **CSV})
    assert resp.status_code == 413
