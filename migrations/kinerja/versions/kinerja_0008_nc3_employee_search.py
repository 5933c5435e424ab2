"""employee search: a trigram GIN index on lower(name) (substring search by name) and a pattern index on nip
(NIP prefix search), for GET /v1/employees?q= (issue 11)

pg_trgm ships with PostgreSQL (contrib); creating it needs the CREATE privilege on the database, which the
migration role has wherever the schema is created.

Revision ID: kinerja_0008_nc3_employee_search
Revises: kinerja_0007_nc3_backfill
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0008_nc3_employee_search"
down_revision: str | None = "kinerja_0007_nc3_backfill"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE INDEX ix_employee_name_trgm ON kinerja.employee USING gin (lower(name) gin_trgm_ops)"
    )
    # The primary key's btree follows the database collation, which LIKE 'prefix%' cannot use.
    op.execute("CREATE INDEX ix_employee_nip_pattern ON kinerja.employee (nip varchar_pattern_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX kinerja.ix_employee_nip_pattern")
    op.execute("DROP INDEX kinerja.ix_employee_name_trgm")
