"""Credit points: who may read them, and the 409 before the annual result is final."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.i18n import msg
from services.common.pagination import decode_cursor, page_of
from services.common.reports import meta
from services.kinerja_api.caller import Caller, refuse_unscoped_integrator
from services.kinerja_api.credit import repository, rules
from services.kinerja_api.credit.errors import AnnualResultNotFinal
from services.kinerja_api.credit.schemas import CreditLine, CreditPoints, CreditReport, CreditRow
from services.kinerja_api.employees import service as employees
from services.kinerja_api.reports.service import unit_scope
from services.kinerja_api.tables.employee_enums import Jenjang
from services.kinerja_api.tables.evaluation_enums import Predikat

SCHEMA_VERSION = "1"


def _lines(predikat: Predikat, months: list[tuple[str, int]]) -> tuple[list[CreditLine], Decimal]:
    lines, total = rules.compute(predikat, [(Jenjang(j), m) for j, m in months])
    return [
        CreditLine(
            jenjang=x.jenjang,
            months=x.months,
            coefficient=x.coefficient,
            credit_points=rules.rounded(x.exact),
        )
        for x in lines
    ], total


def _formula(predikat: Predikat, lines: list[CreditLine], total: Decimal) -> str:
    pct = rules.PERCENTAGE[predikat]
    parts = [f"{x.coefficient} * {pct}% * {x.months}/12" for x in lines]
    return " + ".join(parts) + f" = {total}"


def require_final(status: str | None, nip: str, year: int) -> None:
    """409 naming what is missing when the annual result of ``year`` is absent or not FINAL."""
    if status is None:
        raise AnnualResultNotFinal(
            msg(
                "{nip} has no annual result for {year}; the supervisor evaluates and finalises it first",
                nip=nip,
                year=year,
            )
        )
    if status != "FINAL":
        raise AnnualResultNotFinal(
            msg(
                "the annual result {year} of {nip} is {status}, not FINAL; the supervisor finalises it first",
                year=year,
                nip=nip,
                status=status,
            )
        )


async def credit_points(session: AsyncSession, nip: str, year: int, viewer: Caller) -> CreditPoints:
    """One JF's angka kredit: the employee, their supervisor, admins and integrators with
    ``kinerja:individual`` (403 without it); anyone else 404."""
    refuse_unscoped_integrator(viewer)
    await employees.read_employee(session, nip, viewer)  # 404 for whoever may not see them
    rows = await repository.credit_rows(session, year, nip=nip)
    if not rows:
        raise AnnualResultNotFinal(
            msg(
                "{nip} held no functional level (jenjang) in {year}; record it on the employee first",
                nip=nip,
                year=year,
            )
        )
    row = rows[0]
    require_final(row.status, nip, year)
    return computation(nip, year, Predikat(str(row.predikat)), row.months)


def computation(nip: str, year: int, predikat: Predikat, months: list[tuple[str, int]]) -> CreditPoints:
    """The credit points of a FINAL predikat over the months held in each level (also printed in the
    evaluation document)."""
    lines, total = _lines(predikat, months)
    return CreditPoints(
        nip=nip,
        year=year,
        predikat=predikat,
        percentage=rules.PERCENTAGE[predikat],
        credit_points=total,
        lines=lines,
        formula=_formula(predikat, lines, total),
    )


def _report_row(r: repository.CreditRow, year: int) -> CreditRow:
    months = sum(m for _, m in r.months)
    if r.status == "FINAL" and r.predikat:
        predikat = Predikat(r.predikat)
        lines, total = _lines(predikat, r.months)
        return CreditRow(
            nip=r.nip, name=r.name, unit_id=r.unit_id, year=year, status="FINAL", predikat=predikat,
            months=months, credit_points=total, lines=lines,
        )  # fmt: skip
    return CreditRow(
        nip=r.nip, name=r.name, unit_id=r.unit_id, year=year, status="NO_RESULT" if r.status is None else "NOT_FINAL",
        predikat=None, months=months, credit_points=None,
        lines=[CreditLine(jenjang=Jenjang(j), months=m, coefficient=rules.COEFFICIENT[Jenjang(j)], credit_points=None) for j, m in r.months],
    )  # fmt: skip


async def report(
    session: AsyncSession,
    year: int,
    unit_id: uuid.UUID | None,
    *,
    include_subunits: bool,
    cursor: str | None,
    limit: int,
) -> CreditReport:
    """A keyset page of the JFs of a unit (the unit of their annual result, else their current one)."""
    units = await unit_scope(session, unit_id, include_subunits)
    after = decode_cursor(cursor, 1)
    rows = await repository.credit_rows(
        session, year, units=units, after_nip=str(after[0]) if after else None, limit=limit + 1
    )
    page, next_cursor = page_of(list(rows), limit, lambda r: [r.nip])
    return CreditReport(
        **meta(SCHEMA_VERSION, live=True),
        year=year,
        unit_id=unit_id,
        items=[_report_row(r, year) for r in page],
        next_cursor=next_cursor,
    )
