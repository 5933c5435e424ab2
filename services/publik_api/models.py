"""Every model of publik_api, imported so Alembic sees the whole schema."""

from services.publik_api.anchors.models import *  # noqa: F403
from services.publik_api.audit.models import *  # noqa: F403
from services.publik_api.catalogue.models import *  # noqa: F403
from services.publik_api.db import Base
from services.publik_api.events import *  # noqa: F403
from services.publik_api.periods.models import *  # noqa: F403
from services.publik_api.publications.models import *  # noqa: F403
from services.publik_api.snapshots.models import *  # noqa: F403
from services.publik_api.surveys.models import *  # noqa: F403
from services.publik_api.units.models import *  # noqa: F403

__all__ = ["Base"]
