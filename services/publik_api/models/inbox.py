"""The inbox of publik_api: the ids of every event already ingested (idempotent on the event id)."""

from __future__ import annotations

from services.common.outbox import InboxMixin
from services.publik_api.db import Base


class InboxEvent(InboxMixin, Base):
    """An event id already processed (idempotent receive)."""
