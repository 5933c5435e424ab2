"""The province clock in tests (services/common/clock.py): put "today" on a chosen day, at 10:00 WIB.

- In-process tests (the app runs in the test's own process): ``set_today(None, day)`` or ``set_today(app, day)``
  moves the module clock every app of the process reads.
- A real stack (tests/support/stack.py): ``set_today(stack, day)`` moves every process of the stack
  (``PUT /internal/v1/clock``); ``apps`` narrows it.

``on_day(target, day)`` does the same for a ``with`` block and gives back the clock it found (real time
in-process; for a stack, the instant passed as ``back_to``, e.g. the stack's ``ASN_FAKE_NOW``).

Finalising needs the period to have run (issue 16: a quarter from its last day, the year from 31 December or
the admin's ``annual_final_from``), so tests that finalise move the clock past the period, or use an ended one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from services.common import clock
from services.common.apps import APP_NAMES
from tests.support.stack import Stack


def instant_of(day: date) -> str:
    """10:00 WIB on ``day`` (ISO 8601 with its offset)."""
    return f"{day.isoformat()}T10:00:00+07:00"


def set_today(target: Stack | Any, day: date | None, apps: tuple[str, ...] = APP_NAMES) -> None:
    """Make ``day`` today (10:00 WIB) for ``target``: a :class:`Stack`'s processes, or this process (an
    in-process app, or None). ``None`` as the day goes back to real time."""
    if isinstance(target, Stack):
        target.move_clock(None if day is None else instant_of(day), apps)
        return
    clock.set_fake_now(None if day is None else datetime.fromisoformat(instant_of(day)))


@contextmanager
def on_day(
    target: Stack | Any, day: date, *, back_to: str | None = None, apps: tuple[str, ...] = APP_NAMES
) -> Iterator[None]:
    """``day`` is today inside the block; afterwards the clock reads ``back_to`` (an ISO instant; None: real
    time)."""
    set_today(target, day, apps)
    try:
        yield
    finally:
        if isinstance(target, Stack):
            target.move_clock(back_to, apps)
        else:
            clock.set_fake_now(None if back_to is None else datetime.fromisoformat(back_to))
