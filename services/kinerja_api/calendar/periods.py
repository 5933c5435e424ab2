"""kinerja's periods (the grammar is services/common/periods.py), the year's cadence and the default
deadlines.

Periodic evaluation is quarterly (``2026-Q1``..``2026-Q4``, the default) or monthly (``2026-01``..``2026-12``)
per year, as the admin set it in ``calendar_year.cadence`` (PermenPANRB 6/2022 Pasal 1; domain.md §11.1);
``2026`` is the annual period either way.

Defaults (domain.md §1.9): the SKP is set by the end of January of the performance year; realisations are
due on the last day of the period; a periodic evaluation (quarter or month alike) is due 15 days after its
period ends. The annual evaluation has no deadline in the regulation text: we default to 31 January of the
next year (the same end-of-January rhythm as the SKP, after the last periodic evaluation's 15 January); an
admin can move it, e.g. to 10 January as SE Kepala BKN 11/2023 asked for 2024.

A period is evaluated after it has run (domain.md §11.1; issue 16): a periodic result (quarter or month) is
finalised from the period's last day, the annual one from 31 December or an earlier day the admin sets for the
year (:func:`final_from`). Days are the province's (WIB, services/common/clock.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from services.common import periods as grammar
from services.common.periods import BadPeriod, Period, PeriodKind

__all__ = [
    "PERIODIC_PATTERN",
    "PERIOD_PATTERN",
    "BadPeriod",
    "Cadence",
    "Deadlines",
    "Period",
    "current_of",
    "default_deadlines",
    "final_from",
    "parse_period",
    "periodic_of",
    "periods_containing",
    "periods_of_year",
    "quarter_of",
    "realization_periods",
]

PERIOD_PATTERN = grammar.KINERJA_PATTERN
PERIODIC_PATTERN = grammar.PERIODIC_PATTERN


class Cadence(StrEnum):
    """How often a year's periodic evaluation runs (``calendar_year.cadence``)."""

    QUARTERLY = "QUARTERLY"
    MONTHLY = "MONTHLY"

    @property
    def kind(self) -> PeriodKind:
        """The kind of the periodic periods of this cadence."""
        return PeriodKind.MONTH if self is Cadence.MONTHLY else PeriodKind.QUARTER

    @classmethod
    def of(cls, period: Period) -> Cadence | None:
        """The cadence a periodic period belongs to (None for the annual period)."""
        if period.kind is PeriodKind.MONTH:
            return cls.MONTHLY
        if period.kind is PeriodKind.QUARTER:
            return cls.QUARTERLY
        return None


DEFAULT_CADENCE = Cadence.QUARTERLY
"""A year whose cadence no admin set runs quarterly (all data before issue 17 is quarterly)."""


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The three deadlines of a period."""

    skp_due_on: date
    realization_due_on: date
    evaluation_due_on: date


def default_deadlines(period: Period) -> Deadlines:
    """The calendar entry used when an admin has set none."""
    skp = date(period.year, 1, 31)
    if period.is_annual:
        return Deadlines(skp, period.end, date(period.year + 1, 1, 31))
    return Deadlines(skp, period.end, period.end + timedelta(days=15))


def final_from(period: Period, annual_final_from: date | None = None) -> date:
    """The first day a result of ``period`` may be finalised: its last day; for the year, the admin's
    ``annual_final_from`` when set (an earlier day of the year), else 31 December."""
    if period.is_annual and annual_final_from is not None:
        return annual_final_from
    return period.end


def parse_period(code: str) -> Period:
    """``2026-Q2`` -> 1 April..30 June 2026; ``2026-02`` -> February 2026; ``2026`` -> the whole year."""
    return grammar.parse(code, grammar.KINERJA_KINDS)


def periodic_of(year: int, cadence: Cadence) -> list[Period]:
    """The periodic periods of ``year`` under ``cadence``: Q1..Q4 or 01..12."""
    return grammar.within(year, cadence.kind)


def periods_of_year(year: int, cadence: Cadence = DEFAULT_CADENCE) -> list[Period]:
    """The periodic periods of ``year`` and its annual period."""
    return [*periodic_of(year, cadence), grammar.year_period(year)]


def current_of(day: date, cadence: Cadence) -> Period:
    """The periodic period of ``cadence`` containing ``day``."""
    return grammar.containing(day, cadence.kind)


def periods_containing(day: date) -> list[str]:
    """The codes of the year, the quarter and the month containing ``day`` (whichever cadence the year runs,
    its results are among them)."""
    return [
        str(day.year),
        grammar.containing(day, PeriodKind.QUARTER).code,
        grammar.containing(day, PeriodKind.MONTH).code,
    ]


def quarter_of(day: date) -> Period:
    """The quarter containing ``day``."""
    return grammar.containing(day, PeriodKind.QUARTER)


def realization_periods(period: Period) -> list[str]:
    """Which realisation periods count for a period: the periodic period itself, or the year and every
    quarter and month of it (a year holds realisations of one cadence, whichever it is)."""
    if period.is_annual:
        return [
            period.code,
            *(p.code for p in grammar.within(period.year, PeriodKind.QUARTER)),
            *(p.code for p in grammar.within(period.year, PeriodKind.MONTH)),
        ]
    return [period.code]
