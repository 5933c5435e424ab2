"""kinerja.audit_entry is append-only in the database: a trigger refuses UPDATE, DELETE and TRUNCATE whatever
the role (issue 14 finding 3; services/common/changes/audit.py ``append_only_ddl``).

Revision ID: kinerja_0013_edge2_append_only
Revises: kinerja_0012_edge2_scrub_notes
"""

from collections.abc import Sequence

from alembic import op

from services.common.changes.audit import append_only_ddl, drop_append_only_ddl

revision: str = "kinerja_0013_edge2_append_only"
down_revision: str | None = "kinerja_0012_edge2_scrub_notes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in append_only_ddl("kinerja"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_append_only_ddl("kinerja"):
        op.execute(statement)
