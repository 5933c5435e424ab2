"""learning from outside (pembelajaran mandiri): claims, their caps per path and year, and the ledger link
(issue 18)

The caps start at the defaults documented in docs/pelatihan.md ("Learning from outside"); an admin changes
them through the API afterwards.

Revision ID: pelatihan_0009_outside_learning
Revises: pelatihan_0008_session_days
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pelatihan_0009_outside_learning"
down_revision: str | None = "pelatihan_0008_session_days"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PATHS = ("KLASIKAL", "E_LEARNING", "SEMINAR_WORKSHOP", "COACHING", "MENTORING", "SELF_STUDY", "OTHER")
DEFAULTS = {
    "KLASIKAL": 60,
    "E_LEARNING": 40,
    "SEMINAR_WORKSHOP": 16,
    "COACHING": 20,
    "MENTORING": 20,
    "SELF_STUDY": 10,
    "OTHER": 10,
}
_PATH_CHECK = "path IN (" + ", ".join(f"'{p}'" for p in PATHS) + ")"


def upgrade() -> None:
    op.create_table(
        "outside_learning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("path", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("certificate_number", sa.String(length=100), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("jp", sa.Integer(), nullable=False),
        sa.Column("evidence_url", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(_PATH_CHECK, name=op.f("ck_outside_learning_path")),
        sa.CheckConstraint(
            "status IN ('CLAIMED', 'VERIFIED', 'REJECTED', 'REVOKED')", name=op.f("ck_outside_learning_status")
        ),
        sa.CheckConstraint("jp > 0", name=op.f("ck_outside_learning_jp_positive")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_outside_learning_dates_ordered")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outside_learning")),
        schema="pelatihan",
    )
    op.create_index(
        "ix_outside_learning_nip_created_at", "outside_learning", ["nip", "created_at"], schema="pelatihan"
    )
    op.create_index(
        "ix_outside_learning_status_created_at",
        "outside_learning",
        ["status", "created_at"],
        schema="pelatihan",
    )
    op.create_index(
        "ix_outside_learning_nip_path_year", "outside_learning", ["nip", "path", "year"], schema="pelatihan"
    )
    op.create_index(
        "uq_outside_learning_credited_certificate",
        "outside_learning",
        [sa.text("lower(provider)"), sa.text("lower(certificate_number)")],
        unique=True,
        schema="pelatihan",
        postgresql_where=sa.text("status = 'VERIFIED' AND certificate_number IS NOT NULL"),
    )
    cap = op.create_table(
        "learning_cap",
        sa.Column("path", sa.String(length=20), nullable=False),
        sa.Column("jp_per_year", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(_PATH_CHECK, name=op.f("ck_learning_cap_path")),
        sa.CheckConstraint("jp_per_year >= 0", name=op.f("ck_learning_cap_jp_nonnegative")),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_learning_cap")),
        schema="pelatihan",
    )
    op.bulk_insert(cap, [{"path": p, "jp_per_year": DEFAULTS[p]} for p in PATHS])
    op.create_index(
        "ix_roster_employee_supervisor_nip", "roster_employee", ["supervisor_nip"], schema="pelatihan"
    )
    op.add_column("jp_entry", sa.Column("outside_learning_id", sa.Uuid(), nullable=True), schema="pelatihan")
    op.create_unique_constraint(
        op.f("uq_jp_entry_outside_learning_id"), "jp_entry", ["outside_learning_id"], schema="pelatihan"
    )
    op.create_foreign_key(
        op.f("fk_jp_entry_outside_learning_id_outside_learning"),
        "jp_entry",
        "outside_learning",
        ["outside_learning_id"],
        ["id"],
        source_schema="pelatihan",
        referent_schema="pelatihan",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_jp_entry_outside_learning_id_outside_learning"), "jp_entry", schema="pelatihan", type_="foreignkey"
    )
    op.drop_constraint(op.f("uq_jp_entry_outside_learning_id"), "jp_entry", schema="pelatihan", type_="unique")
    op.drop_column("jp_entry", "outside_learning_id", schema="pelatihan")
    op.drop_index("ix_roster_employee_supervisor_nip", table_name="roster_employee", schema="pelatihan")
    op.drop_table("learning_cap", schema="pelatihan")
    op.drop_table("outside_learning", schema="pelatihan")
