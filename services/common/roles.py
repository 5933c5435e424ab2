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


class Scope:
    """Scopes an admin grants an API client, carried space-separated in its tokens' ``scope`` claim (RFC 9068
    §2.2.3). The rule: an integrator's answer that carries a person's NIP or name needs the app's
    ``:individual`` scope; without it an integrator reads aggregates only (docs/integrators.md "Scopes")."""

    KINERJA_INDIVIDUAL = "kinerja:individual"
    PELATIHAN_INDIVIDUAL = "pelatihan:individual"

    ALL = (KINERJA_INDIVIDUAL, PELATIHAN_INDIVIDUAL)
