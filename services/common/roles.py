"""Role names (FastAPI-free, so service modules and the callers' types can name them)."""

from __future__ import annotations


class Role:
    """Role names carried in the ``roles`` claim (api-contract §2)."""

    ADMIN = "admin"
    PEGAWAI = "pegawai"
    PELATIHAN_ADMIN = "pelatihan_admin"
    MITRA = "mitra"
    INTEGRATOR = "integrator"
    SERVICE = "service"
    # A unit's own staff in publik: reads its unit's citizen comments (masked), marks them handled and
    # publishes the unit's follow-up statements; the token carries ``unit_id``.
    UNIT_ADMIN = "unit_admin"

    ALL = (ADMIN, PEGAWAI, PELATIHAN_ADMIN, MITRA, INTEGRATOR, SERVICE, UNIT_ADMIN)
