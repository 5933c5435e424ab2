"""pelatihan.audit_entry: the hash-chained audit log every change of pelatihan is recorded in (AuditMixin), and
pelatihan.audit_chain_head(): its lock and last hash in one call

Revision ID: pelatihan_0005_sinks_audit
Revises: pelatihan_0004_chg_outbox_ver
"""

from collections.abc import Sequence

from migrations.audit_chain import create_audit_chain, drop_audit_chain

revision: str = "pelatihan_0005_sinks_audit"
down_revision: str | None = "pelatihan_0004_chg_outbox_ver"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_audit_chain("pelatihan")


def downgrade() -> None:
    drop_audit_chain("pelatihan")
