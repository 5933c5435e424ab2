"""penilai delegation: the admin records who acts as pejabat penilai for whom, from when to when, under
which decree (issue 16; domain.md §11.2)

Revision ID: kinerja_0018_k16_delegation
Revises: kinerja_0017_k17_documents
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kinerja_0018_k16_delegation"
down_revision: str | None = "kinerja_0017_k17_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "penilai_delegation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("delegate_nip", sa.String(length=18), nullable=False),
        sa.Column("for_nip", sa.String(length=18), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("decree_number", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("valid_to >= valid_from", name=op.f("ck_penilai_delegation_valid_range")),
        sa.CheckConstraint("delegate_nip <> for_nip", name=op.f("ck_penilai_delegation_not_self")),
        sa.ForeignKeyConstraint(
            ["delegate_nip"], ["kinerja.employee.nip"], name=op.f("fk_penilai_delegation_delegate_nip_employee")
        ),
        sa.ForeignKeyConstraint(
            ["for_nip"], ["kinerja.employee.nip"], name=op.f("fk_penilai_delegation_for_nip_employee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penilai_delegation")),
        schema="kinerja",
    )
    op.create_index(
        "ix_penilai_delegation_delegate_for",
        "penilai_delegation",
        ["delegate_nip", "for_nip", "valid_from"],
        schema="kinerja",
    )
    op.create_index(
        "ix_penilai_delegation_for_nip", "penilai_delegation", ["for_nip", "valid_from"], schema="kinerja"
    )


def downgrade() -> None:
    op.drop_table("penilai_delegation", schema="kinerja")
