"""anchored ratings: per-main-result ratings and the written reasons of an evaluation (issue 16;
domain.md §11.3)

Revision ID: kinerja_0019_k16_anchored
Revises: kinerja_0018_k16_delegation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "kinerja_0019_k16_anchored"
down_revision: str | None = "kinerja_0018_k16_delegation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "evaluation",
        sa.Column(
            "main_ratings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        schema="kinerja",
    )
    op.add_column("evaluation", sa.Column("result_reason", sa.String(length=2000), nullable=True), schema="kinerja")
    op.add_column(
        "evaluation", sa.Column("behavior_reason", sa.String(length=2000), nullable=True), schema="kinerja"
    )


def downgrade() -> None:
    op.drop_column("evaluation", "behavior_reason", schema="kinerja")
    op.drop_column("evaluation", "result_reason", schema="kinerja")
    op.drop_column("evaluation", "main_ratings", schema="kinerja")
