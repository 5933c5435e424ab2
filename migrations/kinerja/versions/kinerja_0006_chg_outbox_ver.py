"""outbox rows carry the event payload's version (services/common/changes/events.py)

Revision ID: kinerja_0006_chg_outbox_ver
Revises: kinerja_0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kinerja_0006_chg_outbox_ver"
down_revision: str | None = "kinerja_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows already queued were written in version 1 of their event type.
    op.add_column(
        "outbox_event",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        schema="kinerja",
    )


def downgrade() -> None:
    op.drop_column("outbox_event", "version", schema="kinerja")
