"""Outbox of kinerja_api: unit aggregates for publik, development needs for pelatihan."""

from __future__ import annotations

from services.common.outbox import OutboxMixin
from services.kinerja_api.db import Base


class OutboxEvent(OutboxMixin, Base):
    """An event waiting for (or past) delivery."""
