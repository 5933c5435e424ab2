"""A webhook endpoint names the API client it delivers to: deliveries carry NIPs only when that client holds
the scope (``kinerja:individual`` / ``pelatihan:individual``) of the event's service (issue 14 finding 4,
webhooks). Existing endpoints get no client, so their deliveries stop carrying NIPs until an admin links
them (the breaking change in docs/api-changelog.md).

Revision ID: gateway_0012_edge14_hook_client
Revises: gateway_0011_edge4_not_before
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gateway_0012_edge14_hook_client"
down_revision: str | None = "gateway_0011_edge4_not_before"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "webhook_endpoint", sa.Column("client_id", sa.String(length=64), nullable=True), schema="gateway"
    )
    op.create_foreign_key(
        "fk_webhook_endpoint_client_id_api_client",
        "webhook_endpoint",
        "api_client",
        ["client_id"],
        ["client_id"],
        source_schema="gateway",
        referent_schema="gateway",
        ondelete="SET NULL",
    )
    op.create_index(
        "ix_webhook_endpoint_client_id", "webhook_endpoint", ["client_id"], unique=False, schema="gateway"
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_endpoint_client_id", table_name="webhook_endpoint", schema="gateway")
    op.drop_constraint(
        "fk_webhook_endpoint_client_id_api_client", "webhook_endpoint", schema="gateway", type_="foreignkey"
    )
    op.drop_column("webhook_endpoint", "client_id", schema="gateway")
