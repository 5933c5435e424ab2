"""The follow-up query: one statement over the employees of some units, with their annual results.

Each annual result is looked up on the index ``ix_evaluation_nip_period``; a PPPK's contract years come from
``generate_series`` over the contract's calendar years (a handful per person), so the report stays one query.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


class FollowUpRow(NamedTuple):
    """One employee's annual predikat this year and last, and a PPPK's contract years."""

    nip: str
    name: str
    unit_id: uuid.UUID
    employment: str
    predikat: str | None
    previous_predikat: str | None
    contract_start: date | None
    contract_end: date | None
    contract_years: list[tuple[int, str | None]]


_ANNUAL = "kinerja.evaluation {a} ON {a}.nip = e.nip AND {a}.period = {p} AND {a}.kind = 'RESULT' AND {a}.status = 'FINAL'"


async def follow_up(
    session: AsyncSession,
    year: int,
    *,
    units: Sequence[uuid.UUID] | None,
    nip: str | None = None,
    after_nip: str | None = None,
    limit: int = 1,
) -> list[FollowUpRow]:
    """Active employees (or one ``nip``) of ``units`` in NIP order after ``after_nip``, up to ``limit``."""
    where = ["e.active"] if nip is None else ["e.nip = :nip"]
    params: dict[str, Any] = {"y": str(year), "py": str(year - 1), "limit": limit}
    if nip is not None:
        params["nip"] = nip
    if units is not None:
        where.append("e.unit_id = ANY(:units)")
        params["units"] = list(units)
    if after_nip is not None:
        where.append("e.nip > :after")
        params["after"] = after_nip
    sql = (
        "SELECT e.nip, e.name, e.unit_id, e.employment, cur.predikat, prev.predikat,"
        " e.contract_start, e.contract_end,"
        " (SELECT coalesce(json_agg(json_build_array(y, r.predikat) ORDER BY y), '[]')"
        "    FROM generate_series(CAST(extract(year FROM e.contract_start) AS int),"
        "                         CAST(extract(year FROM e.contract_end) AS int)) AS y"
        "    LEFT JOIN kinerja.evaluation r ON r.nip = e.nip AND r.period = CAST(y AS varchar)"
        "      AND r.kind = 'RESULT' AND r.status = 'FINAL')"
        " FROM kinerja.employee e"
        " LEFT JOIN "
        + _ANNUAL.format(a="cur", p=":y")
        + " LEFT JOIN "
        + _ANNUAL.format(a="prev", p=":py")
        + " WHERE "
        + " AND ".join(where)
        + " ORDER BY e.nip LIMIT :limit"
    )
    rows = (await session.execute(text(sql), params)).all()
    out = []
    for r in rows:
        years = json.loads(r[8]) if isinstance(r[8], str) else r[8]
        out.append(
            FollowUpRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], [(int(y), p) for y, p in years])
        )
    return out
