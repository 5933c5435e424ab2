"""webhook endpoints: signing scheme per endpoint, and the previous secret during a rotation

Every existing endpoint keeps the legacy signature (`LEGACY`) its receiver verifies today; endpoints created
from now on are signed per the Standard Webhooks specification (`STANDARD_WEBHOOKS`), and an admin moves an
old endpoint over by rotating its secret. During the overlap the previous secret signs too.

Revision ID: gateway_0005_oauth_whsig
Revises: gateway_0004_chg_outbox_ver
Create Date: 2026-12-20 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0005_oauth_whsig"
down_revision: str | None = "gateway_0004_chg_outbox_ver"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "webhook_endpoint",
        sa.Column("signing_scheme", sa.String(length=20), server_default="LEGACY", nullable=False),
        schema="gateway",
    )
    op.add_column(
        "webhook_endpoint", sa.Column("previous_secret", sa.String(length=128), nullable=True), schema="gateway"
    )
    op.add_column(
        "webhook_endpoint",
        sa.Column("previous_signing_scheme", sa.String(length=20), nullable=True),
        schema="gateway",
    )
    op.add_column(
        "webhook_endpoint",
        sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True),
        schema="gateway",
    )


def downgrade() -> None:
    op.drop_column("webhook_endpoint", "previous_secret_expires_at", schema="gateway")
    op.drop_column("webhook_endpoint", "previous_signing_scheme", schema="gateway")
    op.drop_column("webhook_endpoint", "previous_secret", schema="gateway")
    op.drop_column("webhook_endpoint", "signing_scheme", schema="gateway")
