"""Table ``kinerja.period_calendar``: deadlines an admin set for a period (defaults apply otherwise)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.common.periods import SQL_CHECK as PERIOD_SQL_CHECK
from services.kinerja_api.db import Base


class PeriodCalendar(Base):
    """The deadlines of one period, when an admin changed them from the defaults (calendar/periods.py)."""

    __tablename__ = "period_calendar"
    __table_args__ = (CheckConstraint(PERIOD_SQL_CHECK, name="period_format"),)

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    skp_due_on: Mapped[date] = mapped_column(Date)
    realization_due_on: Mapped[date] = mapped_column(Date)
    evaluation_due_on: Mapped[date] = mapped_column(Date)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CalendarYear(Base):
    """Rules of one year an admin set (defaults apply otherwise): the days an employee has to object to a
    final result (PP 30/2019 Pasal 59: 14), the cadence of the periodic evaluation (QUARTERLY by default,
    or MONTHLY; fixed once the year has started, issue 17), and the day from which the year's annual results
    may be finalised when it is earlier than 31 December (None: 31 December)."""

    __tablename__ = "calendar_year"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("objection_days BETWEEN 1 AND 90", name="objection_days_range"),
        CheckConstraint("cadence IN ('QUARTERLY', 'MONTHLY')", name="cadence"),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    objection_days: Mapped[int] = mapped_column(Integer)
    cadence: Mapped[str] = mapped_column(String(9), server_default="QUARTERLY")
    annual_final_from: Mapped[date | None] = mapped_column(Date)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
