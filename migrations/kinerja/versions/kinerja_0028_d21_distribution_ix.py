"""The predikat distribution reads its newest change from the index: ``ix_evaluation_period_unit_id_predikat``
includes ``updated_at`` beside ``nip``, so the report's one statement (counts per predikat and
``max(updated_at)`` for a unit's subtree) is an index-only scan.

Why (issue 21, the closed loop at 256 connections): ``data_as_of`` read every counted row from the heap (893
pages for an OPD of 6,250 FINAL evaluations on the bench dataset, 6.4 ms of 6.4); index-only it takes 2.9 ms,
and the report went from about 260 to about 450 requests a second with no wrk timeouts at 256 connections
(docs/benchmarks.md). Every update of an evaluation changes ``updated_at``, so none is a HOT update any more;
evaluations are written a few times a quarter each, so that costs little.

Revision ID: kinerja_0028_d21_distribution_ix
Revises: kinerja_0027_o23_owner_unit
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0028_d21_distribution_ix"
down_revision: str | None = "kinerja_0027_o23_owner_unit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DROP INDEX kinerja.ix_evaluation_period_unit_id_predikat")
    op.execute(
        "CREATE INDEX ix_evaluation_period_unit_id_predikat ON kinerja.evaluation (period, unit_id, predikat) "
        "INCLUDE (nip, updated_at)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX kinerja.ix_evaluation_period_unit_id_predikat")
    op.execute(
        "CREATE INDEX ix_evaluation_period_unit_id_predikat ON kinerja.evaluation (period, unit_id, predikat) "
        "INCLUDE (nip)"
    )
