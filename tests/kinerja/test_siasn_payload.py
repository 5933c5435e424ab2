"""Issue 17 item 4: the SIASN kinerjaperiodik export conforms to the SDK's kinerjaperiodik/save payload (a JSON
schema shipped in docs/schemas), names the person by SIASN id (listing who lacks one instead of sending the
NIP), sends the golonganPns reference id, and prints the penilai as they were at finalisation."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import jsonschema  # type: ignore[import-untyped]

from services.kinerja_api.reports.siasn_refs import GOLONGAN_PNS_ID
from tests.support.after_year import HEAD, JF, SIASN_JF, STAFF, A, S, evaluate, fetch, team
from tests.support.fixtures import Tokens

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "docs" / "schemas" / "siasn-kinerjaperiodik-save.json").read_text("utf-8")
)


def test_the_schema_and_the_table() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert len(GOLONGAN_PNS_ID) == 17
    assert (GOLONGAN_PNS_ID["I/a"], GOLONGAN_PNS_ID["III/d"], GOLONGAN_PNS_ID["IV/e"]) == ("11", "34", "45")


async def test_export_conforms_and_uses_the_snapshot(
    client: httpx.AsyncClient, admin: dict[str, str], db: str, tokens: Tokens
) -> None:
    await team(client, admin)
    boss = tokens.pegawai(HEAD)
    jf = await evaluate(db, client, boss, JF, "2026-Q1", A, A)
    await evaluate(db, client, boss, STAFF, "2026-Q1", S, S)
    stored = await fetch(db, "SELECT snapshot FROM kinerja.evaluation WHERE id = $1", jf["id"])
    snap = json.loads(stored[0]["snapshot"])
    assert snap["penilai"]["nip"] == HEAD
    assert snap["penilai"]["rank"] == "IV/c"
    assert snap["employee"]["jenjang"] == "AHLI_PERTAMA"
    assert snap["atasan_penilai"]["name"] == "Gubernur Bengkulu"  # a JPT head answers to the governor

    # The penilai is promoted and renamed afterwards: the export keeps what held at finalisation.
    changed = await client.patch(
        f"/v1/employees/{HEAD}", json={"rank": "IV/d", "name": "Nama Baru", "position": "Sekretaris Daerah"},
        headers=admin,
    )  # fmt: skip
    assert changed.status_code == 200, changed.text

    resp = await client.get("/v1/reports/siasn-kinerja?period=2026-Q1", headers=admin)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [m["nip"] for m in body["missing_siasn_id"]] == [STAFF]
    assert body["unmapped_penilai_golongan"] == []
    assert len(body["items"]) == 1
    item = body["items"][0]
    assert item["evaluation_id"] == jf["id"]
    assert item["pnsDinilaiId"] == SIASN_JF
    assert (item["penilaiNama"], item["penilaiGolongan"], item["penilaiJabatanNama"]) == (
        "Kepala Badan",
        "43",
        "Kepala Badan",
    )
    assert (item["hasilKinerjaNilai"], item["perilakuKerjaNilai"], item["kuadranKinerjaNilai"]) == (1, 1, 1)
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for record in body["items"]:
        payload = {k: v for k, v in record.items() if k != "evaluation_id"}  # ours, for tracing
        errors = sorted(validator.iter_errors(payload), key=str)
        assert not errors, [e.message for e in errors]
    # The NIP is never sent as the SIASN person id.
    assert all(not i["pnsDinilaiId"].isdigit() for i in body["items"])
    # A wrong payload does fail the schema (the check is not vacuous).
    bad = {k: v for k, v in body["items"][0].items() if k != "evaluation_id"} | {"pnsDinilaiId": JF}
    assert list(validator.iter_errors(bad))
