"""webhook endpoints, deliveries and inbox

Integrators' webhook endpoints, one delivery row per event and endpoint (the gateway's outbox), and the
ids of events received from the services.

Revision ID: gateway_0003
Revises: gateway_0002
Create Date: 2026-11-28 00:51:45.954192
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "gateway_0003"
down_revision: str | None = "gateway_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_event",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_inbox_event")),
        schema="gateway",
    )
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("event_types", sa.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoint")),
        schema="gateway",
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("replay_of", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("destination", sa.String(length=40), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="PENDING", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "available_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["gateway.webhook_endpoint.id"],
            name=op.f("fk_webhook_delivery_endpoint_id_webhook_endpoint"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
        schema="gateway",
    )
    op.create_index(
        "ix_webhook_delivery_due",
        "webhook_delivery",
        ["available_at", "created_at"],
        unique=False,
        schema="gateway",
        postgresql_where=sa.text("status = 'PENDING'"),
    )
    op.create_index(
        "ix_webhook_delivery_endpoint",
        "webhook_delivery",
        ["endpoint_id", "created_at", "id"],
        unique=False,
        schema="gateway",
    )
    op.create_index(
        "ix_webhook_delivery_listing",
        "webhook_delivery",
        ["created_at", "id"],
        unique=False,
        schema="gateway",
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_listing", table_name="webhook_delivery", schema="gateway")
    op.drop_index("ix_webhook_delivery_endpoint", table_name="webhook_delivery", schema="gateway")
    op.drop_index(
        "ix_webhook_delivery_due",
        table_name="webhook_delivery",
        schema="gateway",
        postgresql_where=sa.text("status = 'PENDING'"),
    )
    op.drop_table("webhook_delivery", schema="gateway")
    op.drop_table("webhook_endpoint", schema="gateway")
    op.drop_table("inbox_event", schema="gateway")
