"""A session's schedule: its training days, each with whole JP (issue 18, domain.md §11.5).

JP are counted per training hour actually attended, and a course's JP are spread over its *scheduled training
days*, not its calendar days: a Thursday-to-Tuesday course runs on four days, not six. When the training admin
lists no days, the schedule is the weekdays (Monday to Friday) between ``starts_on`` and ``ends_on`` (every day
of the range when it holds no weekday); when the days carry no JP, the programme's JP are spread over them by
largest remainder, so each day has whole JP and they sum to the programme's JP. Existing sessions were given
the same default by migration ``pelatihan_0008_session_days``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any


def weekdays(starts_on: date, ends_on: date) -> list[date]:
    """The Monday to Friday dates of the range; every date of it when none is a weekday (a weekend course)."""
    every = [starts_on + timedelta(days=i) for i in range((ends_on - starts_on).days + 1)]
    return [d for d in every if d.weekday() < 5] or every


def spread(jp: int, n: int) -> list[int]:
    """``jp`` spread over ``n`` days by largest remainder: whole JP per day, summing to ``jp``. With equal
    shares every remainder is the same, so the earlier days take the extra JP (10 over 4 days: 3, 3, 2, 2)."""
    if n <= 0:
        return []
    base, extra = divmod(jp, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def default_days(starts_on: date, ends_on: date, jp: int) -> list[dict[str, Any]]:
    """The default schedule: the weekdays of the range with the programme's JP spread over them."""
    days = weekdays(starts_on, ends_on)
    return to_json(days, spread(jp, len(days)))


def to_json(days: Sequence[date], jps: Sequence[int]) -> list[dict[str, Any]]:
    """The schedule as the ``training_session.days`` column keeps it: ``[{"on": "YYYY-MM-DD", "jp": n}]``."""
    return [{"on": d.isoformat(), "jp": int(j)} for d, j in zip(days, jps, strict=True)]


def jp_by_day(days: Sequence[dict[str, Any]]) -> dict[date, int]:
    """The stored schedule as ``{day: jp}``."""
    return {date.fromisoformat(str(d["on"])): int(d["jp"]) for d in days}


def attended_jp(days: Sequence[dict[str, Any]], present: set[date]) -> int:
    """The JP of the scheduled days the participant was present on."""
    return sum(jp for on, jp in jp_by_day(days).items() if on in present)
