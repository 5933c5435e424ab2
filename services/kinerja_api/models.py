"""Every model of kinerja_api, imported so Alembic sees the whole schema."""

from services.kinerja_api.db import Base
from services.kinerja_api.events import *  # noqa: F403

__all__ = ["Base"]
