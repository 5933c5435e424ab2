"""gateway.audit_entry: the hash-chained audit log every change of gateway is recorded in (AuditMixin), and
gateway.audit_chain_head(): its lock and last hash in one call

Revision ID: gateway_0006_sinks_audit
Revises: gateway_0005_oauth_whsig
"""

from collections.abc import Sequence

from migrations.audit_chain import create_audit_chain, drop_audit_chain

revision: str = "gateway_0006_sinks_audit"
down_revision: str | None = "gateway_0005_oauth_whsig"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_audit_chain("gateway")


def downgrade() -> None:
    drop_audit_chain("gateway")
