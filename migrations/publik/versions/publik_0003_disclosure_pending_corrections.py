"""disclosure control: pending corrections, hold reasons, published flag of earlier versions

Revision ID: publik_0003_disclosure
Revises: publik_0002
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "publik_0003_disclosure"
down_revision: str | None = "publik_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "item",
        sa.Column("pending_data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="publik",
    )
    op.add_column(
        "item", sa.Column("pending_policy_version", sa.String(length=32), nullable=True), schema="publik"
    )
    op.add_column(
        "item", sa.Column("pending_data_as_of", sa.DateTime(timezone=True), nullable=True), schema="publik"
    )
    op.add_column(
        "item",
        sa.Column(
            "hold_reasons",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        schema="publik",
    )
    # Versions kept before this release are counted as published (the cautious reading).
    op.add_column(
        "item_version",
        sa.Column("published", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        schema="publik",
    )


def downgrade() -> None:
    op.drop_column("item_version", "published", schema="publik")
    op.drop_column("item", "hold_reasons", schema="publik")
    op.drop_column("item", "pending_data_as_of", schema="publik")
    op.drop_column("item", "pending_policy_version", schema="publik")
    op.drop_column("item", "pending_data", schema="publik")
