"""NIP (PNS) and NI PPPK validation — pure functions, no I/O.

NIP PNS (Perka BKN 22/2007 and 43/2007; domain.md §5.1), 18 digits ``YYYYMMDD YYYYMM G NNN``:

* 1-8   birth date ``YYYYMMDD``;
* 9-14  first appointment as CPNS/PNS (TMT) ``YYYYMM``;
* 15    sex, 1 = male, 2 = female;
* 16-18 sequence number, 001 unless the first 15 digits collide with an existing NIP.

NI PPPK is also 18 digits but its layout is only known from a third-party library (domain.md §5.1,
*unverified*): birth date (8) + TMT year (4) + ``2`` (PPPK code) + recruitment-round digit (1) + sex (1)
+ sequence (3). Because that layout is unverified, the PPPK check is deliberately looser: it insists on
18 digits, a real birth date, a plausible TMT year (not before 2019 — the first PPPK were appointed
under PP 49/2018 — not before the employee turned 17, not in the future), the PPPK code ``2``, the sex
digit and a non-zero sequence; the round digit is not checked. Tighten it once BKN confirms the layout.

Every error names the part that is wrong, e.g. ``NIP birth date 19861331 is not a real date``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.common import clock
from services.common.i18n import msg

# Nobody born before 1940 is still in service (retirement age is at most 65, UU 20/2023 Pasal 55).
MIN_BIRTH_YEAR = 1940
# A CPNS/PPPK applicant must be at least 18 when applying (PP 11/2017 Pasal 23); 17 leaves a margin for
# appointments in the same year and for data keyed from the month only.
MIN_AGE_AT_APPOINTMENT = 17
# PPPK exist since PP 49/2018; the first appointments were made in 2019.
FIRST_PPPK_YEAR = 2019
NIP_LENGTH = 18


class NipError(ValueError):
    """A NIP or NI PPPK that breaks a rule; the message says which part."""


@dataclass(frozen=True, slots=True)
class NipParts:
    """What an 18-digit identifier says about its holder."""

    birth_date: date
    appointed: date  # first day of the TMT month (PNS) or 1 January of the TMT year (PPPK)
    sex: int  # 1 = male, 2 = female
    sequence: int


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _digits(value: str, label: str) -> str:
    if not isinstance(value, str):
        raise NipError(msg("{label} must be a string of {length} digits", label=label, length=NIP_LENGTH))
    if len(value) != NIP_LENGTH or not value.isascii() or not value.isdigit():
        raise NipError(
            msg(
                "{label} must be exactly {length} digits without spaces, got {value!r}",
                label=label,
                length=NIP_LENGTH,
                value=value,
            )
        )
    return value


def _birth_date(raw: str, label: str, today: date) -> date:
    try:
        born = date(int(raw[0:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise NipError(msg("{label} birth date {raw} is not a real date", label=label, raw=raw)) from None
    latest = _years_later(today, -MIN_AGE_AT_APPOINTMENT)
    if born.year < MIN_BIRTH_YEAR or born > latest:
        raise NipError(
            msg(
                "{label} birth date {born} is out of range ({min_year}-01-01 .. {latest})",
                label=label,
                born=born.isoformat(),
                min_year=MIN_BIRTH_YEAR,
                latest=latest.isoformat(),
            )
        )
    return born


def _sex(raw: str, label: str) -> int:
    if raw not in ("1", "2"):
        raise NipError(msg("{label} sex digit (position 15) must be 1 or 2, got {raw}", label=label, raw=raw))
    return int(raw)


def _sequence(raw: str, label: str) -> int:
    if raw == "000":
        raise NipError(msg("{label} sequence number (positions 16-18) must be 001-999, got 000", label=label))
    return int(raw)


def parse_nip(value: str, *, today: date | None = None) -> NipParts:
    """Validate a PNS NIP and return its parts; raise NipError naming the wrong part."""
    today = today or clock.today()
    nip = _digits(value, "NIP")
    born = _birth_date(nip[0:8], "NIP", today)
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12:
        raise NipError(msg("NIP appointment month (TMT) {tmt} is not a real month", tmt=nip[8:14]))
    appointed = date(year, month, 1)
    if appointed > today:
        raise NipError(msg("NIP appointment month (TMT) {tmt} is in the future", tmt=nip[8:14]))
    earliest = _years_later(born, MIN_AGE_AT_APPOINTMENT).replace(day=1)
    if appointed < earliest:
        raise NipError(
            msg(
                "NIP appointment month (TMT) {tmt} is before the holder turned {min_age} (born {born})",
                tmt=nip[8:14],
                min_age=MIN_AGE_AT_APPOINTMENT,
                born=born.isoformat(),
            )
        )
    return NipParts(born, appointed, _sex(nip[14], "NIP"), _sequence(nip[15:18], "NIP"))


def parse_ni_pppk(value: str, *, today: date | None = None) -> NipParts:
    """Validate a PPPK NI (layout unverified, see the module docstring) and return its parts."""
    today = today or clock.today()
    ni = _digits(value, "NI PPPK")
    born = _birth_date(ni[0:8], "NI PPPK", today)
    year = int(ni[8:12])
    if year > today.year:
        raise NipError(msg("NI PPPK appointment year (TMT) {year} is in the future", year=year))
    if year < FIRST_PPPK_YEAR:
        raise NipError(
            msg(
                "NI PPPK appointment year (TMT) {year} is before the first PPPK ({first_year})",
                year=year,
                first_year=FIRST_PPPK_YEAR,
            )
        )
    if year < born.year + MIN_AGE_AT_APPOINTMENT:
        raise NipError(
            msg(
                "NI PPPK appointment year (TMT) {year} is before the holder turned {min_age}",
                year=year,
                min_age=MIN_AGE_AT_APPOINTMENT,
            )
        )
    if ni[12] != "2":
        raise NipError(msg("NI PPPK code (position 13) must be 2, got {digit}", digit=ni[12]))
    return NipParts(born, date(year, 1, 1), _sex(ni[14], "NI PPPK"), _sequence(ni[15:18], "NI PPPK"))


def validate_identifier(value: str, employment: str, *, today: date | None = None) -> NipParts:
    """Validate the 18-digit identifier of an employee according to their employment (PNS or PPPK)."""
    if employment == "PPPK":
        return parse_ni_pppk(value, today=today)
    return parse_nip(value, today=today)


def format_nip(value: str) -> str:
    """The usual spaced spelling ``YYYYMMDD YYYYMM G NNN`` of a NIP."""
    return f"{value[0:8]} {value[8:14]} {value[14]} {value[15:18]}"
