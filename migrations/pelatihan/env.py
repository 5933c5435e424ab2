"""Alembic environment of pelatihan."""

from migrations.common_env import run
from services.pelatihan_api.config import PelatihanSettings as Settings
from services.pelatihan_api.models import Base

run(Base.metadata, "pelatihan", Settings().database_url)
