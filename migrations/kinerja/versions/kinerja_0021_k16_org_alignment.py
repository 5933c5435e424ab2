"""evaluation.org_alignment_reason/_by: the admin's written reason why a unit head's result rating departs
from the rating the organisation predikat gives (issue 16 item 5; domain.md §11.3)

Revision ID: kinerja_0021_k16_org_alignment
Revises: kinerja_0020_k16_calendar_year
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kinerja_0021_k16_org_alignment"
down_revision: str | None = "kinerja_0020_k16_calendar_year"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("evaluation", sa.Column("org_alignment_reason", sa.String(length=2000)), schema="kinerja")
    op.add_column("evaluation", sa.Column("org_alignment_by", sa.String(length=64)), schema="kinerja")


def downgrade() -> None:
    op.drop_column("evaluation", "org_alignment_by", schema="kinerja")
    op.drop_column("evaluation", "org_alignment_reason", schema="kinerja")
