"""Every model of pelatihan_api, imported so Alembic sees the whole schema."""

from services.pelatihan_api.db import Base
from services.pelatihan_api.events import *  # noqa: F403

__all__ = ["Base"]
