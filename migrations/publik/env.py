"""Alembic environment of publik."""

from migrations.common_env import run
from services.publik_api.config import PublikSettings as Settings
from services.publik_api.models import Base

run(Base.metadata, "publik", Settings().database_url)
