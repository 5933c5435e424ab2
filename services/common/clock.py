"""The province clock: every domain "now", "today" and "this year" of every app comes from here.

- :func:`now` is an aware UTC instant; :func:`today` and :func:`this_year` are Bengkulu's (WIB, Asia/Jakarta,
  UTC+7). An effective date entered at 06:00 WIB is not yesterday's UTC date, a survey at 05:00 WIB on
  1 January counts in the new year, and kinerja, pelatihan, publik and the gateway agree on which day it is.
- **Test clock.** Outside production the clock can be moved: ``ASN_FAKE_NOW`` (an ISO 8601 instant with an
  offset, ``AppSettings.fake_now``) sets it when an app starts, and ``PUT /internal/v1/clock``
  (services/common/clock_api.py) moves it while the process runs. The clock is kept as an **offset** from the
  real time, so it keeps running from the instant it was set to: timestamps written a moment apart still
  differ and keep their order (enrolment order, waitlists, change logs), where a frozen instant would stamp
  every row alike. Each process holds its own offset; the e2e tests move every process they started.
  Production refuses ``ASN_FAKE_NOW`` at startup and answers 404 on the endpoint, so there the clock is
  always the real one.
- **What keeps real time** (:func:`real_now`, ``time.time()``, ``time.monotonic()``): token ``iat``/``exp``
  and their verification, rate limits, the outbox's backoff and delivery stamps, webhook signature
  timestamps, caches and timeouts. These talk to other processes' real clocks (a receiver checks a
  signature's age, PostgreSQL's ``now()`` decides when an outbox row is due), so moving them with the test
  clock would break delivery instead of testing the domain. Stamps that PostgreSQL writes itself
  (``server_default=now()``) are the database's real time too.

``tests/common/test_clock.py`` fails when a ``datetime.now``/``date.today``/``datetime.utcnow`` call appears
anywhere else in services/, gateway/ or asn_cli/.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")

_offset: timedelta | None = None


def real_now() -> datetime:
    """The machine's real instant (aware, UTC), for infrastructure that must not follow the test clock."""
    return datetime.now(UTC)


def now() -> datetime:
    """The current instant (aware, UTC) on the province clock."""
    real = real_now()
    return real if _offset is None else real + _offset


def today() -> date:
    """Today's date in Western Indonesia Time."""
    return wib_date(now())


def this_year() -> int:
    """The current year in Western Indonesia Time (05:00 WIB on 1 January is already the new year)."""
    return today().year


def wib_date(instant: datetime) -> date:
    """The WIB date of an instant (a survey stamped 22:00 UTC on 31 December belongs to 1 January)."""
    return instant.astimezone(WIB).date()


def is_fake() -> bool:
    """True while a test clock is set."""
    return _offset is not None


def set_fake_now(instant: datetime | None) -> None:
    """Make the clock read ``instant`` from now on (and run on from there); ``None`` returns to real time.

    Callers check that the environment allows it (settings refuse ``fake_now`` in production, the endpoint
    answers 404 there); this function only keeps the offset.
    """
    global _offset
    if instant is None:
        _offset = None
        return
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("the test clock needs an instant with a UTC offset (ISO 8601, e.g. +07:00)")
    _offset = instant - real_now()
