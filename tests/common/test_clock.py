"""The province clock (services/common/clock.py): WIB dates and years, the test clock, its refusal in
production, and no domain code reading the host's time around it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway.config import GatewaySettings
from services.common import clock
from services.common.settings import AppSettings
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.nip import parse_nip
from services.pelatihan_api.config import PelatihanSettings
from services.publik_api.config import PublikSettings

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("services", "gateway", "asn_cli")
ALLOWED = {ROOT / "services" / "common" / "clock.py"}
# Receivers and methods that read the host's clock as a date or instant.
FORBIDDEN = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today")}
SETTINGS_CLASSES: list[type[AppSettings]] = [
    KinerjaSettings,
    PelatihanSettings,
    PublikSettings,
    GatewaySettings,
]

NEW_YEAR_0500_WIB = datetime.fromisoformat("2027-01-01T05:00:00+07:00")  # 22:00 UTC on 31 December 2026
NEW_YEARS_EVE_2330_WIB = datetime.fromisoformat("2026-12-31T23:30:00+07:00")  # 16:30 UTC, same day


@pytest.fixture(autouse=True)
def real_clock_after() -> Iterator[None]:
    yield
    clock.set_fake_now(None)


def direct_clock_calls(source: str) -> list[int]:
    """Line numbers of ``datetime.now(...)``, ``date.today()``, ``datetime.utcnow()`` (any module path)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", None)
            if (name, node.func.attr) in FORBIDDEN:
                lines.append(node.lineno)
    return lines


def test_the_scan_finds_every_spelling() -> None:
    source = (
        "import datetime as dt\nfrom datetime import date, datetime, UTC\n"
        "a = datetime.now(UTC)\nb = date.today()\nc = dt.datetime.utcnow()\nd = dt.date.today()\n"
        "e = clock.now()\nf = datetime.fromisoformat('2026-01-01')\n"
    )
    assert direct_clock_calls(source) == [3, 4, 5, 6]


def test_no_domain_code_reads_the_host_clock_around_the_province_clock() -> None:
    found = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if path in ALLOWED:
                continue
            found += [f"{path.relative_to(ROOT)}:{n}" for n in direct_clock_calls(path.read_text())]
    assert found == [], "use services.common.clock (now/today/this_year, or real_now for infrastructure)"


@pytest.mark.parametrize(
    ("instant", "day", "year"),
    [(NEW_YEAR_0500_WIB, date(2027, 1, 1), 2027), (NEW_YEARS_EVE_2330_WIB, date(2026, 12, 31), 2026)],
)
def test_today_and_this_year_are_wib(instant: datetime, day: date, year: int) -> None:
    clock.set_fake_now(instant)
    assert clock.now().tzinfo is not None
    assert abs(clock.now() - instant) < timedelta(seconds=5)
    assert (clock.today(), clock.this_year()) == (day, year)
    assert clock.now().astimezone(UTC).year == 2026  # what the old UTC code took for "this year"
    assert clock.is_fake()


def test_the_test_clock_runs_on_and_returns_to_real_time() -> None:
    clock.set_fake_now(NEW_YEAR_0500_WIB)
    first = clock.now()
    later = clock.now()
    assert later >= first  # an offset, not a frozen instant: rows stamped a moment apart keep their order
    assert clock.real_now().year != 2027 or clock.real_now() < NEW_YEAR_0500_WIB - timedelta(days=1)
    clock.set_fake_now(None)
    assert not clock.is_fake()
    assert abs(clock.now() - clock.real_now()) < timedelta(seconds=1)
    with pytest.raises(ValueError, match="offset"):
        clock.set_fake_now(datetime(2027, 1, 1, 5))


def test_nip_follows_the_province_clock() -> None:
    # Appointed January 2027: in the future until 1 January 2027 WIB, valid from 05:00 WIB that morning.
    nip = "199001012027011001"
    clock.set_fake_now(NEW_YEARS_EVE_2330_WIB)
    with pytest.raises(ValueError, match="future"):
        parse_nip(nip)
    clock.set_fake_now(NEW_YEAR_0500_WIB)
    assert parse_nip(nip).appointed == date(2027, 1, 1)


@pytest.mark.parametrize("cls", SETTINGS_CLASSES, ids=lambda c: c.__name__)
def test_every_app_reads_asn_fake_now(cls: type[AppSettings], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASN_FAKE_NOW", "2026-12-31T23:30:00+07:00")
    assert cls(environment="test").fake_now == NEW_YEARS_EVE_2330_WIB
    monkeypatch.setenv("ASN_FAKE_NOW", "2026-12-31T23:30:00")
    with pytest.raises(ValidationError, match="offset"):
        cls(environment="test")


@pytest.mark.parametrize("cls", SETTINGS_CLASSES, ids=lambda c: c.__name__)
def test_production_refuses_the_test_clock(cls: type[AppSettings], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASN_FAKE_NOW", "2026-12-31T23:30:00+07:00")
    with pytest.raises(ValidationError, match="refused in production"):
        cls(environment="production")
    monkeypatch.delenv("ASN_FAKE_NOW")
    monkeypatch.setenv("FAKE_NOW", "2026-12-31T23:30:00+07:00")  # an unrelated name is not read
    assert cls(environment="test").fake_now is None
    # The app's own prefixed name (e.g. KINERJA_FAKE_NOW) sets that app alone, and is refused alike.
    monkeypatch.setenv(cls.model_config.get("env_prefix", "") + "FAKE_NOW", "2026-12-31T23:30:00+07:00")
    assert cls(environment="test").fake_now == NEW_YEARS_EVE_2330_WIB
    with pytest.raises(ValidationError, match="refused in production"):
        cls(environment="production")
