"""A unit's results of a period in id order: ``GET /v1/evaluations?unit_id=&period=`` (an admin's or an
integrator's page, the mixed load's evaluation list) reads one range of ``ix_evaluation_period_unit_id_id``
and stops at the page's size.

Why (issue 21, the closed loop at 256 connections): with no index giving a unit's rows of a period in id order,
PostgreSQL walked the period's ``ix_evaluation_period_id`` and filtered every other unit's rows out (2,155 rows
read for a page of 51 on the bench dataset, 15.9 ms; 0.2 ms with this index, EXPLAIN ANALYZE in
docs/benchmarks.md).

Revision ID: kinerja_0029_l21_unit_period_ix
Revises: kinerja_0028_d21_distribution_ix
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0029_l21_unit_period_ix"
down_revision: str | None = "kinerja_0028_d21_distribution_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_evaluation_period_unit_id_id ON kinerja.evaluation (period, unit_id, id)")


def downgrade() -> None:
    op.execute("DROP INDEX kinerja.ix_evaluation_period_unit_id_id")
