"""gateway.login_lockout: failed logins and lock-outs per (username, source address)

Revision ID: gateway_0009_edge1_login_lockout
Revises: gateway_0008_edge2_append_only
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0009_edge1_login_lockout"
down_revision: str | None = "gateway_0008_edge2_append_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_lockout",
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lockouts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username", "address", name=op.f("pk_login_lockout")),
        schema="gateway",
    )
    op.create_index(
        op.f("ix_login_lockout_last_failure_at"), "login_lockout", ["last_failure_at"], schema="gateway"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_login_lockout_last_failure_at"), table_name="login_lockout", schema="gateway")
    op.drop_table("login_lockout", schema="gateway")
