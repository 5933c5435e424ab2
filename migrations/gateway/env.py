"""Alembic environment of gateway."""

from gateway.config import GatewaySettings as Settings
from gateway.models import Base
from migrations.common_env import run

run(Base.metadata, "gateway", Settings().database_url)
