"""API clients get scopes: ``kinerja:individual`` and ``pelatihan:individual`` let an integrator read
people's rows (issue 14 finding 4). Existing clients get none (the breaking change in docs/api-changelog.md);
the demo integrator gets both, as a fresh demo seed gives it.

Revision ID: gateway_0007_edge2_client_scopes
Revises: gateway_0006_sinks_audit
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "gateway_0007_edge2_client_scopes"
down_revision: str | None = "gateway_0006_sinks_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "api_client",
        sa.Column("scopes", postgresql.ARRAY(sa.String(length=64)), server_default="{}", nullable=False),
        schema="gateway",
    )
    op.execute(
        "UPDATE gateway.api_client SET scopes = ARRAY['kinerja:individual', 'pelatihan:individual'] "
        "WHERE is_demo AND 'integrator' = ANY(roles)"
    )


def downgrade() -> None:
    op.drop_column("api_client", "scopes", schema="gateway")
