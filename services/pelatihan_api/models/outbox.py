"""The outbox of pelatihan_api (training statistics for publik, webhooks for the gateway) and its inbox
(roster entries and development needs from kinerja)."""

from __future__ import annotations

from services.common.outbox import InboxMixin, OutboxMixin
from services.pelatihan_api.db import Base


class OutboxEvent(OutboxMixin, Base):
    """An event waiting for (or past) delivery."""


class InboxEvent(InboxMixin, Base):
    """An event id already processed (idempotent receive)."""
