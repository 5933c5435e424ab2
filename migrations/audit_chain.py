"""The steps that give an app's schema its hash-chained audit table (services/common/changes/audit.py
``AuditMixin``) and its ``audit_chain_head()`` function, shared by the migrations that created them
(kinerja_0003 and kinerja_0008, pelatihan_0005, publik_0004, gateway_0006).

Those migrations have run in production: what these functions create must stay what they created then. A
later change to the audit table or the function is a new migration of each app, never an edit here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

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


def create_chain_head_function(schema: str) -> None:
    """``<schema>.audit_chain_head(lock_key)``: take the chain's lock, then read its last hash."""
    op.execute(HEAD_FUNCTION.format(schema=schema))


def drop_chain_head_function(schema: str) -> None:
    """Undo :func:`create_chain_head_function`."""
    op.execute(f"DROP FUNCTION {schema}.audit_chain_head(bigint)")


def create_audit_table(schema: str) -> None:
    """``<schema>.audit_entry`` with its index by entity."""
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
        schema=schema,
    )
    op.create_index(
        "ix_audit_entry_entity", "audit_entry", ["entity", "entity_id", "seq"], unique=False, schema=schema
    )


def drop_audit_table(schema: str) -> None:
    """Undo :func:`create_audit_table`."""
    op.drop_index("ix_audit_entry_entity", table_name="audit_entry", schema=schema)
    op.drop_table("audit_entry", schema=schema)


def create_audit_chain(schema: str) -> None:
    """The audit table and its ``audit_chain_head()`` function."""
    create_audit_table(schema)
    create_chain_head_function(schema)


def drop_audit_chain(schema: str) -> None:
    """Undo :func:`create_audit_chain`."""
    drop_chain_head_function(schema)
    drop_audit_table(schema)
