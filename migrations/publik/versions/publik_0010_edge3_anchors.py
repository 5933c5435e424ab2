"""publik.audit_anchor: the signed, hash-chained record of every app's audit head (issue 14 finding 3;
services/publik_api/anchors/).

Revision ID: publik_0010_edge3_anchors
Revises: publik_0009_publik2_periods
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "publik_0010_edge3_anchors"
down_revision: str | None = "publik_0009_publik2_periods"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_anchor",
        sa.Column("n", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("kid", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("jws", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("n", name=op.f("pk_audit_anchor")),
        schema="publik",
    )


def downgrade() -> None:
    op.drop_table("audit_anchor", schema="publik")
