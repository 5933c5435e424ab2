"""a PPPK's contract dates in the roster (from ``kinerja.employee``'s optional ``contract_start`` and
``contract_end``), for the 24 JP ceiling per contract year (issue 18)

Revision ID: pelatihan_0010_pppk_contract
Revises: pelatihan_0009_outside_learning
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pelatihan_0010_pppk_contract"
down_revision: str | None = "pelatihan_0009_outside_learning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("roster_employee", sa.Column("contract_start", sa.Date(), nullable=True), schema="pelatihan")
    op.add_column("roster_employee", sa.Column("contract_end", sa.Date(), nullable=True), schema="pelatihan")


def downgrade() -> None:
    op.drop_column("roster_employee", "contract_end", schema="pelatihan")
    op.drop_column("roster_employee", "contract_start", schema="pelatihan")
