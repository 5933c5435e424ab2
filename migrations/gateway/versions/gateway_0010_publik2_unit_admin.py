"""publik2: the unit a unit_admin account acts for

Revision ID: gateway_0010_publik2_unit_admin
Revises: gateway_0009_edge1_login_lockout
Create Date: 2026-12-02 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0010_publik2_unit_admin"
down_revision: str | None = "gateway_0009_edge1_login_lockout"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("account", sa.Column("unit_id", sa.String(length=36), nullable=True), schema="gateway")


def downgrade() -> None:
    op.drop_column("account", "unit_id", schema="gateway")
