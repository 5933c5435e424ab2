"""Two partial indexes for a pegawai's evaluation list, so each of its visibility branches is a probe, and
PostgreSQL keeps the statement's generic plan instead of planning it afresh on every request.

- ``ix_evaluation_undecided_evaluator_nip``: the branch "results my direct reports evaluate while no decider
  is stored" probes each report's undecided results of the page's period and unit. Without it, PostgreSQL
  read the unit's whole period from the heap (1,250 rows on the bench dataset) and hash-joined it to the team:
  1.5 of the statement's 2.3 ms. A decider is stored at the first finalisation, so in service it holds the
  drafts only.
- ``ix_evaluation_part_evaluator_nip``: the branch "results I wrote a part of" reads the parts one wrote,
  index-only. Without it, it read every result the viewer ever evaluated (a supervisor's reports times every
  period of every year) to find the few PARTs among them.

With both, and the list's ``kind`` constants written into the statement (not bound: a generic plan cannot use
a partial index on a parameter), the generic plan costs what a custom one does on the bench dataset, so
PostgreSQL keeps it after its first five executions: 0.01 ms of planning against about 1 ms per request before
(issue 21, docs/benchmarks.md round 10; the choice follows the table's statistics).

Revision ID: kinerja_0030_t21_team_drafts_ix
Revises: kinerja_0029_l21_unit_period_ix
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0030_t21_team_drafts_ix"
down_revision: str | None = "kinerja_0029_l21_unit_period_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_evaluation_undecided_evaluator_nip ON kinerja.evaluation (evaluator_nip, period, unit_id)"
        " WHERE decider_nip IS NULL"
    )
    op.execute(
        "CREATE INDEX ix_evaluation_part_evaluator_nip ON kinerja.evaluation (evaluator_nip) INCLUDE (result_id)"
        " WHERE kind = 'PART'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX kinerja.ix_evaluation_part_evaluator_nip")
    op.execute("DROP INDEX kinerja.ix_evaluation_undecided_evaluator_nip")
