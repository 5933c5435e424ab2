"""the overall behaviour rating of an evaluation in ``development_need`` (``kinerja.development_needs``'s
optional ``behaviour_rating``), for recommendations (issue 18); null for needs received before

Revision ID: pelatihan_0011_behaviour_rating
Revises: pelatihan_0010_pppk_contract
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pelatihan_0011_behaviour_rating"
down_revision: str | None = "pelatihan_0010_pppk_contract"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "development_need", sa.Column("behaviour_rating", sa.String(length=24), nullable=True), schema="pelatihan"
    )


def downgrade() -> None:
    op.drop_column("development_need", "behaviour_rating", schema="pelatihan")
