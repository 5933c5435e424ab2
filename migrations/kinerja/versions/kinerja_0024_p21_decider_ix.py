"""evaluation.decider_nip indexed: the evaluation list's "results whose objections I decide" branch probes it
(issue 21)

The visibility filter of ``GET /v1/evaluations`` is a UNION of index-friendly branches
(services/kinerja_api/evaluations/repository.py); every branch but this one had an index. Partial: only FINAL
results store a decider.

Revision ID: kinerja_0024_p21_decider_ix
Revises: kinerja_0023_k17_cadence
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0024_p21_decider_ix"
down_revision: str | None = "kinerja_0023_k17_cadence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_evaluation_decider_nip ON kinerja.evaluation (decider_nip) "
        "WHERE decider_nip IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX kinerja.ix_evaluation_decider_nip")
