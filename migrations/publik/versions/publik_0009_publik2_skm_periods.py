"""publik2: the province's SKM periods (semester or year)

Revision ID: publik_0009_publik2_periods
Revises: publik_0008_publik2_profile
Create Date: 2026-12-02 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "publik_0009_publik2_periods"
down_revision: str | None = "publik_0008_publik2_profile"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "skm_period",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_skm_period")),
        schema="publik",
    )


def downgrade() -> None:
    op.drop_table("skm_period", schema="publik")
