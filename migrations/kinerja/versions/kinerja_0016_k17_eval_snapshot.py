"""evaluation.snapshot: who the employee, the penilai and the atasan penilai were at finalisation (issue 17:
the evaluation document and the SIASN payload print them as they were, not as they are today)

Additive: results finalised before this revision have no snapshot; readers fall back to the current registry.

Revision ID: kinerja_0016_k17_eval_snapshot
Revises: kinerja_0015_k17_employee
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "kinerja_0016_k17_eval_snapshot"
down_revision: str | None = "kinerja_0015_k17_employee"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "evaluation", sa.Column("snapshot", postgresql.JSONB(), nullable=True), schema="kinerja"
    )


def downgrade() -> None:
    op.drop_column("evaluation", "snapshot", schema="kinerja")
