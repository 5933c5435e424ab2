"""The in-memory limiter's fixed windows, on a clock the test moves (services/common/ratelimit.py)."""

from __future__ import annotations

import pytest

from services.common.ratelimit import MemoryLimiter

DAY = 1_800_000_000 // 86_400 * 86_400  # midnight UTC: the edge of every minute, hour and day window


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    at = Clock(DAY + 10.5)
    monkeypatch.setattr(MemoryLimiter, "clock", staticmethod(at))
    return at


async def test_a_window_counts_to_its_limit_and_says_when_it_ends(clock: Clock) -> None:
    limiter = MemoryLimiter()
    assert [await limiter.hit("a", 2) for _ in range(3)] == [(True, 50), (True, 50), (False, 50)]
    assert await limiter.count("a") == 3
    # Another key, and the same key in a window of another length, are counted apart.
    assert await limiter.hit("b", 2) == (True, 50)
    assert await limiter.hit("a", 2, window_s=3600) == (True, 3590)
    clock.now = DAY + 59.2
    assert await limiter.hit("a", 2) == (False, 1)  # never 0: a client told "0" would retry at once


async def test_the_count_starts_again_at_the_edge_of_the_window(clock: Clock) -> None:
    """The reason the suite pins the clock: a burst that falls on both sides of an edge is let through."""
    limiter = MemoryLimiter()
    clock.now = DAY + 59.9
    assert (await limiter.hit("a", 1))[0] is True
    clock.now = DAY + 60.0
    assert await limiter.hit("a", 1) == (True, 60)
    assert (await limiter.hit("a", 1))[0] is False


async def test_past_windows_are_dropped_so_memory_holds_only_the_current_keys(clock: Clock) -> None:
    limiter = MemoryLimiter()
    for n in range(100):
        await limiter.hit(f"caller-{n}", 5)
    clock.now += 60
    await limiter.hit("late", 5)
    assert await limiter.count("caller-0") == 0
    assert len(limiter._counts) == 1


async def test_reset_forgets_the_current_window_only(clock: Clock) -> None:
    limiter = MemoryLimiter()
    await limiter.hit("a", 1)
    await limiter.hit("a", 1, window_s=3600)
    await limiter.reset("a")
    assert await limiter.count("a") == 0
    assert await limiter.count("a", window_s=3600) == 1
    assert (await limiter.hit("a", 1))[0] is True
