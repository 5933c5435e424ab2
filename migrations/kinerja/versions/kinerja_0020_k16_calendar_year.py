"""calendar year rules: the days to object to a final result, per year, set by the admin (issue 16;
PP 30/2019 Pasal 59, default 14)

Revision ID: kinerja_0020_k16_calendar_year
Revises: kinerja_0019_k16_anchored
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kinerja_0020_k16_calendar_year"
down_revision: str | None = "kinerja_0019_k16_anchored"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("objection_days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_calendar_year_year_range")),
        sa.CheckConstraint(
            "objection_days BETWEEN 1 AND 90", name=op.f("ck_calendar_year_objection_days_range")
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_year")),
        schema="kinerja",
    )


def downgrade() -> None:
    op.drop_table("calendar_year", schema="kinerja")
