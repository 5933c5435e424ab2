"""The demo data: published periods with suppression, surveys and innovations; idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from asn_cli.seed import app_session
from services.publik_api import demo


async def test_demo_seed_is_idempotent_and_public(
    db: str, publik: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIK_DATA_DIR", str(tmp_path))
    context: dict[str, Any] = {}
    async with app_session(db) as session:
        first = await demo.seed_demo(session, context)
    async with app_session(db) as session:
        second = await demo.seed_demo(session, context)
    assert "0 new survey responses, 0 new innovations" in second[0], (first, second)
    units = context["publik_demo_units"]
    items = (await publik.get("/v1/feed?limit=200")).json()["items"]
    kinds = {i["kind"] for i in items}
    assert kinds == {"UNIT_PERFORMANCE", "TRAINING_STATS", "IKM", "INOVASI"}
    small = next(i for i in items if i["kind"] == "UNIT_PERFORMANCE" and i["unit_id"] == units["BKD.MUT"])
    assert "counts.BAIK" in small["suppressed"]
    card = (await publik.get(f"/v1/units/{units['SETDA']}/scorecard")).json()
    assert any("kependudukan" in i["data"]["title"] for i in card["innovations"])
    assert card["ikm"]["respondents"] == 25
    snapshots = (await publik.get("/v1/snapshots/latest")).json()
    assert snapshots["n"] >= 2
