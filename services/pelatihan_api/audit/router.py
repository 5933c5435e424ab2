"""HTTP routes of /v1/audit: admins and training admins read pelatihan's append-only audit log and check its hash chain (the routes are
shared by every app: services/common/changes/api.py)."""

from __future__ import annotations

from services.common.auth import Role
from services.common.changes.api import audit_head_router, audit_router
from services.common.routing import ServiceRouter
from services.pelatihan_api.models.audit import AuditEntry

router = ServiceRouter()
router.include_router(
    audit_router(AuditEntry, prefix="/v1/audit", readers=(Role.ADMIN, Role.PELATIHAN_ADMIN))
)
# The chain's head for publik's anchor keeper (service tokens; /internal is never forwarded by the gateway).
router.include_router(audit_head_router(AuditEntry))
