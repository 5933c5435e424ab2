"""The shared audit chain hashes exactly as kinerja's always did, so entries written before the move
still verify (the expected value was computed by the old services/kinerja_api/audit/service.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.common.changes import GENESIS, chain_lock_key, entry_hash
from services.common.changes.audit import canonical, hashed_fields


def test_an_entry_hashes_as_before_the_move() -> None:
    fields = hashed_fields(
        at=datetime(2026, 1, 20, 3, 0, 0, 123456, tzinfo=UTC),
        actor="admin",
        on_behalf_of="GUBERNUR",
        action="skp.approve",
        entity="skp",
        entity_id="3f1c",
        reason="ok ✓",
        before=canonical({"status": "SUBMITTED", "d": date(2026, 1, 1)}),
        after=canonical({"status": "APPROVED", "n": None}),
    )
    assert entry_hash(GENESIS, fields) == "216902c7a8ce2c1c60c7a408a517968a72a6aead6be59de404ac5afb260a0bdb"


def test_kinerja_keeps_its_lock_key() -> None:
    assert chain_lock_key("kinerja") == 0x4B494E45524A41
