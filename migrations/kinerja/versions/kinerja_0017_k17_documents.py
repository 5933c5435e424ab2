"""evaluation_document: the issued evaluation documents (PDF, canonical content, verification code) (issue 17)

Revision ID: kinerja_0017_k17_documents
Revises: kinerja_0016_k17_eval_snapshot
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "kinerja_0017_k17_documents"
down_revision: str | None = "kinerja_0016_k17_eval_snapshot"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluation_document",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("nip", sa.String(18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Uuid(), nullable=False),
        sa.Column("result_version", sa.Integer(), nullable=False),
        sa.Column("content", postgresql.JSONB(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["nip"], ["kinerja.employee.nip"], name=op.f("fk_evaluation_document_nip_employee")),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["kinerja.evaluation.id"],
            name=op.f("fk_evaluation_document_result_id_evaluation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_document")),
        schema="kinerja",
    )
    op.create_index(
        "uq_evaluation_document_version",
        "evaluation_document",
        ["nip", "year", "result_version"],
        unique=True,
        schema="kinerja",
    )
    op.create_index("uq_evaluation_document_code", "evaluation_document", ["code"], unique=True, schema="kinerja")


def downgrade() -> None:
    op.drop_index("uq_evaluation_document_code", "evaluation_document", schema="kinerja")
    op.drop_index("uq_evaluation_document_version", "evaluation_document", schema="kinerja")
    op.drop_table("evaluation_document", schema="kinerja")
