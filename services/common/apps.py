"""The names of the apps, in one place.

Each name is at once the app's name on the command line, its PostgreSQL schema, its Alembic section, its
path prefix at the gateway (services only) and the stem of its ``openapi/<name>.json``. Code that loops
over the apps imports these; tests/common/test_boundaries.py fails on a hand-written copy of either list.
"""

from __future__ import annotations

from typing import Final

SERVICE_NAMES: Final = ("kinerja", "pelatihan", "publik")
"""The three services behind the gateway."""

APP_NAMES: Final = (*SERVICE_NAMES, "gateway")
"""Every app: the three services, then the gateway."""
