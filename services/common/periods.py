"""The one period grammar every app speaks (issue 17). Pure.

``2026`` a year; ``2026-S1``/``2026-S2`` a semester (publik's SKM periods); ``2026-Q1``..``2026-Q4`` a
quarter (triwulan); ``2026-01``..``2026-12`` a month (bulan). Periodic evaluation is monthly or quarterly
(PermenPANRB 6/2022 Pasal 1; domain.md §11.1), so kinerja speaks years, quarters and months; publik's SKM
speaks years and semesters and its ingested figures carry kinerja's periods.

Each resource says which kinds it takes: the regular expressions below are the ``pattern=`` of its
pydantic fields and OpenAPI parameters, and :data:`SQL_CHECK` is the CHECK of kinerja's ``period`` columns.
:func:`parse` turns a code into a :class:`Period` with its first and last day (both inclusive).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from services.common.i18n import msg

YEAR_MIN, YEAR_MAX = 2000, 2100
"""The years any period may fall in."""


class PeriodKind(StrEnum):
    """What a period code names."""

    YEAR = "YEAR"
    SEMESTER = "SEMESTER"
    QUARTER = "QUARTER"
    MONTH = "MONTH"


_YEAR = r"[0-9]{4}"
_SEMESTER = r"-S[12]"
_QUARTER = r"-Q[1-4]"
_MONTH = r"-(0[1-9]|1[0-2])"

KINERJA_PATTERN = rf"^{_YEAR}({_QUARTER}|{_MONTH})?$"
"""A year, a quarter or a month: every kinerja ``period`` (evaluations, realisations, calendar, reports)."""

PERIODIC_PATTERN = rf"^{_YEAR}({_QUARTER}|{_MONTH})$"
"""A quarter or a month: the periodic evaluations SIASN ``kinerjaperiodik`` carries."""

SKM_PATTERN = rf"^20[0-9]{{2}}({_SEMESTER})?$"
"""A year or a semester of 2000-2099: publik's SKM periods (year 0000 has no dates)."""

SQL_CHECK = f"period ~ '{KINERJA_PATTERN}'"
"""The CHECK text of kinerja's ``period`` columns (PostgreSQL regular expression)."""

_ANY = re.compile(rf"^(?P<year>{_YEAR})(?:-(?:S(?P<s>[12])|Q(?P<q>[1-4])|(?P<m>0[1-9]|1[0-2])))?$")

KINERJA_KINDS = frozenset({PeriodKind.YEAR, PeriodKind.QUARTER, PeriodKind.MONTH})
SKM_KINDS = frozenset({PeriodKind.YEAR, PeriodKind.SEMESTER})

_FORMS = {
    PeriodKind.YEAR: "YYYY",
    PeriodKind.SEMESTER: "YYYY-Sn (n 1-2)",
    PeriodKind.QUARTER: "YYYY-Qn (n 1-4)",
    PeriodKind.MONTH: "YYYY-MM (MM 01-12)",
}


class BadPeriod(ValueError):
    """The text is not a period (of the kinds asked for)."""


@dataclass(frozen=True, slots=True)
class Period:
    """A year, semester, quarter or month, with its first and last day (inclusive). ``index`` is the
    semester, quarter or month number within the year (None for a year)."""

    code: str
    year: int
    kind: PeriodKind
    index: int | None
    start: date
    end: date

    @property
    def is_annual(self) -> bool:
        return self.kind is PeriodKind.YEAR

    @property
    def quarter(self) -> int | None:
        """The quarter number of a quarter (None otherwise)."""
        return self.index if self.kind is PeriodKind.QUARTER else None

    @property
    def month(self) -> int | None:
        """The month number of a month (None otherwise)."""
        return self.index if self.kind is PeriodKind.MONTH else None

    def previous(self) -> Period:
        """The period of the same kind before this one (Q1 -> Q4 of the year before, 01 -> 12)."""
        if self.index is None:
            return year_period(self.year - 1)
        if self.index > 1:
            return of_kind(self.kind, self.year, self.index - 1)
        return of_kind(self.kind, self.year - 1, _COUNT[self.kind])

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies wholly inside this period."""
        return self.start <= other.start and other.end <= self.end


_COUNT = {PeriodKind.SEMESTER: 2, PeriodKind.QUARTER: 4, PeriodKind.MONTH: 12}
_MONTHS = {PeriodKind.SEMESTER: 6, PeriodKind.QUARTER: 3, PeriodKind.MONTH: 1}


def _last_day(year: int, month: int) -> date:
    return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)


def year_period(year: int) -> Period:
    """The year ``year`` as a period."""
    _check_year(str(year), year)
    return Period(str(year), year, PeriodKind.YEAR, None, date(year, 1, 1), date(year, 12, 31))


def of_kind(kind: PeriodKind, year: int, index: int) -> Period:
    """The ``index``-th semester, quarter or month of ``year``."""
    if kind is PeriodKind.YEAR:
        return year_period(year)
    _check_year(f"{year}", year)
    if not 1 <= index <= _COUNT[kind]:
        raise BadPeriod(msg("period index {index} out of range for {kind}", index=index, kind=kind.value))
    span = _MONTHS[kind]
    first = span * (index - 1) + 1
    suffix = {
        PeriodKind.SEMESTER: f"S{index}",
        PeriodKind.QUARTER: f"Q{index}",
        PeriodKind.MONTH: f"{index:02d}",
    }
    return Period(
        f"{year}-{suffix[kind]}", year, kind, index, date(year, first, 1), _last_day(year, first + span - 1)
    )


def _check_year(code: str, year: int) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise BadPeriod(msg("period {code!r}: year out of range 2000-2100", code=code))


def parse(code: str, kinds: Collection[PeriodKind] = KINERJA_KINDS) -> Period:
    """``2026-Q2`` -> 1 April..30 June 2026; ``2026-02`` -> February; ``2026`` -> the whole year.
    Raises :class:`BadPeriod` when the text is not a period of one of ``kinds``."""
    m = _ANY.match(code)
    kind = (
        None
        if m is None
        else PeriodKind.SEMESTER
        if m["s"]
        else PeriodKind.QUARTER
        if m["q"]
        else PeriodKind.MONTH
        if m["m"]
        else PeriodKind.YEAR
    )
    if m is None or kind is None or kind not in kinds:
        forms = " | ".join(_FORMS[k] for k in PeriodKind if k in kinds)
        raise BadPeriod(msg("period {code!r} is not one of: {forms}", code=code, forms=forms))
    year = int(m["year"])
    _check_year(code, year)
    if kind is PeriodKind.YEAR:
        return year_period(year)
    return of_kind(kind, year, int(m["s"] or m["q"] or m["m"]))


def containing(day: date, kind: PeriodKind) -> Period:
    """The period of ``kind`` that contains ``day``."""
    if kind is PeriodKind.YEAR:
        return year_period(day.year)
    return of_kind(kind, day.year, (day.month - 1) // _MONTHS[kind] + 1)


def within(year: int, kind: PeriodKind) -> list[Period]:
    """Every period of ``kind`` in ``year``, in order."""
    if kind is PeriodKind.YEAR:
        return [year_period(year)]
    return [of_kind(kind, year, i) for i in range(1, _COUNT[kind] + 1)]
