"""Per-subject "not before": an admin revokes every token of a subject issued so far (issue 14 finding 5d;
POST /auth/subjects/{sub}/revoke-tokens, docs/security.md, Key and token lifecycle).

Revision ID: gateway_0011_edge4_not_before
Revises: gateway_0010_publik2_unit_admin
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0011_edge4_not_before"
down_revision: str | None = "gateway_0010_publik2_unit_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subject_not_before",
        sa.Column("subject", sa.String(length=200), primary_key=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema="gateway",
    )


def downgrade() -> None:
    op.drop_table("subject_not_before", schema="gateway")
