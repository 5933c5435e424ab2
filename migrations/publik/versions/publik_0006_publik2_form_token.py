"""publik2: one survey answer per signed form token (unique nonce); the device hash goes

Revision ID: publik_0006_publik2_form_token
Revises: publik_0005_edge2_append_only
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "publik_0006_publik2_form_token"
down_revision: str | None = "publik_0005_edge2_append_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "survey_response", sa.Column("form_nonce", sa.String(length=32), nullable=True), schema="publik"
    )
    op.create_unique_constraint(
        op.f("uq_survey_response_form_nonce"), "survey_response", ["form_nonce"], schema="publik"
    )
    # The client-chosen device id is replaced by the server's token: its keyed hash is no longer needed.
    op.drop_index("ix_survey_response_device", table_name="survey_response", schema="publik")
    op.drop_column("survey_response", "device_hash", schema="publik")


def downgrade() -> None:
    op.add_column(
        "survey_response", sa.Column("device_hash", sa.String(length=64), nullable=True), schema="publik"
    )
    op.create_index(
        "ix_survey_response_device",
        "survey_response",
        ["device_hash", "unit_id", "submitted_at"],
        schema="publik",
    )
    op.drop_constraint(
        op.f("uq_survey_response_form_nonce"), "survey_response", schema="publik", type_="unique"
    )
    op.drop_column("survey_response", "form_nonce", schema="publik")
