"""The one period grammar (services/common/periods.py, issue 17): years, semesters, quarters and months, their
bounds, the patterns the apps put in their OpenAPI and the SQL CHECK, and 422 for bad input at kinerja's and
publik's edges."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from services.common import periods
from services.common.periods import BadPeriod, PeriodKind, parse
from services.kinerja_api.calendar.periods import (
    Cadence,
    default_deadlines,
    periodic_of,
    periods_containing,
    realization_periods,
)
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app as kinerja_app
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app as publik_app
from tests.support.fixtures import Tokens, free_port, running


@pytest.mark.parametrize(
    ("code", "kind", "index", "start", "end"),
    [
        ("2026", PeriodKind.YEAR, None, date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-S1", PeriodKind.SEMESTER, 1, date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-S2", PeriodKind.SEMESTER, 2, date(2026, 7, 1), date(2026, 12, 31)),
        ("2026-Q1", PeriodKind.QUARTER, 1, date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q4", PeriodKind.QUARTER, 4, date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-01", PeriodKind.MONTH, 1, date(2026, 1, 1), date(2026, 1, 31)),
        ("2028-02", PeriodKind.MONTH, 2, date(2028, 2, 1), date(2028, 2, 29)),  # leap year
        ("2027-02", PeriodKind.MONTH, 2, date(2027, 2, 1), date(2027, 2, 28)),
        ("2026-12", PeriodKind.MONTH, 12, date(2026, 12, 1), date(2026, 12, 31)),
        ("2000", PeriodKind.YEAR, None, date(2000, 1, 1), date(2000, 12, 31)),
        ("2100-12", PeriodKind.MONTH, 12, date(2100, 12, 1), date(2100, 12, 31)),
    ],
)
def test_parse_and_bounds(code: str, kind: PeriodKind, index: int | None, start: date, end: date) -> None:
    p = parse(code, set(PeriodKind))
    assert (p.code, p.year, p.kind, p.index, p.start, p.end) == (code, int(code[:4]), kind, index, start, end)
    assert p.is_annual is (kind is PeriodKind.YEAR)
    assert p.quarter == (index if kind is PeriodKind.QUARTER else None)
    assert p.month == (index if kind is PeriodKind.MONTH else None)


@pytest.mark.parametrize(
    "bad",
    ["", "26", "1999", "2101", "2026-", "2026-Q0", "2026-Q5", "2026-00", "2026-13", "2026-1", "2026-001",
     "2026-S3", "2026Q1", "2026-q1", " 2026", "2026-01 ", "2026-M01", "٢٠٢٦"],
)  # fmt: skip
def test_bad_codes(bad: str) -> None:
    with pytest.raises(BadPeriod):
        parse(bad, set(PeriodKind))


def test_each_resource_takes_its_kinds() -> None:
    assert parse("2026-03").kind is PeriodKind.MONTH  # kinerja's kinds by default
    with pytest.raises(BadPeriod, match="YYYY-MM"):
        parse("2026-S1")
    assert parse("2026-S1", periods.SKM_KINDS).kind is PeriodKind.SEMESTER
    with pytest.raises(BadPeriod, match="YYYY-Sn"):
        parse("2026-Q1", periods.SKM_KINDS)


def test_the_patterns_agree_with_the_parser() -> None:
    samples = ["2026", "2026-S1", "2026-Q3", "2026-07", "2026-13", "2026-Q5", "2026-S3", "1999-01", "2026-"]
    for pattern, kinds in (
        (periods.KINERJA_PATTERN, periods.KINERJA_KINDS),
        (periods.SKM_PATTERN, periods.SKM_KINDS),
        (periods.PERIODIC_PATTERN, {PeriodKind.QUARTER, PeriodKind.MONTH}),
    ):
        for code in samples:
            try:
                parse(code, kinds)
                ok = True
            except BadPeriod:
                ok = False
            # The patterns check the shape only; the parser also checks the year's range.
            assert bool(re.match(pattern, code)) == ok or code.startswith("1999"), (pattern, code)
    assert f"period ~ '{periods.KINERJA_PATTERN}'" == periods.SQL_CHECK


def test_the_migration_and_the_models_share_the_check() -> None:
    """The migration freezes a copy of the CHECK; it must be the grammar's at the time of writing."""
    root = Path(__file__).parents[2]
    migration = (root / "migrations/kinerja/versions/kinerja_0023_k17_cadence.py").read_text("utf-8")
    assert f'_MONTHS = "{periods.SQL_CHECK}"' in migration


def test_navigation_and_cadence() -> None:
    assert parse("2026-01").previous().code == "2025-12"
    assert parse("2026-Q1").previous().code == "2025-Q4"
    assert parse("2026-S2", periods.SKM_KINDS).previous().code == "2026-S1"
    assert parse("2026").previous().code == "2025"
    assert periods.containing(date(2026, 8, 17), PeriodKind.MONTH).code == "2026-08"
    assert periods.containing(date(2026, 8, 17), PeriodKind.QUARTER).code == "2026-Q3"
    assert [p.code for p in periodic_of(2026, Cadence.QUARTERLY)] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    assert [p.code for p in periodic_of(2026, Cadence.MONTHLY)] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert periods_containing(date(2026, 5, 2)) == ["2026", "2026-Q2", "2026-05"]
    assert realization_periods(parse("2026-05")) == ["2026-05"]
    assert len(realization_periods(parse("2026"))) == 1 + 4 + 12
    # Monthly defaults mirror the quarterly ones: realisation on the last day, evaluation 15 days after.
    feb = default_deadlines(parse("2028-02"))
    assert (feb.skp_due_on, feb.realization_due_on, feb.evaluation_due_on) == (
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 15),
    )
    dec = default_deadlines(parse("2026-12"))
    assert dec.evaluation_due_on == date(2027, 1, 15)


async def test_bad_periods_are_422_at_the_edges(
    db: str, settings_for: Callable[..., Any], tokens: Tokens, tmp_path: Path
) -> None:
    admin = tokens.admin()
    async with running(kinerja_app(settings_for(KinerjaSettings))) as kinerja:
        for bad in ("2026-13", "2026-Q5", "2026-S1", "99"):
            resp = await kinerja.get(f"/v1/reports/predikat-distribution?period={bad}", headers=admin)
            assert resp.status_code == 422, (bad, resp.text)
        assert (
            await kinerja.get("/v1/reports/predikat-distribution?period=2026-03", headers=admin)
        ).status_code == 200
        resp = await kinerja.post(
            "/v1/evaluations", json={"nip": "1" * 18, "period": "2026-13"}, headers=admin
        )
        assert resp.status_code == 422, resp.text
    closed = f"http://127.0.0.1:{free_port()}"
    settings = settings_for(
        PublikSettings, gateway_url=closed, kinerja_url=closed, pelatihan_url=closed, data_dir=tmp_path
    )
    async with running(publik_app(settings)) as publik:
        for bad in ("2026-S3", "2026-Q1", "2026-01", "1999"):
            resp = await publik.post("/v1/skm-periods", json={"code": bad}, headers=admin)
            assert resp.status_code == 422, (bad, resp.text)
        made = await publik.post("/v1/skm-periods", json={"code": "2026-S2"}, headers=admin)
        assert made.status_code == 201, made.text
        assert made.json() == {
            "code": "2026-S2",
            "kind": "SEMESTER",
            "starts_on": "2026-07-01",
            "ends_on": "2026-12-31",
        }
