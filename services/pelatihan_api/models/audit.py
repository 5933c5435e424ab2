"""Table ``pelatihan.audit_entry`` (the columns and hashing are shared: services/common/changes/audit.py)."""

from __future__ import annotations

from services.common.changes import AuditMixin
from services.pelatihan_api.db import Base


class AuditEntry(AuditMixin, Base):
    """One change in pelatihan: who, when, what, before and after, chained to the previous entry by its hash."""
