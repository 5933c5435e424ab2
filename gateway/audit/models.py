"""Table ``gateway.audit_entry`` (the columns and hashing are shared: services/common/changes/audit.py)."""

from __future__ import annotations

from gateway.db import Base
from services.common.changes import AuditMixin


class AuditEntry(AuditMixin, Base):
    """One change in gateway: who, when, what, before and after, chained to the previous entry by its hash."""
