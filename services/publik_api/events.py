"""``SINK``: where every publication change of publik_api is recorded. publik sends no events and keeps no
change log, so its sink is the audit chain alone. The tables are in services/publik_api/models/."""

from __future__ import annotations

from services.common.changes import ChangeSink, chain_lock_key
from services.publik_api.models.audit import AuditEntry

SINK = ChangeSink(audit=AuditEntry, lock_key=chain_lock_key("publik"))
