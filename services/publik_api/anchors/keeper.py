"""The anchor keeper: every ``PUBLIK_ANCHOR_INTERVAL_S`` it asks each app for its audit head
(``GET /internal/v1/audit/head`` with publik's service token; publik's own read from its database) and
appends an anchor record when one changed (services/publik_api/anchors/service.py)."""

from __future__ import annotations

import asyncio
import logging

import httpx
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import clock
from services.common.apps import APP_NAMES
from services.common.changes.api import AuditHead
from services.common.changes.audit import chain_tip
from services.common.logging import failure_level
from services.publik_api.anchors.service import Heads, anchor_heads
from services.publik_api.models.anchors import AuditAnchor
from services.publik_api.models.audit import AuditEntry
from services.publik_api.snapshots.service import SnapshotSigner

log = logging.getLogger("asn.publik.anchors")

HEAD_PATH = "/internal/v1/audit/head"
OWN = "publik"


class AnchorKeeper:
    """Holds one client per other app (their base URLs, publik's service token on each call)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        signer: SnapshotSigner,
        sources: dict[str, httpx.AsyncClient],
        *,
        interval_s: float,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.signer = signer
        self.sources = sources
        self.interval_s = interval_s
        # The start-up round may run before the other apps listen: a head it cannot read is not news yet.
        self.rounds = 0

    async def _remote_head(self, app: str) -> AuditHead | None:
        try:
            resp = await self.sources[app].get(HEAD_PATH)
            resp.raise_for_status()
            return AuditHead.model_validate(resp.json())
        except (httpx.HTTPError, ValidationError, ValueError) as exc:
            # Only the start-up round is forgiven (INFO): rounds are an hour apart, so a head still unreadable
            # in the next one is news. No traceback: its source lines (the auth flow) would put token-shaped
            # text into the logs.
            log.log(
                failure_level(self.rounds + 1, warn_after=2),
                "cannot read %s's audit head (%s); its last anchor stands",
                app,
                type(exc).__name__,
            )
            return None

    async def fetch_heads(self) -> Heads:
        """Every head that could be read now, by app."""
        heads: Heads = {}
        for app in APP_NAMES:
            if app == OWN:
                async with self.sessionmaker() as session:
                    seq, digest = await chain_tip(session, AuditEntry)
                heads[app] = {"seq": seq, "hash": digest}
            elif app in self.sources:
                head = await self._remote_head(app)
                if head is not None:
                    heads[app] = head.model_dump()
        return heads

    async def run_once(self) -> AuditAnchor | None:
        """Fetch every head; the new anchor record, or None when no head moved."""
        try:
            heads = await self.fetch_heads()
        finally:
            self.rounds += 1
        async with self.sessionmaker() as session, session.begin():
            anchor = await anchor_heads(session, self.signer, heads, clock.now())
        if anchor is not None:
            log.info("audit anchor %d written", anchor.n)
        return anchor

    async def run_forever(self) -> None:
        """Anchor at start-up, then every interval; a failed round is logged and retried next time."""
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("audit anchoring failed; retrying next interval", exc_info=True)
            await asyncio.sleep(self.interval_s)
