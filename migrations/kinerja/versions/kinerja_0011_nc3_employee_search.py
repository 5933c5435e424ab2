"""employee search: a GIN full-text index on the name's words and a pattern index on nip, for
GET /v1/employees?q= (issue 11)

Full text with the ``simple`` configuration (lower-cases, no stemming, no stop words: right for names) is
built into PostgreSQL; pg_trgm would need a contrib extension that embedded and managed servers may lack.

Revision ID: kinerja_0011_nc3_employee_search
Revises: kinerja_0010_nc3_backfill
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0011_nc3_employee_search"
down_revision: str | None = "kinerja_0010_nc3_backfill"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_employee_name_words ON kinerja.employee "
        "USING gin (to_tsvector('simple'::regconfig, name))"
    )
    # The primary key's btree follows the database collation, which LIKE 'prefix%' cannot use.
    op.execute("CREATE INDEX ix_employee_nip_pattern ON kinerja.employee (nip varchar_pattern_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX kinerja.ix_employee_nip_pattern")
    op.execute("DROP INDEX kinerja.ix_employee_name_words")
