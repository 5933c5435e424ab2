"""Months per functional level in a year, with the annual result, in one statement.

The months of the year are generated (12 rows) and joined to the JF stretches of the assignment history
(partial index ``ix_employee_assignment_jenjang_valid_from``); the annual result is found on
``ix_evaluation_nip_period``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


class CreditRow(NamedTuple):
    """One employee who held a functional level during the year, with their annual result (if any)."""

    nip: str
    name: str
    unit_id: uuid.UUID
    status: str | None
    predikat: str | None
    months: list[tuple[str, int]]


async def credit_rows(
    session: AsyncSession,
    year: int,
    *,
    units: Sequence[uuid.UUID] | None = None,
    nip: str | None = None,
    after_nip: str | None = None,
    limit: int = 1,
) -> list[CreditRow]:
    """Employees (one ``nip``, or of ``units``) with months in a functional level during ``year``, NIP order."""
    params: dict[str, Any] = {
        "first": date(year, 1, 1),
        "last": date(year, 12, 1),
        "period": str(year),
        "limit": limit,
    }
    stretch = ""
    if nip is not None:
        stretch = " AND a.nip = :nip"
        params["nip"] = nip
    where = []
    if units is not None:
        where.append("coalesce(v.unit_id, e.unit_id) = ANY(:units)")
        params["units"] = list(units)
    if after_nip is not None:
        where.append("e.nip > :after")
        params["after"] = after_nip
    sql = (
        "WITH m AS (SELECT CAST(generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 month')"
        " AS date) AS d),"
        " lv AS (SELECT a.nip, a.jenjang, count(*) AS months, min(m.d) AS since"
        "   FROM kinerja.employee_assignment a"
        "   JOIN m ON a.valid_from <= m.d AND (a.valid_to IS NULL OR a.valid_to > m.d)"
        "   WHERE a.jenjang IS NOT NULL AND a.valid_from <= CAST(:last AS date)"
        "     AND (a.valid_to IS NULL OR a.valid_to > CAST(:first AS date))"
        + stretch
        + "   GROUP BY a.nip, a.jenjang)"
        " SELECT e.nip, e.name, coalesce(v.unit_id, e.unit_id), v.status, v.predikat,"
        "   json_agg(json_build_array(lv.jenjang, lv.months) ORDER BY lv.since)"
        " FROM lv JOIN kinerja.employee e ON e.nip = lv.nip"
        " LEFT JOIN kinerja.evaluation v ON v.nip = lv.nip AND v.period = :period AND v.kind = 'RESULT'"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " GROUP BY e.nip, e.name, v.unit_id, e.unit_id, v.status, v.predikat ORDER BY e.nip LIMIT :limit"
    )
    out = []
    for r in (await session.execute(text(sql), params)).all():
        levels = json.loads(r[5]) if isinstance(r[5], str) else r[5]
        out.append(CreditRow(r[0], r[1], r[2], r[3], r[4], [(str(j), int(n)) for j, n in levels]))
    return out
