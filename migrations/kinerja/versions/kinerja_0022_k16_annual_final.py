"""calendar_year.annual_final_from: the date from which the year's annual results may be finalised, when the
admin sets one earlier than 31 December (issue 16 item 4; domain.md §11.1: the annual evaluation comes after
the year's last working day)

Revision ID: kinerja_0022_k16_annual_final
Revises: kinerja_0021_k16_org_alignment
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kinerja_0022_k16_annual_final"
down_revision: str | None = "kinerja_0021_k16_org_alignment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("calendar_year", sa.Column("annual_final_from", sa.Date()), schema="kinerja")


def downgrade() -> None:
    op.drop_column("calendar_year", "annual_final_from", schema="kinerja")
