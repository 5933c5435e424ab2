"""Every model of the gateway, imported so Alembic sees the whole schema."""

from gateway.audit.models import *  # noqa: F403
from gateway.changes import WebhookDelivery
from gateway.db import Base
from gateway.identity.models import *  # noqa: F403
from gateway.webhooks.models import *  # noqa: F403

__all__ = ["Base", "WebhookDelivery"]
