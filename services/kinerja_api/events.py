"""Where kinerja_api records its changes: the outbox (unit aggregates and units for publik, roster entries
and development needs for pelatihan, webhooks for the gateway), the audit chain and the change log."""

from __future__ import annotations

from services.common.changes import ChangeSink, chain_lock_key
from services.common.outbox import OutboxMixin
from services.kinerja_api.audit.models import AuditEntry
from services.kinerja_api.db import Base
from services.kinerja_api.sync.models import ChangeLog


class OutboxEvent(OutboxMixin, Base):
    """An event waiting for (or past) delivery."""


SINK = ChangeSink(
    audit=AuditEntry,
    lock_key=chain_lock_key("kinerja"),
    outbox=OutboxEvent,
    change_log=ChangeLog,
    # What integrators follow through GET /v1/changes.
    synced=frozenset({"employee", "skp", "evaluation"}),
)
