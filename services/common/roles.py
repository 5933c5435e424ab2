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

    ALL = (ADMIN, PEGAWAI, PELATIHAN_ADMIN, MITRA, INTEGRATOR, SERVICE)
