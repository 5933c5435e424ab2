"""Every model of publik_api, imported so Alembic sees the whole schema."""

from services.publik_api.db import Base
from services.publik_api.models.anchors import *  # noqa: F403
from services.publik_api.models.audit import *  # noqa: F403
from services.publik_api.models.catalogue import *  # noqa: F403
from services.publik_api.models.inbox import *  # noqa: F403
from services.publik_api.models.periods import *  # noqa: F403
from services.publik_api.models.publications import *  # noqa: F403
from services.publik_api.models.snapshots import *  # noqa: F403
from services.publik_api.models.surveys import *  # noqa: F403
from services.publik_api.models.units import *  # noqa: F403

__all__ = ["Base"]
