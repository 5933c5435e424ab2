"""Report queries. Every aggregate runs in PostgreSQL (GROUP BY / FILTER), backed by an index:
``evaluation (period, unit_id, predikat)`` for counts, ``evaluation (period, nip)`` / ``(nip, period)``,
``skp (nip, year)``, ``skp (owner_unit_id, year, nip)``, ``realization (period, skp_nip)`` and
``realization (period, skp_unit_id, skp_nip)`` for compliance, ``evaluation (period, id)`` for the SIASN pages."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import Reader, read_all
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


_HEADS_UNIT = text(
    "SELECT 1 FROM kinerja.employee e WHERE e.nip = CAST(:n AS varchar) AND e.unit_id = CAST(:u AS uuid) "
    "AND e.active AND (e.position_type = 'JPT' OR (e.position_type IN ('ADMINISTRATOR', 'PENGAWAS') "
    "AND NOT EXISTS (SELECT 1 FROM kinerja.employee s WHERE s.nip = e.supervisor_nip AND s.unit_id = e.unit_id)))"
)


async def heads_unit(db: Reader, nip: str, unit_id: uuid.UUID) -> bool:
    """True when ``nip`` heads ``unit_id``: an active employee placed in it who holds its JPT position, or a
    structural position (ADMINISTRATOR, PENGAWAS) while answering to no one inside the unit (a Kepala Bidang
    answers to the Kepala Badan of the parent unit; a Sekretaris answers to the Kepala Badan in the same
    unit, so does not head it)."""
    return bool(await read_all(db, _HEADS_UNIT, {"n": nip, "u": unit_id}))


# The distribution in one statement (issue 21: four round trips on an ORM session before, the mixed load's
# slowest read): whether the unit exists, its organisation predikat, and one row per predikat counted
# (none when nothing is FINAL) with the newest ``updated_at``; ``ix_evaluation_period_unit_id_predikat`` per
# unit of the subtree (an ``= ANY`` of the subtree's ids, computed once).
_COUNTED = """
counted AS (
    SELECT predikat, count(*) AS n, max(updated_at) AS as_of FROM kinerja.evaluation
     WHERE period = CAST(:p AS varchar) AND predikat IS NOT NULL AND {scope}
     GROUP BY predikat
)
SELECT {found} AS found, {org} AS org, counted.predikat, counted.n, counted.as_of
  FROM (VALUES (1)) AS one(x) LEFT JOIN counted ON true
"""
_UNIT_DISTRIBUTION = text(
    """
    WITH RECURSIVE sub(id) AS (
        SELECT id FROM kinerja.unit WHERE id = CAST(:u AS uuid)
      UNION ALL
        SELECT c.id FROM kinerja.unit c JOIN sub ON c.parent_id = sub.id WHERE CAST(:subunits AS boolean)
    ),"""
    + _COUNTED.format(
        scope="unit_id = ANY(ARRAY(SELECT id FROM sub))",
        found="EXISTS (SELECT 1 FROM sub)",
        org="(SELECT o.org_predikat FROM kinerja.unit_org_predikat o "
        "WHERE o.unit_id = CAST(:u AS uuid) AND o.period = CAST(:p AS varchar))",
    )
)
_PROVINCE_DISTRIBUTION = text(
    "WITH" + _COUNTED.format(scope="true", found="true", org="CAST(NULL AS varchar)")
)


class Distribution(NamedTuple):
    """What the predikat distribution counts: ``found`` is false for a unit that does not exist."""

    found: bool
    org_predikat: str | None
    counts: dict[str, int]
    as_of: datetime | None


async def distribution(
    db: Reader, period: str, unit_id: uuid.UUID | None, include_subunits: bool
) -> Distribution:
    """FINAL evaluations of ``period`` per predikat (predikat is non-null exactly when FINAL) and the newest
    change among them, for a unit (and the units below it) or the whole province, with the unit's
    organisation predikat; one statement."""
    if unit_id is None:
        rows = await read_all(db, _PROVINCE_DISTRIBUTION, {"p": period})
    else:
        rows = await read_all(
            db, _UNIT_DISTRIBUTION, {"p": period, "u": unit_id, "subunits": include_subunits}
        )
    counted = [r for r in rows if r.predikat is not None]
    return Distribution(
        found=bool(rows[0].found),
        org_predikat=rows[0].org,
        counts={str(r.predikat): int(r.n) for r in counted},
        as_of=max((r.as_of for r in counted), default=None),
    )


async def predikat_counts(db: Reader, period: str, unit_id: uuid.UUID | None) -> dict[str, int]:
    """FINAL evaluations of ``period`` per predikat, for one unit (not those below it) or the province."""
    return (await distribution(db, period, unit_id, include_subunits=False)).counts


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


# Per employee ``e``, two probes (each index-only, O(log n) in the province): the employee's SKPs of the year
# (ix_skp_nip_year_status), each with one realisation probe (ix_realization_skp_id_period), give both SKP
# flags; one probe gives the FINAL evaluation (ix_evaluation_period_nip_final). LATERAL ... LIMIT 1, not
# EXISTS: PostgreSQL turns an uncorrelatable EXISTS into a hashed subplan that reads the whole province's rows
# for the year or period, so a unit's report would grow with the province. (Separate LIMIT 1 probes of an
# approved SKP and of ix_realization_period_skp_nip were slower here: 47 vs 31 ms for an OPD of 5,004 at
# 1,000,000 evaluations, medians of 15 alternating runs: two probes for every employee instead of a
# realisation probe only for those with an SKP.)
_SKP_PROBE = """
  LEFT JOIN LATERAL (SELECT bool_or(s.status = 'APPROVED') AS approved, bool_or(rp.ok) AS reported
                     FROM kinerja.skp s
                     LEFT JOIN LATERAL (SELECT true AS ok FROM kinerja.realization r
                                        WHERE r.skp_id = s.id AND r.period = ANY(CAST(:rperiods AS varchar[]))
                                        LIMIT 1) rp ON true
                     WHERE s.nip = e.nip AND s.year = :year) sk ON true"""
_EV_PROBE = """
  LEFT JOIN LATERAL (SELECT true AS ok FROM kinerja.evaluation v
                     WHERE v.nip = e.nip AND v.period = :period AND v.predikat IS NOT NULL LIMIT 1) ev ON true"""
_PROBES = _SKP_PROBE + _EV_PROBE

_FLAGS = (
    "coalesce(sk.approved, false) AS skp_approved, coalesce(sk.reported, false) AS realization_reported,"
    " (ev.ok IS NOT NULL) AS evaluated"
)

# Every NIP in skp, realization (through its SKP) and evaluation is an employee's (foreign keys), so "held by an
# active employee" is "not held by an inactive one": an anti-join with the few inactive employees
# (ix_employee_active_nip, active = false) instead of a join with all the active ones.
_ACTIVE = "NOT EXISTS (SELECT 1 FROM kinerja.employee i WHERE NOT i.active AND i.nip = {})"


def _reported_nips(n_periods: int) -> str:
    """The active employees' NIPs with a realisation of one of the periods on an SKP of the year, each once:
    one range of ix_realization_period_skp_nip per period (in NIP order; ``period = ANY(...)`` would give
    none). The inactive are removed in each range, before the union, whose size PostgreSQL cannot estimate
    (it guessed 200 rows and planned a nested loop over the inactive employees)."""
    branches = " UNION ALL ".join(
        "SELECT r.skp_nip FROM kinerja.realization r"
        f" WHERE r.period = (CAST(:rperiods AS varchar[]))[{k + 1}] AND r.skp_year = :year"
        f" AND {_ACTIVE.format('r.skp_nip')}"
        for k in range(max(n_periods, 1))
    )
    return f"SELECT x.skp_nip FROM ({branches}) x GROUP BY x.skp_nip"


def _counts_sql(units: Sequence[uuid.UUID] | None, n_periods: int = 1) -> str:
    """Headcount and the three flag counts, names never read.

    For the whole province each count is its own pass over one index, read index-only in NIP order: the active
    employees; the NIPs with an approved SKP of the year (ix_skp_nip_year_status, grouped); with a realisation
    (``_reported_nips``); the period's FINAL evaluations (ix_evaluation_period_nip_final; at most one per NIP
    and period: uq_evaluation_result_nip_period, and only a RESULT carries a predikat). Each drops the
    inactive employees' NIPs by an anti-join (``_ACTIVE``). At 10,000,000 evaluations this replaced three
    merge joins of 1,000,000 rows each and one realisation probe per SKP (4.9 s). For a unit the same counts
    come from the unit's own index ranges (see below), never from the whole period.
    """
    if units is None:
        return f"""
            SELECT (SELECT count(*) FROM kinerja.employee e WHERE e.active) AS headcount,
                   (SELECT count(*) FROM (SELECT s.nip FROM kinerja.skp s
                                           WHERE s.year = :year AND s.status = 'APPROVED'
                                             AND {_ACTIVE.format("s.nip")} GROUP BY s.nip) a) AS skp_approved,
                   (SELECT count(*) FROM ({_reported_nips(n_periods)}) rp) AS realization_reported,
                   (SELECT count(*) FROM kinerja.evaluation v
                     WHERE v.period = :period AND v.predikat IS NOT NULL
                       AND {_ACTIVE.format("v.nip")}) AS evaluated"""
    # For a unit each flag is counted from ranges of the unit's own rows, not by probing its employees one by
    # one: the SKPs of the year (ix_skp_owner_unit_id_year_nip) and the realisations of each period
    # (ix_realization_period_skp_unit_id) carry their owner's current unit (kinerja_0027's triggers), so a
    # unit's range holds exactly its employees' rows, grouped per NIP, inactive employees dropped as for the
    # province. (Per employee, an SKP probe by NIP and a realisation probe per SKP were 5,004 + 4,040 index
    # descents for an OPD at 1,000,000 evaluations, about 70 % of the statement.) An evaluation keeps the unit
    # it was made in, so the unit's FINAL evaluations of the period (ix_evaluation_period_unit_id_predikat,
    # index-only, at most one per NIP and period: uq_evaluation_result_nip_period) are joined with the unit's
    # employees, and only an employee not found there (evaluated while placed elsewhere, or not at all) is
    # probed by NIP.
    unit = "CAST(:units AS uuid[])"
    return f"""
        SELECT (SELECT count(*) FROM unit_staff) AS headcount,
               (SELECT count(*) FROM (SELECT s.owner_unit_id, s.nip FROM kinerja.skp s
                                       WHERE s.owner_unit_id = ANY({unit}) AND s.year = :year
                                         AND s.status = 'APPROVED' AND {_ACTIVE.format("s.nip")}
                                       GROUP BY s.owner_unit_id, s.nip) a) AS skp_approved,
               (SELECT count(*) FROM (SELECT r.skp_unit_id, r.skp_nip FROM kinerja.realization r
                                       WHERE r.period = ANY(CAST(:rperiods AS varchar[]))
                                         AND r.skp_unit_id = ANY({unit}) AND r.skp_year = :year
                                         AND {_ACTIVE.format("r.skp_nip")}
                                       GROUP BY r.skp_unit_id, r.skp_nip) rp) AS realization_reported,
               (SELECT count(*) FROM unit_staff e
                  LEFT JOIN (SELECT v.nip FROM kinerja.evaluation v
                              WHERE v.period = :period AND v.unit_id = ANY({unit}) AND v.predikat IS NOT NULL) ue
                    ON ue.nip = e.nip
                  {_EV_PROBE.replace("WHERE v.nip = e.nip", "WHERE ue.nip IS NULL AND v.nip = e.nip")}
                 WHERE ue.nip IS NOT NULL OR ev.ok) AS evaluated"""


def _page_sql(units: Sequence[uuid.UUID] | None, after: bool) -> str:
    """Employees missing a step, in NIP order from ``:after``: the employees are walked in NIP order
    (the primary key, or the unit's own rows sorted) and probed until the page is full, so a page costs
    about ``limit`` / (share missing a step) probes, whatever the size of the province."""
    # The unit's rows are sorted byte-wise (COLLATE "C"): a NIP is 18 digits (ck_employee_nip_digits), so the
    # order is the default collation's, and the sort compares with memcmp and abbreviated keys instead of the
    # locale's strcoll (1.3-2.0 ms of about 20 for an OPD of 5,004, medians of 21-31 alternating runs). Both
    # ORDER BYs name it, so the outer one takes the subquery's order and the probes still stop at the limit.
    order = "nip" if units is None else 'nip COLLATE "C"'
    return (
        "SELECT e.nip, e.name, e.unit_id, "
        + _FLAGS
        + (
            " FROM kinerja.employee e"
            if units is None
            # A sorted subquery, not the CTE itself: its order is known, so the probes stop at the limit.
            else f" FROM (SELECT * FROM unit_staff ORDER BY {order}) e"
        )
        + _PROBES
        + " WHERE e.active"
        + (" AND e.nip > :after" if after else "")
        + " AND NOT (coalesce(sk.approved, false) AND coalesce(sk.reported, false) AND ev.ok IS NOT NULL)"
        f" ORDER BY e.{order} LIMIT :limit"
    )


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
    statement: the counts (for the province one index pass per count), the page by keyset over the employees
    (no set of all employees is materialised or sorted)."""
    # A unit's active employees, read once through ix_employee_unit_id_nip: the page then sorts these few
    # rather than walking the province's primary key until it meets enough of them. (Their NIPs alone, read
    # index-only from a partial index, with the page's names read afterwards, was 1.16x slower at 1,000,000
    # evaluations and 1.05x at 10,000,000, medians of 15 and 9 alternating runs.)
    staff = (
        "WITH unit_staff AS MATERIALIZED (SELECT e.nip, e.name, e.unit_id, e.active FROM kinerja.employee e"
        " WHERE e.active AND e.unit_id = ANY(CAST(:units AS uuid[]))) "
        if units is not None
        else ""
    )
    sql = (
        staff
        + "SELECT (SELECT json_build_array(c.headcount, c.skp_approved, c.realization_reported, c.evaluated)"
        " FROM ("
        + _counts_sql(units, len(rperiods))
        + ") c), (SELECT coalesce(json_agg(json_build_array(p.nip, p.name, p.unit_id, p.skp_approved,"
        " p.realization_reported, p.evaluated) ORDER BY p.nip), '[]') FROM ("
        + _page_sql(units, after_nip is not None)
        + ") p)"
    )
    params = _params(year, period, rperiods, units)
    params["limit"] = limit
    if after_nip is not None:
        params["after"] = after_nip
    # The province's counts read every employee's rows, which prices the plan past jit_above_cost: compiling
    # the expressions cost about 100 ms per call at 1,000,000 evaluations (with the round-3 SQL) and saved
    # nothing. For this transaction only.
    await session.execute(text("SET LOCAL jit = off"))
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
