"""pelatihan.audit_entry is append-only in the database: a trigger refuses UPDATE, DELETE and TRUNCATE whatever
the role (issue 14 finding 3; services/common/changes/audit.py ``append_only_ddl``).

Revision ID: pelatihan_0007_edge2_append_only
Revises: pelatihan_0006_nc3_backfill
"""

from collections.abc import Sequence

from alembic import op

from services.common.changes.audit import append_only_ddl, drop_append_only_ddl

revision: str = "pelatihan_0007_edge2_append_only"
down_revision: str | None = "pelatihan_0006_nc3_backfill"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in append_only_ddl("pelatihan"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_append_only_ddl("pelatihan"):
        op.execute(statement)
