"""employee: functional level (jenjang, dated on the assignment), PPPK contract dates, SIASN person id
(issue 17: credit points, contract renewal input, a SIASN payload that names the person by SIASN's id)

Revision ID: kinerja_0015_k17_employee
Revises: kinerja_0014_perf21_compliance
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kinerja_0015_k17_employee"
down_revision: str | None = "kinerja_0014_perf21_compliance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JENJANG = (
    "jenjang IS NULL OR jenjang IN ('PEMULA', 'TERAMPIL', 'MAHIR', 'PENYELIA', 'AHLI_PERTAMA', 'AHLI_MUDA', "
    "'AHLI_MADYA', 'AHLI_UTAMA')"
)
_SIASN_ID = (
    "siasn_id IS NULL OR siasn_id ~ '^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
    "[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$'"
)


def upgrade() -> None:
    op.add_column("employee", sa.Column("jenjang", sa.String(16), nullable=True), schema="kinerja")
    op.add_column("employee", sa.Column("contract_start", sa.Date(), nullable=True), schema="kinerja")
    op.add_column("employee", sa.Column("contract_end", sa.Date(), nullable=True), schema="kinerja")
    op.add_column("employee", sa.Column("siasn_id", sa.String(36), nullable=True), schema="kinerja")
    op.create_check_constraint(op.f("ck_employee_jenjang"), "employee", _JENJANG, schema="kinerja")
    op.create_check_constraint(
        op.f("ck_employee_contract"),
        "employee",
        "(contract_start IS NULL) = (contract_end IS NULL) AND (contract_end IS NULL OR "
        "(employment = 'PPPK' AND contract_end >= contract_start))",
        schema="kinerja",
    )
    op.create_check_constraint(op.f("ck_employee_siasn_id_shape"), "employee", _SIASN_ID, schema="kinerja")
    op.create_index(
        "uq_employee_siasn_id",
        "employee",
        ["siasn_id"],
        unique=True,
        schema="kinerja",
        postgresql_where=sa.text("siasn_id IS NOT NULL"),
    )
    op.add_column("employee_assignment", sa.Column("jenjang", sa.String(16), nullable=True), schema="kinerja")
    op.create_check_constraint(op.f("ck_employee_assignment_jenjang"), "employee_assignment", _JENJANG, schema="kinerja")
    op.create_index(
        "ix_employee_assignment_jenjang_valid_from",
        "employee_assignment",
        ["valid_from"],
        schema="kinerja",
        postgresql_where=sa.text("jenjang IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_employee_assignment_jenjang_valid_from", "employee_assignment", schema="kinerja")
    op.drop_constraint("ck_employee_assignment_jenjang", "employee_assignment", schema="kinerja")
    op.drop_column("employee_assignment", "jenjang", schema="kinerja")
    op.drop_index("uq_employee_siasn_id", "employee", schema="kinerja")
    for name in ("siasn_id_shape", "contract", "jenjang"):
        op.drop_constraint(f"ck_employee_{name}", "employee", schema="kinerja")
    for column in ("siasn_id", "contract_end", "contract_start", "jenjang"):
        op.drop_column("employee", column, schema="kinerja")
