"""Issue 17 item 3: the evaluation document as a PDF -- rendered once per (nip, year, result version) and
stored, page 1 rasterised (pypdfium2) and not blank, its text (pypdf) holding every section and the figures,
fetched only by the employee, the evaluator, the atasan penilai and admins, and verified publicly by its code
without revealing anything personal."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pypdf
import pypdfium2  # type: ignore[import-untyped]

from services.kinerja_api.documents.render import SECTIONS
from tests.support.after_year import HEAD, JF, PPPK, STAFF, A, S, annual_result, evaluate, fetch, team
from tests.support.fixtures import Tokens


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


async def test_the_document_renders_is_stored_and_verifies(
    client: httpx.AsyncClient, admin: dict[str, str], db: str, tokens: Tokens, tmp_path: Path
) -> None:
    t = await team(client, admin)
    await evaluate(db, client, tokens.pegawai(HEAD), JF, "2026-Q1", A, S)
    org = await client.put(
        f"/v1/reports/org-predikat/{t['unit']}/2026", json={"org_predikat": "ISTIMEWA"}, headers=admin
    )
    assert org.status_code == 200, org.text
    url = f"/v1/employees/{JF}/evaluation-document?year=2026"
    assert (await client.get(url, headers=admin)).status_code == 409  # no annual result yet
    result = await annual_result(db, JF, t["unit"], 2026, "SANGAT_BAIK")
    await fetch(
        db,
        "INSERT INTO kinerja.objection (id, evaluation_id, nip, reason, status, decision_note, decided_at)"
        " VALUES (gen_random_uuid(), $1, $2, 'Realisasi melampaui target', 'REJECTED',"
        " 'Penilaian sudah sesuai bukti dukung', now())",
        result,
        JF,
    )

    first = await client.get(url, headers=tokens.pegawai(JF))
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/pdf"
    pdf = first.content
    assert pdf.startswith(b"%PDF-")
    code = first.headers["x-verification-code"]

    # Page 1 as PNG, and not blank.
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=1.5).to_pil().convert("L")
    image.save(tmp_path / "page1.png")
    assert (tmp_path / "page1.png").stat().st_size > 1000
    inked = sum(image.histogram()[:128])  # dark pixels
    assert inked > 0.005 * image.width * image.height, inked

    text = _text(pdf)
    for heading in SECTIONS:
        assert heading in text, heading
    for expected in (
        JF,
        "Analis Kepegawaian",  # the employee
        "Kepala Badan",  # the penilai
        "Gubernur Bengkulu",  # the atasan penilai of a JPT head's report
        "Istimewa",  # the organisation's predikat
        "Teliti dan tepat waktu",  # a behaviour note
        "Penilaian hasil kerja: Di Atas Ekspektasi",  # the main result's rating in the Q1 result (issue 16)
        "SANGAT BAIK",  # the predikat
        "2026-Q1: Baik",  # the periodic result
        "Ditolak",  # the objection's outcome
        "Penilaian sudah sesuai bukti dukung",
        "18.750",  # the credit points of an Ahli Pertama, Sangat Baik, full year
        code,
    ):
        assert expected in text, (expected, text)

    # Stored once: the evaluator, the atasan penilai's stand-in (admin) get the same bytes; one row.
    again = await client.get(url, headers=tokens.pegawai(HEAD))
    assert again.content == pdf
    assert (await client.get(url, headers=admin)).content == pdf
    assert len(await fetch(db, "SELECT id FROM kinerja.evaluation_document WHERE nip = $1", JF)) == 1
    # Others: 404 (a colleague, another employee, an integrator even with the scope).
    for who in (
        tokens.pegawai(STAFF),
        tokens.pegawai(PPPK),
        tokens.headers("tpp", ["integrator"], scope="kinerja:individual"),
    ):
        assert (await client.get(url, headers=who)).status_code == 404

    # Public verification: no token, nothing personal.
    verified = await client.get("/v1/documents/verify", params={"code": code.lower().replace("-", "")})
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["genuine"] is True
    assert len(body["content_hash"]) == 64
    assert set(body) == {"genuine", "content_hash", "issued_on"}
    assert JF not in verified.text
    forged = await client.get(
        "/v1/documents/verify", params={"code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH"}
    )
    assert forged.json() == {"genuine": False, "content_hash": None, "issued_on": None}
    assert (await client.get("/v1/documents/verify", params={"code": "<script>"})).status_code == 422

    # A corrected result (a new version) gets a new document with a new code.
    await fetch(db, "UPDATE kinerja.evaluation SET version = version + 1 WHERE id = $1", result)
    second = await client.get(url, headers=tokens.pegawai(JF))
    assert second.headers["x-verification-code"] != code
    assert len(await fetch(db, "SELECT id FROM kinerja.evaluation_document WHERE nip = $1", JF)) == 2


async def test_before_final_and_unknown(client: httpx.AsyncClient, admin: dict[str, str], db: str) -> None:
    t = await team(client, admin)
    await annual_result(db, PPPK, t["unit"], 2026, "BAIK", status="DRAFT")
    draft = await client.get(f"/v1/employees/{PPPK}/evaluation-document?year=2026", headers=admin)
    assert draft.status_code == 409
    assert "DRAFT, not FINAL" in draft.json()["detail"]
    missing = await client.get(
        "/v1/employees/199901012020011001/evaluation-document?year=2026", headers=admin
    )
    assert missing.status_code == 409  # an admin sees that the result is missing; others get 404
