"""publik.audit_entry is append-only in the database: a trigger refuses UPDATE, DELETE and TRUNCATE whatever
the role (issue 14 finding 3; services/common/changes/audit.py ``append_only_ddl``).

Revision ID: publik_0005_edge2_append_only
Revises: publik_0004_sinks_audit
"""

from collections.abc import Sequence

from alembic import op

from services.common.changes.audit import append_only_ddl, drop_append_only_ddl

revision: str = "publik_0005_edge2_append_only"
down_revision: str | None = "publik_0004_sinks_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in append_only_ddl("publik"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_append_only_ddl("publik"):
        op.execute(statement)
