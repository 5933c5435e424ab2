"""kinerja's problems in Bahasa Indonesia: an unknown evaluation (404) and a taken unit code (409)."""

from __future__ import annotations

import uuid

import httpx

ID = {"Accept-Language": "id-ID"}


async def test_kinerja_404_and_409_in_indonesian(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    missing = uuid.uuid4()
    r = await client.get(f"/v1/evaluations/{missing}", headers={**admin, **ID})
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["content-language"] == "id"
    body = r.json()
    assert body["type"].endswith("/evaluation-not-found")
    assert (body["title"], body["detail"]) == (
        "Evaluasi tidak ditemukan",
        f"evaluasi {missing} tidak ditemukan",
    )

    english = await client.get(f"/v1/evaluations/{missing}", headers=admin)
    assert (english.json()["title"], english.json()["detail"]) == (
        "Evaluation not found",
        f"no evaluation {missing}",
    )
    assert english.headers["content-language"] == "en"

    unit = {"code": "BKD-I18N", "name": "Badan Kepegawaian Daerah"}
    assert (await client.post("/v1/units", json=unit, headers=admin)).status_code == 201
    taken = await client.post("/v1/units", json=unit, headers={**admin, **ID})
    assert taken.status_code == 409
    assert (taken.json()["title"], taken.json()["detail"]) == (
        "Kode unit sudah dipakai",
        "unit kerja dengan kode 'BKD-I18N' sudah ada",
    )
