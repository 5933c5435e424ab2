"""HTTP routes of /v1/audit: admins and training admins read pelatihan's append-only audit log and check its hash chain (the routes are
shared by every app: services/common/changes/api.py)."""

from __future__ import annotations

from services.common.auth import Role
from services.common.changes.api import audit_router
from services.pelatihan_api.audit.models import AuditEntry

router = audit_router(AuditEntry, prefix="/v1/audit", readers=(Role.ADMIN, Role.PELATIHAN_ADMIN))
