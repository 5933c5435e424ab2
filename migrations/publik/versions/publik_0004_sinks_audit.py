"""publik.audit_entry: the hash-chained audit log every change of publik is recorded in (AuditMixin), and
publik.audit_chain_head(): its lock and last hash in one call

Revision ID: publik_0004_sinks_audit
Revises: publik_0003_disclosure
"""

from collections.abc import Sequence

from migrations.audit_chain import create_audit_chain, drop_audit_chain

revision: str = "publik_0004_sinks_audit"
down_revision: str | None = "publik_0003_disclosure"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_audit_chain("publik")


def downgrade() -> None:
    drop_audit_chain("publik")
