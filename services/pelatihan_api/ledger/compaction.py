"""Background compaction of the compliance report's per-unit deltas (``jp_unit_delta``, migration
pelatihan_0013): the triggers only append, so each unit's rows grow with its credits and roster moves until
folded here. Runs in the app's periodic tasks (services/common/app.py), never from a GET."""

from __future__ import annotations

import logging

from services.common.state import AppState
from services.pelatihan_api.ledger import repository

log = logging.getLogger(__name__)


async def compact(state: AppState) -> None:
    """Fold the deltas in one transaction; another replica compacting at the same time makes this a no-op."""
    async with state.sessionmaker() as session, session.begin():
        folded = await repository.compact_unit_deltas(session)
    if folded:
        log.info("jp_unit_delta: folded %d rows", folded)
