"""api client revoked_at and is_demo

When a client was revoked (kept for the usage record), and which client is demo data.

Revision ID: gateway_0002
Revises: gateway_0001
Create Date: 2026-11-28 00:29:47.991043
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0002"
down_revision: str | None = "gateway_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "api_client", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True), schema="gateway"
    )
    op.add_column(
        "api_client",
        sa.Column("is_demo", sa.Boolean(), server_default="false", nullable=False),
        schema="gateway",
    )


def downgrade() -> None:
    op.drop_column("api_client", "is_demo", schema="gateway")
    op.drop_column("api_client", "revoked_at", schema="gateway")
