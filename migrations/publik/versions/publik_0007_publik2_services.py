"""publik2: each unit's services catalogue (jenis layanan); a survey answer names the service used

Revision ID: publik_0007_publik2_services
Revises: publik_0006_publik2_form_token
Create Date: 2026-12-02 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "publik_0007_publik2_services"
down_revision: str | None = "publik_0006_publik2_form_token"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "public_service",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["publik.unit.id"], name=op.f("fk_public_service_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_service")),
        sa.UniqueConstraint("unit_id", "name", name=op.f("uq_public_service_unit_id_name")),
        schema="publik",
    )
    op.create_index(op.f("ix_public_service_unit_id"), "public_service", ["unit_id"], schema="publik")
    op.add_column("survey_response", sa.Column("service_id", sa.Uuid(), nullable=True), schema="publik")
    op.create_foreign_key(
        op.f("fk_survey_response_service_id_public_service"),
        "survey_response",
        "public_service",
        ["service_id"],
        ["id"],
        source_schema="publik",
        referent_schema="publik",
    )
    op.create_index(op.f("ix_survey_response_service_id"), "survey_response", ["service_id"], schema="publik")


def downgrade() -> None:
    op.drop_index(op.f("ix_survey_response_service_id"), table_name="survey_response", schema="publik")
    op.drop_constraint(
        op.f("fk_survey_response_service_id_public_service"),
        "survey_response",
        schema="publik",
        type_="foreignkey",
    )
    op.drop_column("survey_response", "service_id", schema="publik")
    op.drop_index(op.f("ix_public_service_unit_id"), table_name="public_service", schema="publik")
    op.drop_table("public_service", schema="publik")
