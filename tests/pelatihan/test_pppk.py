"""PPPK contract years (issue 18, item 3): the 24 JP ceiling is per year of contract, not per calendar year."""

from __future__ import annotations

from datetime import date

from services.pelatihan_api.ledger.service import add_years, contract_years, required_for


def test_contract_years_overlapping_a_calendar_year() -> None:
    # A contract from 1 March 2024: 2026 overlaps the contract years Mar 2025-Feb 2026 and Mar 2026-Feb 2027.
    assert contract_years(date(2024, 3, 1), None, 2026) == [
        (date(2025, 3, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2027, 2, 28)),
    ]
    # Cut at the contract's end; nothing before the contract began.
    assert contract_years(date(2024, 3, 1), date(2026, 6, 30), 2026) == [
        (date(2025, 3, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 6, 30)),
    ]
    assert contract_years(date(2027, 1, 1), None, 2026) == []
    assert contract_years(date(2026, 1, 1), None, 2026) == [(date(2026, 1, 1), date(2026, 12, 31))]
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_no_target_for_pppk() -> None:
    assert required_for("PNS") == 20
    assert required_for(None) == 20
    assert required_for("PPPK") is None
