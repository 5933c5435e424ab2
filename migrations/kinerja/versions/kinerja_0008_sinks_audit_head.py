"""kinerja.audit_chain_head(): the audit chain's lock and last hash in one call

Revision ID: kinerja_0008_sinks_audit_head
Revises: kinerja_0007_xfer_parts
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kinerja_0008_sinks_audit_head"
down_revision: str | None = "kinerja_0007_xfer_parts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# One round trip under the lock instead of two (services/common/changes/audit.py chain_head): a VOLATILE
# function takes a new snapshot for each statement it runs, so the SELECT sees the entry the previous lock
# holder committed while this transaction waited.
HEAD_FUNCTION = """
CREATE FUNCTION {schema}.audit_chain_head(lock_key bigint) RETURNS varchar
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN (SELECT hash FROM {schema}.audit_entry ORDER BY seq DESC LIMIT 1);
END
$$
"""


def upgrade() -> None:
    op.execute(HEAD_FUNCTION.format(schema="kinerja"))


def downgrade() -> None:
    op.execute("DROP FUNCTION kinerja.audit_chain_head(bigint)")
