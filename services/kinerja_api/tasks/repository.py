"""The task-list query: one UNION ALL over SKPs, realisations, evaluations and objections, each branch an
index lookup from the caller (employee.supervisor_nip, employee_assignment.supervisor_nip, skp (nip, year),
objection status, evaluation (nip, period) for the caller's own FINAL evaluations to acknowledge). No per-report queries, however many direct reports the caller has."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from sqlalchemy import TextClause, text

from services.common.db import Reader, read_all

# The periods come as one VALUES row each (``{periods}``, a statement per number of periods), not as arrays
# to unnest: with arrays the planner could not know how many rows a prepared statement's generic plan would
# see, priced it at twice a custom plan and so planned the statement afresh on every request, 2-3 ms of
# PostgreSQL's CPU against about 1 ms to run it. With the rows spelled out it keeps the generic plan after the
# first executions: 0.3 of the time per request on the province-scale dataset (issue 21, docs/benchmarks.md).
_TASKS_SQL = """
    WITH p(period, start_on, end_on) AS ({periods})
    SELECT 'SKP_TO_APPROVE' AS kind, s.id AS ref_id, s.nip, e.name, CAST(s.year AS varchar) AS period,
           1 AS n, CAST(NULL AS date) AS due_on, CAST(NULL AS uuid) AS result_id
      FROM kinerja.skp s JOIN kinerja.employee e ON e.nip = s.nip
     WHERE s.status = 'SUBMITTED'
       AND (e.supervisor_nip = CAST(:me AS varchar) OR (CAST(:admin AS boolean) AND e.supervisor_nip IS NULL))
    UNION ALL
    SELECT 'REALIZATION_DUE', s.id, s.nip, NULL, CAST(:cur AS varchar), count(*), NULL, NULL
      FROM kinerja.skp s
      JOIN kinerja.skp_result r ON r.skp_id = s.id
      JOIN kinerja.skp_indicator i ON i.result_id = r.id
     WHERE s.nip = CAST(:me AS varchar) AND s.year = :year AND s.status = 'APPROVED'
       -- Not an SKP closed by a move to another position (frozen: nothing more is reported on it).
       AND s.valid_to = make_date(CAST(:year AS integer) + 1, 1, 1)
       AND NOT EXISTS (SELECT 1 FROM kinerja.realization z WHERE z.indicator_id = i.id AND z.period = :cur)
     GROUP BY s.id, s.nip
    UNION ALL
    SELECT DISTINCT CASE WHEN w.last THEN 'EVALUATION_TO_WRITE' ELSE 'PART_TO_WRITE' END,
           CASE WHEN w.last THEN v.id ELSE pt.id END, a.nip, e.name, p.period, 1, CAST(NULL AS date),
           v.id
      FROM p
      JOIN kinerja.employee_assignment a
        ON (a.supervisor_nip = CAST(:me AS varchar) OR (CAST(:admin AS boolean) AND a.supervisor_nip IS NULL))
       AND a.valid_from <= p.end_on AND (a.valid_to IS NULL OR a.valid_to > p.start_on)
      JOIN kinerja.employee e ON e.nip = a.nip AND e.active
      -- The stretch is the period's last (its supervisor of record writes the result) unless someone else
      -- supervised the employee after it, inside the period: then its supervisor writes a part.
      CROSS JOIN LATERAL (SELECT NOT EXISTS (
          SELECT 1 FROM kinerja.employee_assignment o
           WHERE o.nip = a.nip AND o.valid_from > a.valid_from AND o.valid_from <= p.end_on
             AND o.supervisor_nip IS DISTINCT FROM a.supervisor_nip) AS last) w
      LEFT JOIN kinerja.evaluation v ON v.nip = a.nip AND v.period = p.period AND v.kind = 'RESULT'
      LEFT JOIN LATERAL (
          SELECT x.id, x.status FROM kinerja.evaluation x
           WHERE x.result_id = v.id AND x.evaluator_nip IS NOT DISTINCT FROM a.supervisor_nip
             AND x.period_start <= LEAST(p.end_on, COALESCE(a.valid_to - 1, p.end_on))
             AND x.period_end >= GREATEST(a.valid_from, p.start_on)
           ORDER BY x.period_start LIMIT 1) pt ON true
     WHERE v.status IS DISTINCT FROM 'FINAL' AND (w.last OR pt.status IS DISTINCT FROM 'FINAL')
    UNION ALL
    SELECT 'OBJECTION_TO_DECIDE', o.id, v.nip, e.name, v.period, 1,
           CAST((o.created_at AT TIME ZONE 'Asia/Jakarta') AS date) + CAST(:objection_days AS integer), NULL
      FROM kinerja.objection o
      JOIN kinerja.evaluation v ON v.id = o.evaluation_id
      JOIN kinerja.employee e ON e.nip = v.nip
     WHERE o.status = 'PENDING' AND v.kind = 'RESULT'
       AND (v.decider_nip = CAST(:me AS varchar) OR (CAST(:admin AS boolean) AND v.decider_nip IS NULL))
    UNION ALL
    SELECT 'EVALUATION_TO_ACKNOWLEDGE', v.id, v.nip, NULL, v.period, 1,
           CAST((v.finalized_at AT TIME ZONE 'Asia/Jakarta') AS date) + CAST(:objection_days AS integer), NULL
      FROM kinerja.evaluation v
     WHERE v.nip = CAST(:me AS varchar) AND v.kind = 'RESULT' AND v.status = 'FINAL' AND v.acknowledged_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM kinerja.objection o WHERE o.evaluation_id = v.id)
    """


@functools.cache
def _tasks_statement(periods: int) -> TextClause:
    """The task query for ``periods`` periods, bound as ``p0``/``s0``/``e0`` (code, first day, last day), ...."""
    rows = ", ".join(
        f"(CAST(:p{i} AS varchar), CAST(:s{i} AS date), CAST(:e{i} AS date))" for i in range(periods)
    )
    values = (
        "VALUES " + rows
        if periods
        else "SELECT CAST(NULL AS varchar), CAST(NULL AS date), CAST(NULL AS date) WHERE false"
    )
    return text(_TASKS_SQL.format(periods=values))


class TaskRow(NamedTuple):
    """One open piece of work."""

    kind: str
    ref_id: uuid.UUID | None
    nip: str
    name: str | None
    period: str
    n: int
    due_on: date | None
    # PART_TO_WRITE: the result the part belongs to (``ref_id`` is the part, when it was opened already).
    result_id: uuid.UUID | None = None


async def open_tasks(
    session: Reader,
    *,
    me: str | None,
    admin: bool,
    current: str,
    year: int,
    periods: Sequence[tuple[str, date, date]],
    objection_days: int,
) -> list[TaskRow]:
    """Every open task of the caller in one statement."""
    params: dict[str, object] = {
        "me": me,
        "admin": admin,
        "cur": current,
        "year": year,
        "objection_days": objection_days,
    }
    for i, (code, start, end) in enumerate(periods):
        params.update({f"p{i}": code, f"s{i}": start, f"e{i}": end})
    return [TaskRow(*r) for r in await read_all(session, _tasks_statement(len(periods)), params)]
