"""kinerja.audit_chain_head(): the audit chain's lock and last hash in one call

Revision ID: kinerja_0008_sinks_audit_head
Revises: kinerja_0007_xfer_parts
"""

from collections.abc import Sequence

from migrations.audit_chain import create_chain_head_function, drop_chain_head_function

revision: str = "kinerja_0008_sinks_audit_head"
down_revision: str | None = "kinerja_0007_xfer_parts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_chain_head_function("kinerja")


def downgrade() -> None:
    drop_chain_head_function("kinerja")
