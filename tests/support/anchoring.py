"""Ratings anchored to the SKP (issue 16) for tests that finalise evaluations: approved SKPs seeded straight
into PostgreSQL, and a PATCH body that rates every main result and the seven BerAKHLAK levels consistently
with the overall ratings (so the predikat a test asks for is the one it gets)."""

from __future__ import annotations

from typing import Any

import httpx

A, S, B = "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"
BERAKHLAK = (
    "BERORIENTASI_PELAYANAN",
    "AKUNTABEL",
    "KOMPETEN",
    "HARMONIS",
    "LOYAL",
    "ADAPTIF",
    "KOLABORATIF",
)


async def anchor_all(conn: Any, years: tuple[int, ...] = (2025, 2026)) -> None:
    """Give every employee without an SKP for one of ``years`` an APPROVED SKP over the whole year with one
    main result and indicator (one statement per table)."""
    for year in years:
        await conn.execute(
            """
            WITH missing AS (
                SELECT e.nip, gen_random_uuid() AS skp_id, gen_random_uuid() AS result_id
                  FROM kinerja.employee e
                 WHERE NOT EXISTS (SELECT 1 FROM kinerja.skp s WHERE s.nip = e.nip AND s.year = $1)
            ), skps AS (
                INSERT INTO kinerja.skp (id, nip, year, status, valid_from, valid_to, position, approved_on_behalf)
                SELECT skp_id, nip, $1, 'APPROVED', make_date($1, 1, 1), make_date($1 + 1, 1, 1), 'Analis', true
                  FROM missing
                RETURNING id
            ), results AS (
                INSERT INTO kinerja.skp_result (id, skp_id, kind, text, position)
                SELECT m.result_id, m.skp_id, 'UTAMA', 'Hasil kerja utama', 0 FROM missing m
                  JOIN skps ON skps.id = m.skp_id
                RETURNING id
            )
            INSERT INTO kinerja.skp_indicator (id, result_id, text, target, position)
            SELECT gen_random_uuid(), id, 'Indikator', '100%', 0 FROM results
            """,
            year,
        )


def anchored_body(
    main_results: list[dict[str, Any]],
    result: str,
    behavior: str,
    notes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Ratings for every main result (the overall result rating's own value), the seven BerAKHLAK levels at
    the overall behaviour rating (``notes`` override single values; six stay, so the median holds), and the
    written reasons a DI_BAWAH rating needs."""
    levels: dict[str, Any] = {v: {"level": behavior, "note": ""} for v in BERAKHLAK}
    for key, value in (notes or {}).items():
        levels[key] = value if isinstance(value, dict) else {"level": behavior, "note": value}
        levels[key].setdefault("level", behavior)
        if levels[key]["level"] is None:
            levels[key]["level"] = behavior
    body: dict[str, Any] = {
        "result_rating": result,
        "behavior_rating": behavior,
        "behavior_notes": levels,
        "main_ratings": {
            m["skp_result_id"]: {"rating": result, "note": "sesuai bukti dukung"} for m in main_results
        },
    }
    if result == B:
        body["result_reason"] = "Sebagian besar hasil kerja di bawah target."
    if behavior == B:
        body["behavior_reason"] = "Perilaku kerja di bawah ekspektasi, tercatat dalam umpan balik."
    return body


async def main_results(
    client: httpx.AsyncClient, headers: dict[str, str], evaluation_id: str, prefix: str = ""
) -> list[dict[str, Any]]:
    """The main results an evaluation is rated on (GET .../main-results)."""
    resp = await client.get(f"{prefix}/v1/evaluations/{evaluation_id}/main-results", headers=headers)
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items
