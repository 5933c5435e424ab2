"""The caller's open work, with deadlines from the period calendar.

Evaluations (and parts of them, for earlier supervisors of a period) to write cover the current periodic
period of the year's cadence and the ones before it (late ones stay listed, marked overdue): in a quarterly
year the current quarter and the one before; in a monthly year the current month and the three before (the
same reach back). Plus last year's annual evaluation during the first quarter. A period before 1 January
follows the cadence of its own year. An objection is due 14 days after it was lodged (our choice: the
Lampiran's exact term was not found, domain.md §1.10)."""

from __future__ import annotations

from datetime import date, timedelta

from services.common.db import Reader, read_kept
from services.common.readcache import Source
from services.kinerja_api.calendar import service as calendar
from services.kinerja_api.calendar.periods import (
    Cadence,
    Deadlines,
    Period,
    current_of,
    default_deadlines,
    parse_period,
)
from services.kinerja_api.caller import Caller
from services.kinerja_api.tasks import repository
from services.kinerja_api.tasks.schemas import Task, TaskKind, TaskList

OBJECTION_DAYS = 14

# Every table the task list reads (its two statements; a test checks this against their SQL), each with a change
# mark (migration kinerja_0031), so a caller's list is kept until one of them changes.
TASK_TABLES = Source.of(
    "kinerja",
    ("calendar_year", "employee", "employee_assignment", "evaluation", "objection", "period_calendar",
     "realization", "skp", "skp_indicator", "skp_result"),
)  # fmt: skip

BEFORE = {Cadence.QUARTERLY: 1, Cadence.MONTHLY: 3}
"""How many periodic periods before the current one stay listed, per cadence (about one quarter back)."""


def candidates(today: date) -> list[Period]:
    """Every period /me/tasks may list on ``today``, whichever cadence this year and last year run: the
    year and last year, the quarter and the month containing ``today`` and those before them."""
    out = [parse_period(str(today.year)), parse_period(str(today.year - 1))]
    for cadence in Cadence:
        p = current_of(today, cadence)
        out.append(p)
        for _ in range(BEFORE[cadence]):
            p = p.previous()
            out.append(p)
    return out


def evaluation_periods(today: date, cadences: dict[int, Cadence]) -> list[Period]:
    """The periodic periods whose evaluations /me/tasks lists, oldest first, each of its year's cadence."""
    current = current_of(today, cadences[today.year])
    out = [current]
    for _ in range(BEFORE[cadences[today.year]]):
        day = out[0].start - timedelta(days=1)
        out.insert(0, current_of(day, cadences[day.year]))
    return out


async def my_tasks_json(session: Reader, actor: Caller, *, today: date, prefix: str = "") -> bytes:
    """The JSON of :func:`my_tasks`, kept per caller, day and link prefix on the read path until a table it
    reads changes (services/common/readcache.py)."""

    async def compute() -> bytes:
        tasks = await my_tasks(session, actor, today=today, prefix=prefix)
        return tasks.__pydantic_serializer__.to_json(tasks, by_alias=True)

    key = ("me/tasks", actor.acting_nip, actor.is_admin, today, prefix)
    return await read_kept(session, TASK_TABLES, key, compute)


async def my_tasks(session: Reader, actor: Caller, *, today: date, prefix: str = "") -> TaskList:
    """Two queries: the cadences of this year and last year with the calendar entries involved, then every
    task in one UNION ALL. Links start with ``prefix`` (the caller's X-Forwarded-Prefix,
    services/common/links.py)."""
    cadences, cal = await calendar.window(session, [today.year - 1, today.year], candidates(today))
    eval_periods = evaluation_periods(today, cadences)
    current = eval_periods[-1]
    if today.month <= 3:
        eval_periods.append(parse_period(str(today.year - 1)))
    if actor.acting_nip is None and not actor.is_admin:
        return TaskList(as_of=today, counts=dict.fromkeys(TaskKind, 0), items=[])
    rows = await repository.open_tasks(
        session,
        me=actor.acting_nip,
        admin=actor.is_admin,
        current=current.code,
        year=today.year,
        periods=[(p.code, p.start, p.end) for p in eval_periods],
        objection_days=OBJECTION_DAYS,
    )

    def deadlines_of(code: str) -> Deadlines:
        return cal.get(code) or default_deadlines(parse_period(code))

    items: list[Task] = []
    for r in rows:
        kind = TaskKind(r.kind)
        who = r.name or r.nip
        if kind is TaskKind.SKP_TO_APPROVE:
            due = deadlines_of(r.period).skp_due_on
            title, link, method, body = (
                f"Approve the {r.period} SKP of {who}",
                f"/v1/skp/{r.ref_id}",
                "GET",
                None,
            )
        elif kind is TaskKind.REALIZATION_DUE:
            due = deadlines_of(r.period).realization_due_on
            title = f"Report {r.n} realisation(s) for {r.period}"
            link, method, body = f"/v1/skp/{r.ref_id}", "GET", None
        elif kind is TaskKind.EVALUATION_TO_WRITE:
            due = deadlines_of(r.period).evaluation_due_on
            title = f"Evaluate {who} for {r.period}"
            if r.ref_id is None:
                link, method, body = "/v1/evaluations", "POST", {"nip": r.nip, "period": r.period}
            else:
                link, method, body = f"/v1/evaluations/{r.ref_id}", "GET", None
        elif kind is TaskKind.PART_TO_WRITE:
            due = deadlines_of(r.period).evaluation_due_on
            title = f"Assess your part of the {r.period} result of {who} (the stretch you supervised)"
            if r.result_id is None:
                # Parts hang on the result: any supervisor of the period opens it (for the supervisor of
                # record), then adds their part.
                link, method, body = "/v1/evaluations", "POST", {"nip": r.nip, "period": r.period}
            elif r.ref_id is None:
                link, method, body = f"/v1/evaluations/{r.result_id}/parts", "POST", {}
            else:
                link, method, body = f"/v1/evaluations/{r.result_id}/parts/{r.ref_id}", "GET", None
        elif kind is TaskKind.EVALUATION_TO_ACKNOWLEDGE:
            # Due when the objection window closes: acknowledge, or object, before then.
            due = r.due_on or today
            title = f"Acknowledge your {r.period} evaluation (or lodge an objection)"
            link, method, body = f"/v1/evaluations/{r.ref_id}", "GET", None
        else:
            due = r.due_on or today
            title = f"Decide the objection of {who} ({r.period})"
            link, method, body = f"/v1/objections/{r.ref_id}", "GET", None
        items.append(
            Task(
                kind=kind,
                title=title,
                period=r.period,
                subject_nip=r.nip,
                subject_name=r.name,
                due_on=due,
                overdue=today > due,
                link=prefix + link,
                method=method,
                create_body=body,
                count=r.n,
            )
        )
    items.sort(key=lambda t: (t.due_on, t.kind.value, t.subject_nip))
    counts = {k: sum(1 for t in items if t.kind is k) for k in TaskKind}
    return TaskList(as_of=today, counts=counts, items=items)
