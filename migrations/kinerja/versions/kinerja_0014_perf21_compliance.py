"""compliance for one OPD by index-only probes: FINAL evaluations by (nip, period), SKPs by (nip, year) with
their status and id (issue 21)

The OPD compliance report probes each of the OPD's employees (services/kinerja_api/reports/repository.py);
with these two indexes every probe is index-only, so its cost follows the OPD's size, not the province's.

Revision ID: kinerja_0014_perf21_compliance
Revises: kinerja_0013_edge2_append_only
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0014_perf21_compliance"
down_revision: str | None = "kinerja_0013_edge2_append_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_evaluation_nip_period_final ON kinerja.evaluation (nip, period) "
        "WHERE predikat IS NOT NULL"
    )
    op.execute("CREATE INDEX ix_skp_nip_year_status ON kinerja.skp (nip, year) INCLUDE (status, id)")


def downgrade() -> None:
    op.execute("DROP INDEX kinerja.ix_skp_nip_year_status")
    op.execute("DROP INDEX kinerja.ix_evaluation_nip_period_final")
