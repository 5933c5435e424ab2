"""Outbox of pelatihan_api (training statistics for publik, webhooks for the gateway), its inbox (roster
entries and development needs from kinerja), and ``SINK``: where every change is recorded (audit chain,
outbox, change log) by services.common.changes.record_change."""

from __future__ import annotations

from services.common.changes import ChangeSink, chain_lock_key
from services.common.outbox import InboxMixin, OutboxMixin
from services.pelatihan_api.audit.models import AuditEntry
from services.pelatihan_api.db import Base
from services.pelatihan_api.sync.models import ChangeLog


class OutboxEvent(OutboxMixin, Base):
    """An event waiting for (or past) delivery."""


class InboxEvent(InboxMixin, Base):
    """An event id already processed (idempotent receive)."""


SINK = ChangeSink(
    audit=AuditEntry,
    lock_key=chain_lock_key("pelatihan"),
    outbox=OutboxEvent,
    change_log=ChangeLog,
    # What integrators follow through GET /v1/changes (docs/integrators.md "Change log").
    synced=frozenset({"session", "enrolment", "completion"}),
)
