"""outbox rows carry the event payload's version (services/common/changes/events.py)

Revision ID: pelatihan_0004_chg_outbox_ver
Revises: pelatihan_0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pelatihan_0004_chg_outbox_ver"
down_revision: str | None = "pelatihan_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows already queued were written in version 1 of their event type.
    op.add_column(
        "outbox_event",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        schema="pelatihan",
    )


def downgrade() -> None:
    op.drop_column("outbox_event", "version", schema="pelatihan")
