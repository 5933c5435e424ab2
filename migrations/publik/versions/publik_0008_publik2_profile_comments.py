"""publik2: the SKM respondent profile (optional) and the follow-up state of each comment

Revision ID: publik_0008_publik2_profile
Revises: publik_0007_publik2_services
Create Date: 2026-12-02 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "publik_0008_publik2_profile"
down_revision: str | None = "publik_0007_publik2_services"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROFILE = ("age_group", "sex", "education", "occupation")


def upgrade() -> None:
    for column in _PROFILE:
        op.add_column("survey_response", sa.Column(column, sa.String(length=24), nullable=True), schema="publik")
    op.add_column(
        "survey_response", sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True), schema="publik"
    )
    op.add_column("survey_response", sa.Column("handled_by", sa.String(length=128), nullable=True), schema="publik")


def downgrade() -> None:
    for column in ("handled_by", "handled_at", *reversed(_PROFILE)):
        op.drop_column("survey_response", column, schema="publik")
