"""Inbox of publik_api (the ids of every event already ingested, idempotent on the event id) and ``SINK``:
where every publication change is recorded. publik sends no events and keeps no change log, so its sink is
the audit chain alone."""

from __future__ import annotations

from services.common.changes import ChangeSink, chain_lock_key
from services.common.outbox import InboxMixin
from services.publik_api.audit.models import AuditEntry
from services.publik_api.db import Base


class InboxEvent(InboxMixin, Base):
    """An event id already processed (idempotent receive)."""


SINK = ChangeSink(audit=AuditEntry, lock_key=chain_lock_key("publik"))
