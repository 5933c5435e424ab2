"""HTTP routes of /audit: admins read gateway's append-only audit log and check its hash chain (the routes are
shared by every app: services/common/changes/api.py)."""

from __future__ import annotations

from gateway.audit.models import AuditEntry
from services.common.auth import Role
from services.common.changes.api import audit_router

router = audit_router(AuditEntry, prefix="/audit", readers=(Role.ADMIN,))
