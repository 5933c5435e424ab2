"""Who is calling kinerja, reduced to what the rules need. FastAPI-free so services import it; built once
per request by :func:`services.kinerja_api.deps.current_caller` (and by the demo seed, which acts without
a token). Who may read or write what is decided by each resource's policy functions, not here."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.roles import Role


@dataclass(frozen=True, slots=True)
class Caller:
    """The verified caller of one request.

    ``nip`` is the token's ``nip`` claim (SKPs, realizations, the registry). ``acting_nip`` is the NIP an
    employee acts with on evaluations, tasks and reports: the claim, else a NIP-shaped ``sub`` of a
    ``pegawai`` token. ``id`` names the caller in the SKP audit trail (the claim, else the subject);
    ``subject`` names it everywhere else.
    """

    subject: str
    roles: frozenset[str]
    nip: str | None
    acting_nip: str | None
    id: str

    def has(self, *roles: str) -> bool:
        """True when the caller holds any of ``roles``."""
        return not self.roles.isdisjoint(roles)

    @property
    def is_admin(self) -> bool:
        """An administrator of the BKD."""
        return Role.ADMIN in self.roles
