"""A period's FINAL evaluations in NIP order: the province compliance report merge-joins it with the active
employees (ix_employee_active_nip) and the year's SKPs (ix_skp_nip_year_status), all read index-only and in
the same order, instead of hashing and de-duplicating three sets of 100,000 NIPs (issue 21, reports at scale).

Revision ID: kinerja_0025_r21_report_ix
Revises: kinerja_0024_p21_decider_ix
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0025_r21_report_ix"
down_revision: str | None = "kinerja_0024_p21_decider_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_evaluation_period_nip_final ON kinerja.evaluation (period, nip) "
        "WHERE predikat IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX kinerja.ix_evaluation_period_nip_final")
