"""Take the identity snapshot of a result at finalisation: one query for the three people and their units.

The snapshot is a plain JSON object stored on the evaluation (``evaluation.snapshot``):
``{"taken_at", "employee": Person, "penilai": Person, "atasan_penilai": Person, "heads_unit"}`` where
``heads_unit`` (when the caller knows it) says whether the employee headed the result's unit then (the unit
head's rating follows the organisation predikat, domain.md §11.3), and a Person is
``{"nip", "name", "rank", "position", "position_type", "jenjang", "employment", "unit_name"}``. When the
governor evaluates (no evaluator NIP) or decides (no superior), the Person is the governor's block with a null
NIP (SIASN ``statusPenilai`` NON ASN).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock

GOVERNOR: dict[str, Any] = {
    "nip": None,
    "name": "Gubernur Bengkulu",
    "rank": None,
    "position": "Gubernur",
    "position_type": None,
    "jenjang": None,
    "employment": None,
    "unit_name": "Pemerintah Provinsi Bengkulu",
}


async def people(session: AsyncSession, nips: list[str]) -> dict[str, dict[str, Any]]:
    """The identity blocks of ``nips`` as they are now, by NIP."""
    # Plain SQL on the two tables: this package sits below evaluations and employees (which import each other),
    # so it imports neither (tests/common/test_boundaries.py).
    rows = await session.execute(
        text(
            "SELECT e.nip, e.name, e.rank, e.position, e.position_type, e.jenjang, e.employment, u.name"
            " FROM kinerja.employee e JOIN kinerja.unit u ON u.id = e.unit_id"
            " WHERE e.nip = ANY(CAST(:nips AS varchar[]))"
        ),
        {"nips": nips},
    )
    keys = ("nip", "name", "rank", "position", "position_type", "jenjang", "employment", "unit_name")
    return {r[0]: dict(zip(keys, r, strict=True)) for r in rows.all()}


async def take(
    session: AsyncSession,
    *,
    nip: str,
    evaluator_nip: str | None,
    decider_nip: str | None,
    heads_unit: bool | None = None,
) -> dict[str, Any]:
    """The snapshot of the employee, the penilai (the governor when ``evaluator_nip`` is None) and the atasan
    penilai (the governor when ``decider_nip`` is None), and ``heads_unit`` when given."""
    found = await people(session, [n for n in (nip, evaluator_nip, decider_nip) if n is not None])
    extra: dict[str, Any] = {} if heads_unit is None else {"heads_unit": heads_unit}
    return {
        **extra,
        "taken_at": clock.now().isoformat(),
        "employee": found[nip],
        "penilai": found.get(evaluator_nip, GOVERNOR) if evaluator_nip else GOVERNOR,
        "atasan_penilai": found.get(decider_nip, GOVERNOR) if decider_nip else GOVERNOR,
    }
