"""The period calendar: admin-set deadlines, falling back to the defaults of calendar/periods.py, and the
rules of each year (objection days, the cadence of periodic evaluation). The same calendar drives
GET /v1/me/tasks and the compliance report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.changes import record_change
from services.common.db import Reader
from services.common.errors import InvalidInput
from services.common.i18n import message_of, msg
from services.kinerja_api.calendar import repository
from services.kinerja_api.calendar.errors import CadenceLocked, PeriodNotInCadence
from services.kinerja_api.calendar.models import CalendarYear
from services.kinerja_api.calendar.periods import (
    DEFAULT_CADENCE,
    BadPeriod,
    Cadence,
    Deadlines,
    Period,
    default_deadlines,
    final_from,
    parse_period,
    periods_of_year,
)
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
            else default_deadlines(p)
        )
    return out


async def window(
    session: Reader, years: Sequence[int], candidates: Sequence[Period]
) -> tuple[dict[int, Cadence], dict[str, Deadlines]]:
    """One statement: the cadence of each of ``years`` and the deadlines of each candidate period (the
    admin's, else the defaults)."""
    cadences, rows = await repository.window(session, years, [p.code for p in candidates])
    return (
        {y: Cadence(cadences[y]) if y in cadences else DEFAULT_CADENCE for y in years},
        {p.code: Deadlines(*rows[p.code]) if p.code in rows else default_deadlines(p) for p in candidates},
    )


def _entry(p: Period, d: Deadlines, set_: bool, annual_final_from: date | None = None) -> CalendarEntry:
    return CalendarEntry(
        period=p.code,
        start_on=p.start,
        end_on=p.end,
        skp_due_on=d.skp_due_on,
        realization_due_on=d.realization_due_on,
        evaluation_due_on=d.evaluation_due_on,
        finalisable_from=final_from(p, annual_final_from),
        source=CalendarSource.SET if set_ else CalendarSource.DEFAULT,
    )


async def year(session: AsyncSession, year_: int) -> tuple[Cadence, list[CalendarEntry]]:
    """The year's cadence, and the periodic periods of that cadence and the year with their deadlines."""
    _check_year(year_)
    cadence = await cadence_of(session, year_)
    periods = periods_of_year(year_, cadence)
    rows = await repository.rows_for(session, [p.code for p in periods])
    found = await deadlines(session, periods)
    rules = await session.get(CalendarYear, year_)
    annual_from = rules.annual_final_from if rules is not None else None
    return cadence, [_entry(p, found[p.code], p.code in rows, annual_from) for p in periods]


async def finalisable_from(session: AsyncSession, period: Period) -> date:
    """The first day (WIB) a result of ``period`` may be finalised (:func:`periods.final_from`): a periodic
    period's last day; for the year, the admin's ``annual_final_from`` or 31 December."""
    if not period.is_annual:
        return final_from(period)
    rules = await session.get(CalendarYear, period.year)
    return final_from(period, rules.annual_final_from if rules is not None else None)


async def set_period(session: AsyncSession, actor: Caller, code: str, data: CalendarUpdate) -> CalendarEntry:
    """An admin sets a period's deadlines (audit-logged); a periodic period must be of its year's cadence."""
    period = parse(code)
    await check_in_cadence(session, period)
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


def _check_year(year_: int) -> None:
    if not 2000 <= year_ <= 2100:
        raise InvalidInput(
            msg("year out of range 2000-2100"), errors=[{"loc": ["path", "year"], "msg": "2000-2100"}]
        )


async def cadence_of(session: AsyncSession, year_: int, *, for_share: bool = False) -> Cadence:
    """The cadence of ``year_`` (QUARTERLY unless an admin set MONTHLY). ``for_share`` holds the year's row
    against a concurrent change of the cadence until the caller's transaction ends."""
    stmt = select(CalendarYear.cadence).where(CalendarYear.year == year_)
    if for_share:
        stmt = stmt.with_for_update(read=True)
    value = await session.scalar(stmt)
    return DEFAULT_CADENCE if value is None else Cadence(value)


async def check_in_cadence(session: AsyncSession, period: Period, *, for_share: bool = False) -> Cadence:
    """409 ``period-not-in-cadence`` when a periodic period is not of its year's cadence (a month in a
    quarterly year, a quarter in a monthly one); the annual period fits every cadence."""
    cadence = await cadence_of(session, period.year, for_share=for_share)
    if not period.is_annual and Cadence.of(period) is not cadence:
        example = f"{period.year}-01" if cadence is Cadence.MONTHLY else f"{period.year}-Q1"
        raise PeriodNotInCadence(
            msg(
                "{code} is not a period of {year}'s cadence ({cadence}); use {example} or {year}",
                code=period.code,
                year=period.year,
                cadence=cadence.value,
                example=example,
            )
        )
    return cadence


_EVALUATIONS_OF_YEAR = text(
    "SELECT count(*) FROM kinerja.evaluation WHERE period = :year OR period LIKE :prefix"
)


async def _check_cadence_open(session: AsyncSession, year_: int) -> None:
    """409 ``cadence-locked`` once the year has started on the province clock or has evaluations."""
    start = date(year_, 1, 1)
    if clock.today() >= start:
        raise CadenceLocked(
            msg(
                "the cadence of {year} is fixed: the year has started ({start})",
                year=year_,
                start=start.isoformat(),
            )
        )
    count = int(await session.scalar(_EVALUATIONS_OF_YEAR, {"year": str(year_), "prefix": f"{year_}-%"}) or 0)
    if count:
        raise CadenceLocked(
            msg(
                "the cadence of {year} is fixed: {count} evaluation(s) of the year exist",
                year=year_,
                count=count,
            )
        )


async def year_rules(session: AsyncSession, year_: int) -> YearRulesRead:
    """The rules of a year (the defaults unless an admin set them)."""
    row = await session.get(CalendarYear, year_)
    if row is None:
        return YearRulesRead(
            year=year_,
            objection_days=OBJECTION_DAYS,
            cadence=DEFAULT_CADENCE,
            annual_final_from=None,
            source=CalendarSource.DEFAULT,
        )
    return YearRulesRead(
        year=year_,
        objection_days=row.objection_days,
        cadence=Cadence(row.cadence),
        annual_final_from=row.annual_final_from,
        source=CalendarSource.SET,
    )


def _rules_dict(rules: YearRulesRead) -> dict[str, Any]:
    return {
        "objection_days": rules.objection_days,
        "cadence": rules.cadence.value,
        "annual_final_from": rules.annual_final_from.isoformat() if rules.annual_final_from else None,
    }


async def set_year_rules(session: AsyncSession, actor: Caller, year_: int, data: YearRules) -> YearRulesRead:
    """An admin sets a year's rules (audited). A partial update: a field left out keeps its value. The
    cadence changes only before the year starts (409 ``cadence-locked``); sending the current one is a
    no-op. ``annual_final_from`` must be a day of that year (422 otherwise); null goes back to 31 December."""
    _check_year(year_)
    sent = data.model_fields_set
    final_from_day = data.annual_final_from
    if "annual_final_from" in sent and final_from_day is not None and final_from_day.year != year_:
        raise InvalidInput(
            msg(
                "annual_final_from {day} is not a day of {year}: the annual results of {year} are finalised from a day of that year, 31 December at the latest",
                day=final_from_day.isoformat(),
                year=year_,
            ),
            errors=[{"loc": ["body", "annual_final_from"], "msg": str(year_)}],
        )
    # The year's row, locked, so that a concurrent change of the rules waits (and creating a periodic
    # evaluation, which reads the cadence FOR SHARE, cannot pass a cadence change).
    await session.execute(select(CalendarYear.year).where(CalendarYear.year == year_).with_for_update())
    before = await year_rules(session, year_)
    after = YearRulesRead(
        year=year_,
        objection_days=before.objection_days if data.objection_days is None else data.objection_days,
        cadence=before.cadence if data.cadence is None else data.cadence,
        annual_final_from=final_from_day if "annual_final_from" in sent else before.annual_final_from,
        source=CalendarSource.SET,
    )
    if after.cadence is not before.cadence:
        await _check_cadence_open(session, year_)
    values = {
        "objection_days": after.objection_days,
        "cadence": after.cadence.value,
        "annual_final_from": after.annual_final_from,
        "updated_by": actor.subject,
    }
    stmt = insert(CalendarYear).values(year=year_, **values)
    stmt = stmt.on_conflict_do_update(index_elements=["year"], set_={**values, "updated_at": text("now()")})
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
