"""The period calendar: admin-set deadlines, falling back to the defaults of calendar/periods.py.
The same calendar drives GET /v1/me/tasks and the compliance report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import record_change
from services.common.errors import InvalidInput
from services.common.i18n import message_of, msg
from services.kinerja_api.calendar import repository
from services.kinerja_api.calendar.models import CalendarYear
from services.kinerja_api.calendar.periods import BadPeriod, Deadlines, Period, parse_period, periods_of_year
from services.kinerja_api.calendar.schemas import (
    OBJECTION_DAYS,
    CalendarEntry,
    CalendarSource,
    CalendarUpdate,
    YearRules,
    YearRulesRead,
)
from services.kinerja_api.caller import Caller
from services.kinerja_api.events import SINK


def parse(code: str, loc: str = "path") -> Period:
    """A period or 422."""
    try:
        return parse_period(code)
    except BadPeriod as exc:
        raise InvalidInput(message_of(exc), errors=[{"loc": [loc, "period"], "msg": str(exc)}]) from None


async def deadlines(session: AsyncSession, periods: Sequence[Period]) -> dict[str, Deadlines]:
    """The deadlines of each period (one query)."""
    rows = await repository.rows_for(session, [p.code for p in periods])
    out: dict[str, Deadlines] = {}
    for p in periods:
        row = rows.get(p.code)
        out[p.code] = (
            Deadlines(row.skp_due_on, row.realization_due_on, row.evaluation_due_on)
            if row is not None
            else p.default_deadlines()
        )
    return out


def _entry(p: Period, d: Deadlines, set_: bool, annual_final_from: date | None = None) -> CalendarEntry:
    return CalendarEntry(
        period=p.code,
        start_on=p.start,
        end_on=p.end,
        skp_due_on=d.skp_due_on,
        realization_due_on=d.realization_due_on,
        evaluation_due_on=d.evaluation_due_on,
        finalisable_from=p.final_from(annual_final_from),
        source=CalendarSource.SET if set_ else CalendarSource.DEFAULT,
    )


async def year(session: AsyncSession, year_: int) -> list[CalendarEntry]:
    """Q1..Q4 and the year, with their deadlines."""
    if not 2000 <= year_ <= 2100:
        raise InvalidInput(
            msg("year out of range 2000-2100"), errors=[{"loc": ["path", "year"], "msg": "2000-2100"}]
        )
    periods = periods_of_year(year_)
    rows = await repository.rows_for(session, [p.code for p in periods])
    found = await deadlines(session, periods)
    rules = await session.get(CalendarYear, year_)
    final_from = rules.annual_final_from if rules is not None else None
    return [_entry(p, found[p.code], p.code in rows, final_from) for p in periods]


async def finalisable_from(session: AsyncSession, period: Period) -> date:
    """The first day (WIB) a result of ``period`` may be finalised (:meth:`Period.final_from`): the quarter's
    last day; for the year, the admin's ``annual_final_from`` or 31 December."""
    if period.quarter is not None:
        return period.final_from()
    rules = await session.get(CalendarYear, period.year)
    return period.final_from(rules.annual_final_from if rules is not None else None)


async def set_period(session: AsyncSession, actor: Caller, code: str, data: CalendarUpdate) -> CalendarEntry:
    """An admin sets a period's deadlines (audit-logged)."""
    period = parse(code)
    before = (await deadlines(session, [period]))[period.code]
    await repository.upsert(
        session, period.code, data.skp_due_on, data.realization_due_on, data.evaluation_due_on, actor.subject
    )
    after = Deadlines(data.skp_due_on, data.realization_due_on, data.evaluation_due_on)
    await record_change(
        session,
        SINK,
        actor=actor.subject,
        action="calendar.set",
        entity="period_calendar",
        entity_id=period.code,
        before=_as_dict(before),
        after=_as_dict(after),
    )
    rules = await session.get(CalendarYear, period.year) if period.is_annual else None
    return _entry(period, after, True, rules.annual_final_from if rules is not None else None)


def _as_dict(d: Deadlines) -> dict[str, str]:
    return {
        "skp_due_on": d.skp_due_on.isoformat(),
        "realization_due_on": d.realization_due_on.isoformat(),
        "evaluation_due_on": d.evaluation_due_on.isoformat(),
    }


async def year_rules(session: AsyncSession, year_: int) -> YearRulesRead:
    """The rules of a year (the defaults unless an admin set them)."""
    row = await session.get(CalendarYear, year_)
    if row is None:
        return YearRulesRead(
            year=year_, objection_days=OBJECTION_DAYS, annual_final_from=None, source=CalendarSource.DEFAULT
        )
    return YearRulesRead(
        year=year_,
        objection_days=row.objection_days,
        annual_final_from=row.annual_final_from,
        source=CalendarSource.SET,
    )


def _rules_dict(rules: YearRulesRead) -> dict[str, Any]:
    return {
        "objection_days": rules.objection_days,
        "annual_final_from": rules.annual_final_from.isoformat() if rules.annual_final_from else None,
    }


async def set_year_rules(session: AsyncSession, actor: Caller, year_: int, data: YearRules) -> YearRulesRead:
    """An admin sets a year's rules (audited). A partial update: a field left out keeps its value;
    ``annual_final_from`` must be a day of that year (422 otherwise)."""
    if not 2000 <= year_ <= 2100:
        raise InvalidInput(
            msg("year out of range 2000-2100"), errors=[{"loc": ["path", "year"], "msg": "2000-2100"}]
        )
    sent = data.model_fields_set
    final_from = data.annual_final_from
    if "annual_final_from" in sent and final_from is not None and final_from.year != year_:
        raise InvalidInput(
            msg(
                "annual_final_from {day} is not a day of {year}: the annual results of {year} are finalised from a day of that year, 31 December at the latest",
                day=final_from.isoformat(),
                year=year_,
            ),
            errors=[{"loc": ["body", "annual_final_from"], "msg": str(year_)}],
        )
    before = await year_rules(session, year_)
    after = YearRulesRead(
        year=year_,
        objection_days=data.objection_days if data.objection_days is not None else before.objection_days,
        annual_final_from=final_from if "annual_final_from" in sent else before.annual_final_from,
        source=CalendarSource.SET,
    )
    values = {"objection_days": after.objection_days, "annual_final_from": after.annual_final_from}
    stmt = insert(CalendarYear).values(year=year_, updated_by=actor.subject, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["year"],
        set_={**values, "updated_by": actor.subject, "updated_at": text("now()")},
    )
    await session.execute(stmt)
    await record_change(
        session,
        SINK,
        actor=actor.subject,
        action="calendar.year_rules",
        entity="calendar_year",
        entity_id=str(year_),
        before=_rules_dict(before),
        after=_rules_dict(after),
    )
    return after
