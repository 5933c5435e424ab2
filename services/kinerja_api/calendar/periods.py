"""Evaluation periods (``2026-Q1``..``2026-Q4`` triwulan, ``2026`` annual) and their default deadlines. Pure.

Defaults (domain.md §1.9): the SKP is set by the end of January of the performance year; realisations are
due on the last day of the period; a quarterly evaluation is due 15 days after its quarter ends. The annual
evaluation has no deadline in the regulation text: we default to 31 January of the next year (the same
end-of-January rhythm as the SKP, after the Q4 evaluation's 15 January); an admin can move it, e.g. to
10 January as SE Kepala BKN 11/2023 asked for 2024.

A period is evaluated after it has run (domain.md §11.1; issue 16): a quarterly result is finalised from the
quarter's last day, the annual one from 31 December or an earlier day the admin sets for the year
(:meth:`Period.final_from`). Days are the province's (WIB, services/common/clock.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from services.common.i18n import msg

PERIOD_PATTERN = r"^[0-9]{4}(-Q[1-4])?$"
_RE = re.compile(PERIOD_PATTERN)


class BadPeriod(ValueError):
    """The text is not a period."""


@dataclass(frozen=True, slots=True)
class Period:
    """A quarter or a year, with its first and last day (inclusive)."""

    code: str
    year: int
    quarter: int | None
    start: date
    end: date

    @property
    def is_annual(self) -> bool:
        return self.quarter is None

    def default_deadlines(self) -> Deadlines:
        """The calendar entry used when an admin has set none."""
        skp = date(self.year, 1, 31)
        if self.quarter is None:
            return Deadlines(skp, self.end, date(self.year + 1, 1, 31))
        return Deadlines(skp, self.end, self.end + timedelta(days=15))

    def final_from(self, annual_final_from: date | None = None) -> date:
        """The first day a result of this period may be finalised: its last day; for the year, the admin's
        ``annual_final_from`` when set (an earlier day of the year), else 31 December."""
        if self.quarter is None and annual_final_from is not None:
            return annual_final_from
        return self.end

    def previous(self) -> Period:
        """The quarter before a quarter (Q1 -> Q4 of the year before); the year before a year."""
        if self.quarter is None:
            return parse_period(str(self.year - 1))
        if self.quarter == 1:
            return parse_period(f"{self.year - 1}-Q4")
        return parse_period(f"{self.year}-Q{self.quarter - 1}")


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The three deadlines of a period."""

    skp_due_on: date
    realization_due_on: date
    evaluation_due_on: date


def parse_period(code: str) -> Period:
    """``2026-Q2`` -> 1 April..30 June 2026; ``2026`` -> the whole year."""
    if not _RE.match(code):
        raise BadPeriod(msg("period {code!r} is not YYYY-Qn (n 1-4) or YYYY", code=code))
    year = int(code[:4])
    if not 2000 <= year <= 2100:
        raise BadPeriod(msg("period {code!r}: year out of range 2000-2100", code=code))
    if len(code) == 4:
        return Period(code, year, None, date(year, 1, 1), date(year, 12, 31))
    q = int(code[-1])
    start = date(year, 3 * q - 2, 1)
    end = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
    return Period(code, year, q, start, end)


def quarter_of(day: date) -> Period:
    """The quarter containing ``day``."""
    return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def periods_of_year(year: int) -> list[Period]:
    """Q1..Q4 and the annual period of ``year``."""
    return [parse_period(f"{year}-Q{q}") for q in range(1, 5)] + [parse_period(str(year))]


def realization_periods(period: Period) -> list[str]:
    """Which realisation periods count for a period: the quarter itself, or the year and its quarters."""
    if period.quarter is None:
        return [period.code] + [f"{period.year}-Q{q}" for q in range(1, 5)]
    return [period.code]
