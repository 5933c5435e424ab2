"""The change-log backfill (migrations/kinerja/versions/kinerja_0010_nc3_changes_backfill.py) writes, for every
employee, SKP and evaluation, exactly the ``data`` record_change writes for it (employee_state, skp_data,
evaluation_data): the demo is seeded through the services (so logged live), the log is emptied, the backfill
runs, and every row must equal the live one (rolled back afterwards)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from services.common.settings import normalise_database_url
from services.kinerja_api import demo
from services.kinerja_api.evaluations.service import CHANGE_LOG_WITHHOLDS
from tests.support.changes import live_and_backfilled, migration


async def test_a_backfilled_row_equals_the_live_one(db: str, settings_for: Callable[..., Any]) -> None:
    engine = create_async_engine(normalise_database_url(db))
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            await demo.seed_demo(session, {})
    finally:
        await engine.dispose()
    module = migration("migrations/kinerja/versions/kinerja_0010_nc3_changes_backfill.py")
    live, backfilled = await live_and_backfilled(db, "kinerja", module.BACKFILL)
    kinds = [e for e, _, _ in backfilled]
    assert {"employee", "skp", "evaluation"} <= set(kinds)
    assert kinds == sorted(kinds, key=["employee", "skp", "evaluation"].index)
    assert any(d["results"] and d["approved_at"] for e, _, d in backfilled if e == "skp")
    assert any(d["finalized_at"] for e, _, d in backfilled if e == "evaluation")
    # kinerja_0012_edge2_scrub_notes then drops the behaviour notes the backfill wrote (issue 14).
    scrubbed = {
        (e, i): {k: v for k, v in d.items() if e != "evaluation" or k not in CHANGE_LOG_WITHHOLDS}
        for e, i, d in backfilled
    }
    # The backfill ran before kinerja_0014 added these employee columns (issue 17); live rows carry them.
    later = {"jenjang", "contract_start", "contract_end", "siasn_id"}
    expected = {
        k: {f: x for f, x in v.items() if k[0] != "employee" or f not in later}
        for k, v in live.items()
        if k[0] != "unit"
    }
    assert scrubbed == expected
