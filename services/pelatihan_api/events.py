"""``SINK``: where every change of pelatihan_api is recorded (audit chain, outbox, change log) by
services.common.changes.record_change. The tables themselves are in services/pelatihan_api/models/."""

from __future__ import annotations

from services.common.changes import ChangeSink, chain_lock_key
from services.pelatihan_api.models.audit import AuditEntry
from services.pelatihan_api.models.outbox import OutboxEvent
from services.pelatihan_api.models.sync import ChangeLog

SINK = ChangeSink(
    audit=AuditEntry,
    lock_key=chain_lock_key("pelatihan"),
    outbox=OutboxEvent,
    change_log=ChangeLog,
    # What integrators follow through GET /v1/changes (docs/integrators.md "Change log").
    synced=frozenset({"session", "enrolment", "completion"}),
)
