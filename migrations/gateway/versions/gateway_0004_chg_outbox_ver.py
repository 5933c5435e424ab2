"""outbox rows carry the event payload's version (services/common/changes/events.py)

Revision ID: gateway_0004_chg_outbox_ver
Revises: gateway_0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0004_chg_outbox_ver"
down_revision: str | None = "gateway_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows already queued were written in version 1 of their event type.
    op.add_column(
        "webhook_delivery",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        schema="gateway",
    )


def downgrade() -> None:
    op.drop_column("webhook_delivery", "version", schema="gateway")
