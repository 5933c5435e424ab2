"""change log: pelatihan.change_log for GET /v1/changes (sessions, enrolments, completions)

Revision ID: pelatihan_0003
Revises: pelatihan_0002
Create Date: 2026-11-28 01:05:21.153102
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "pelatihan_0003"
down_revision: str | None = "pelatihan_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change_log")),
        schema="pelatihan",
    )


def downgrade() -> None:
    op.drop_table("change_log", schema="pelatihan")
