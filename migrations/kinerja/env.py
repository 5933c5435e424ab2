"""Alembic environment of kinerja."""

from migrations.common_env import run
from services.kinerja_api.config import KinerjaSettings as Settings
from services.kinerja_api.models import Base

run(Base.metadata, "kinerja", Settings().database_url)
