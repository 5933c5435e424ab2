"""publik's 422s in Bahasa Indonesia: request validation (title and detail translated, per-field locations
unchanged) and its own refusals."""

from __future__ import annotations

import uuid

import httpx

ID = {"Accept-Language": "id;q=0.9,en;q=0.8"}


async def test_publik_422_in_indonesian(publik: httpx.AsyncClient) -> None:
    r = await publik.post("/v1/surveys", json={"unit_id": str(uuid.uuid4()), "answers": [9]}, headers=ID)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["content-language"] == "id"
    body = r.json()
    assert body["type"].endswith("/validation-error")
    assert (body["title"], body["detail"]) == (
        "Permintaan tidak valid",
        "Permintaan tidak valid; lihat daftar errors.",
    )
    assert body["errors"]

    cursor = await publik.get("/v1/feed?cursor=bogus", headers=ID)
    assert cursor.status_code == 422
    assert cursor.json()["detail"] == "Nilai cursor tidak valid"
    assert cursor.json()["errors"] == [{"loc": ["query", "cursor"], "msg": "bad cursor"}]

    missing = await publik.get(f"/v1/units/{uuid.UUID(int=7)}/scorecard", headers=ID)
    assert missing.status_code == 404
    assert (missing.json()["title"], missing.json()["detail"]) == (
        "Tidak ditemukan",
        f"Unit {uuid.UUID(int=7)} tidak ditemukan",
    )
    english = await publik.get("/v1/feed?cursor=bogus")
    assert (english.json()["title"], english.json()["detail"]) == ("Invalid request", "cursor is not valid")
    assert english.headers["content-language"] == "en"
