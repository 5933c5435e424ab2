"""Report queries. Every aggregate runs in PostgreSQL (GROUP BY / FILTER), backed by an index:
``evaluation (period, unit_id, predikat)`` for counts, ``evaluation (nip, period)``, ``skp (nip, year)``
and ``realization (skp_id, period)`` for compliance, ``evaluation (period, id)`` for the SIASN pages."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.kinerja_api.reports.models import UnitOrgPredikat

_SUBTREE = text(
    """
    WITH RECURSIVE sub(id) AS (
        SELECT id FROM kinerja.unit WHERE id = :unit
      UNION ALL
        SELECT u.id FROM kinerja.unit u JOIN sub ON u.parent_id = sub.id
    )
    SELECT id FROM sub
    """
)


async def subtree(session: AsyncSession, unit_id: uuid.UUID) -> list[uuid.UUID]:
    """The unit and every unit below it; empty when the unit does not exist."""
    return list((await session.scalars(_SUBTREE, {"unit": unit_id})).all())


async def unit_name(session: AsyncSession, unit_id: uuid.UUID) -> str | None:
    """The name of a unit, or None when it does not exist."""
    name = await session.scalar(text("SELECT name FROM kinerja.unit WHERE id = :u"), {"u": unit_id})
    return str(name) if name is not None else None


async def heads_unit(session: AsyncSession, nip: str, unit_id: uuid.UUID) -> bool:
    """True when ``nip`` heads ``unit_id``: an active employee placed in it who holds its JPT position, or a
    structural position (ADMINISTRATOR, PENGAWAS) while answering to no one inside the unit (a Kepala Bidang
    answers to the Kepala Badan of the parent unit; a Sekretaris answers to the Kepala Badan in the same
    unit, so does not head it)."""
    found = await session.scalar(
        text(
            "SELECT 1 FROM kinerja.employee e WHERE e.nip = :n AND e.unit_id = :u AND e.active "
            "AND (e.position_type = 'JPT' OR (e.position_type IN ('ADMINISTRATOR', 'PENGAWAS') "
            "AND NOT EXISTS (SELECT 1 FROM kinerja.employee s "
            "WHERE s.nip = e.supervisor_nip AND s.unit_id = e.unit_id)))"
        ),
        {"n": nip, "u": unit_id},
    )
    return found is not None


async def predikat_counts(
    session: AsyncSession, period: str, units: Sequence[uuid.UUID] | None
) -> dict[str, int]:
    """FINAL evaluations of ``period`` per predikat (predikat is non-null exactly when FINAL), for the
    given units or the whole province."""
    sql = (
        "SELECT predikat, count(*) FROM kinerja.evaluation "
        "WHERE period = :p AND predikat IS NOT NULL"
        + (" AND unit_id = ANY(CAST(:units AS uuid[]))" if units is not None else "")
        + " GROUP BY predikat"
    )
    params: dict[str, Any] = {"p": period}
    if units is not None:
        params["units"] = list(units)
    rows = await session.execute(text(sql), params)
    return {str(r[0]): int(r[1]) for r in rows.all()}


async def final_as_of(
    session: AsyncSession, period: str, units: Sequence[uuid.UUID] | None
) -> datetime | None:
    """The newest change (``updated_at``) among the FINAL evaluations the distribution counts."""
    sql = "SELECT max(updated_at) FROM kinerja.evaluation WHERE period = :p AND predikat IS NOT NULL" + (
        " AND unit_id = ANY(CAST(:units AS uuid[]))" if units is not None else ""
    )
    params: dict[str, Any] = {"p": period}
    if units is not None:
        params["units"] = list(units)
    value = await session.scalar(text(sql), params)
    return value if isinstance(value, datetime) else None


async def get_org_predikat(session: AsyncSession, unit_id: uuid.UUID, period: str) -> str | None:
    """The organisation predikat set for a unit and period."""
    value = await session.scalar(
        text("SELECT org_predikat FROM kinerja.unit_org_predikat WHERE unit_id = :u AND period = :p"),
        {"u": unit_id, "p": period},
    )
    return str(value) if value is not None else None


async def set_org_predikat(
    session: AsyncSession, unit_id: uuid.UUID, period: str, value: str, by: str
) -> str | None:
    """Upsert the organisation predikat; returns the previous value."""
    before = await get_org_predikat(session, unit_id, period)
    stmt = insert(UnitOrgPredikat).values(unit_id=unit_id, period=period, org_predikat=value, set_by=by)
    stmt = stmt.on_conflict_do_update(
        index_elements=["unit_id", "period"],
        set_={"org_predikat": value, "set_by": by, "set_at": text("now()")},
    )
    await session.execute(stmt)
    return before


def _compliance_cte(units: Sequence[uuid.UUID] | None) -> str:
    """One row per active employee with three flags. ``predikat IS NOT NULL`` is FINAL (a check constraint).

    Two shapes, because PostgreSQL cannot pick between them itself: for the whole province each flag is a
    set built once and hash-joined (three scans of the period's rows, the evaluation one index-only), which
    is 4x faster than 3 x 100,000 index probes; for a unit the few employees are probed one by one
    (``LATERAL ... LIMIT 1``), each an index-only lookup, instead of reading the whole period.
    """
    if units is None:
        # Hash joins against each DISTINCT set, not ``nip IN (subquery)``: a hashed subplan must fit in
        # work_mem and otherwise degrades to a per-row scan (20 s at 200,000 employees), while a hash
        # join spills to disk in batches and stays linear.
        flags = """
            (sa.nip IS NOT NULL) AS skp_approved,
            (rr.nip IS NOT NULL) AS realization_reported,
            (ev.nip IS NOT NULL) AS evaluated
          FROM kinerja.employee e
          LEFT JOIN (SELECT DISTINCT s.nip FROM kinerja.skp s
                     WHERE s.year = :year AND s.status = 'APPROVED') sa ON sa.nip = e.nip
          LEFT JOIN (SELECT DISTINCT s.nip FROM kinerja.skp s JOIN kinerja.realization r ON r.skp_id = s.id
                     WHERE s.year = :year AND r.period = ANY(CAST(:rperiods AS varchar[]))) rr ON rr.nip = e.nip
          LEFT JOIN (SELECT DISTINCT v.nip FROM kinerja.evaluation v
                     WHERE v.period = :period AND v.predikat IS NOT NULL) ev ON ev.nip = e.nip
          WHERE e.active"""
    else:
        # One probe per employee and flag. Not EXISTS: PostgreSQL turns an uncorrelatable EXISTS into a hashed
        # subplan that reads the whole province's rows for the year or period (so one OPD took 40 % of the
        # province's time at 1,000,000 evaluations, and would grow with the province); a LATERAL ... LIMIT 1
        # stays a per-employee, index-only probe (ix_skp_nip_year_status, ix_evaluation_nip_period_final).
        flags = """
            (sa.ok IS NOT NULL) AS skp_approved,
            (rr.ok IS NOT NULL) AS realization_reported,
            (ev.ok IS NOT NULL) AS evaluated
          FROM kinerja.employee e
          LEFT JOIN LATERAL (SELECT true AS ok FROM kinerja.skp s
                             WHERE s.nip = e.nip AND s.year = :year AND s.status = 'APPROVED' LIMIT 1) sa ON true
          LEFT JOIN LATERAL (SELECT true AS ok FROM kinerja.skp s JOIN kinerja.realization r ON r.skp_id = s.id
                             WHERE s.nip = e.nip AND s.year = :year
                               AND r.period = ANY(CAST(:rperiods AS varchar[])) LIMIT 1) rr ON true
          LEFT JOIN LATERAL (SELECT true AS ok FROM kinerja.evaluation v
                             WHERE v.nip = e.nip AND v.period = :period AND v.predikat IS NOT NULL LIMIT 1) ev ON true
          WHERE e.active AND e.unit_id = ANY(CAST(:units AS uuid[]))"""
    return "WITH c AS MATERIALIZED (SELECT e.nip, e.name, e.unit_id," + flags + ")"


class ComplianceSummary(NamedTuple):
    """Counts over the active employees of the units."""

    headcount: int
    skp_approved: int
    realization_reported: int
    evaluated: int


class ComplianceRow(NamedTuple):
    """One employee who misses at least one step."""

    nip: str
    name: str
    unit_id: uuid.UUID
    skp_approved: bool
    realization_reported: bool
    evaluated: bool


def _params(
    year: int, period: str, rperiods: Sequence[str], units: Sequence[uuid.UUID] | None
) -> dict[str, Any]:
    params: dict[str, Any] = {"year": year, "period": period, "rperiods": list(rperiods)}
    if units is not None:
        params["units"] = list(units)
    return params


async def compliance_summary(
    session: AsyncSession, year: int, period: str, rperiods: Sequence[str], units: Sequence[uuid.UUID] | None
) -> ComplianceSummary:
    """Headcount and how many have an approved SKP, a realisation, a FINAL evaluation."""
    summary, _ = await compliance(session, year, period, rperiods, units, after_nip=None, limit=0)
    return summary


async def compliance(
    session: AsyncSession,
    year: int,
    period: str,
    rperiods: Sequence[str],
    units: Sequence[uuid.UUID] | None,
    *,
    after_nip: str | None,
    limit: int,
) -> tuple[ComplianceSummary, list[ComplianceRow]]:
    """The counts and a page of employees missing a step (NIP order after ``after_nip``), in one
    statement over one materialised set."""
    sql = (
        _compliance_cte(units)
        + """
        SELECT (SELECT json_build_array(count(*), count(*) FILTER (WHERE skp_approved),
                                        count(*) FILTER (WHERE realization_reported),
                                        count(*) FILTER (WHERE evaluated)) FROM c),
               (SELECT coalesce(json_agg(json_build_array(nip, name, unit_id, skp_approved,
                                                          realization_reported, evaluated) ORDER BY nip), '[]')
                  FROM (SELECT * FROM c WHERE NOT (skp_approved AND realization_reported AND evaluated)"""
        + (" AND nip > :after" if after_nip is not None else "")
        + " ORDER BY nip LIMIT :limit) page)"
    )
    params = _params(year, period, rperiods, units)
    params["limit"] = limit
    if after_nip is not None:
        params["after"] = after_nip
    counts, page = (await session.execute(text(sql), params)).one()
    counts, page = _json(counts), _json(page)
    rows = [ComplianceRow(r[0], r[1], uuid.UUID(r[2]), r[3], r[4], r[5]) for r in page]
    return ComplianceSummary(*(int(c) for c in counts)), rows


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class SiasnRow(NamedTuple):
    """A FINAL evaluation with the employee's SIASN id and the penilai's header block: from the snapshot taken at
    finalisation, else (results finalised before snapshots existed) from the registry as it is now."""

    id: uuid.UUID
    nip: str
    siasn_id: str | None
    period: str
    period_start: Any
    period_end: Any
    result_rating: str
    behavior_rating: str
    predikat: str
    on_behalf: str | None
    penilai_nip: str | None
    penilai_nama: str | None
    penilai_golongan: str | None
    penilai_jabatan: str | None
    penilai_unor: str | None


async def siasn_page(
    session: AsyncSession, period: str, *, after_id: uuid.UUID | None, limit: int
) -> list[SiasnRow]:
    """A keyset page of a period's FINAL evaluations with the penilai's name, rank, position and unit."""
    snap = "v.snapshot -> 'penilai' ->> "
    sql = (
        "SELECT v.id, v.nip, e.siasn_id, v.period, v.period_start, v.period_end, v.result_rating,"
        " v.behavior_rating, v.predikat, v.on_behalf,"
        " CASE WHEN v.snapshot IS NULL THEN p.nip ELSE " + snap + "'nip' END,"
        " CASE WHEN v.snapshot IS NULL THEN p.name ELSE " + snap + "'name' END,"
        " CASE WHEN v.snapshot IS NULL THEN p.rank ELSE " + snap + "'rank' END,"
        " CASE WHEN v.snapshot IS NULL THEN p.position ELSE " + snap + "'position' END,"
        " CASE WHEN v.snapshot IS NULL THEN pu.name ELSE " + snap + "'unit_name' END"
        " FROM kinerja.evaluation v"
        " JOIN kinerja.employee e ON e.nip = v.nip"
        " LEFT JOIN kinerja.employee p ON p.nip = v.evaluator_nip"
        " LEFT JOIN kinerja.unit pu ON pu.id = p.unit_id"
        " WHERE v.period = :p AND v.status = 'FINAL' AND v.kind = 'RESULT'"
        + (" AND v.id > :after" if after_id is not None else "")
        + " ORDER BY v.id LIMIT :limit"
    )
    params: dict[str, Any] = {"p": period, "limit": limit}
    if after_id is not None:
        params["after"] = after_id
    rows = await session.execute(text(sql), params)
    return [SiasnRow(*r) for r in rows.all()]
