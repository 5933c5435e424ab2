"""gateway.audit_entry: the hash-chained audit log every change of gateway is recorded in (AuditMixin)

Revision ID: gateway_0005_sinks_audit
Revises: gateway_0004_chg_outbox_ver
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "gateway_0005_sinks_audit"
down_revision: str | None = "gateway_0004_chg_outbox_ver"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("on_behalf_of", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_entry_hash")),
        schema="gateway",
    )
    op.create_index(
        "ix_audit_entry_entity", "audit_entry", ["entity", "entity_id", "seq"], unique=False, schema="gateway"
    )


def downgrade() -> None:
    op.drop_index("ix_audit_entry_entity", table_name="audit_entry", schema="gateway")
    op.drop_table("audit_entry", schema="gateway")
