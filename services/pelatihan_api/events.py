"""Outbox of pelatihan_api (training statistics for publik) and its inbox (development needs from kinerja)."""

from __future__ import annotations

from services.common.outbox import InboxMixin, OutboxMixin
from services.pelatihan_api.db import Base


class OutboxEvent(OutboxMixin, Base):
    """An event waiting for (or past) delivery."""


class InboxEvent(InboxMixin, Base):
    """An event id already processed (idempotent receive)."""
