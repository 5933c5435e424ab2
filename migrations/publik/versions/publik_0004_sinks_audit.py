"""publik.audit_entry: the hash-chained audit log every change of publik is recorded in (AuditMixin), and
publik.audit_chain_head(): its lock and last hash in one call

Revision ID: publik_0004_sinks_audit
Revises: publik_0003_disclosure
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "publik_0004_sinks_audit"
down_revision: str | None = "publik_0003_disclosure"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# One round trip under the lock instead of two (services/common/changes/audit.py chain_head): a VOLATILE
# function takes a new snapshot for each statement it runs, so the SELECT sees the entry the previous lock
# holder committed while this transaction waited.
HEAD_FUNCTION = """
CREATE FUNCTION {schema}.audit_chain_head(lock_key bigint) RETURNS varchar
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN (SELECT hash FROM {schema}.audit_entry ORDER BY seq DESC LIMIT 1);
END
$$
"""


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
        schema="publik",
    )
    op.create_index(
        "ix_audit_entry_entity", "audit_entry", ["entity", "entity_id", "seq"], unique=False, schema="publik"
    )
    op.execute(HEAD_FUNCTION.format(schema="publik"))


def downgrade() -> None:
    op.execute("DROP FUNCTION publik.audit_chain_head(bigint)")
    op.drop_index("ix_audit_entry_entity", table_name="audit_entry", schema="publik")
    op.drop_table("audit_entry", schema="publik")
