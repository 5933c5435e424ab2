"""Table ``kinerja.audit_entry`` (the columns and hashing are shared: services/common/changes/audit.py)."""

from __future__ import annotations

from services.common.changes import AuditMixin
from services.kinerja_api.db import Base


class AuditEntry(AuditMixin, Base):
    """One change: who, when, what, before and after, chained to the previous entry by its hash.
    ``on_behalf_of`` is set when an admin acts in the governor's name for a unit head."""
