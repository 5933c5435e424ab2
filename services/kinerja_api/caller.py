"""Who is calling kinerja, reduced to what the rules need. FastAPI-free so services import it; built once
per request by :func:`services.kinerja_api.deps.current_caller` (and by the demo seed, which acts without
a token). Who may read or write what is decided by each resource's policy functions, not here."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.errors import Forbidden
from services.common.i18n import msg
from services.common.roles import Role, Scope


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
    scopes: frozenset[str] = frozenset()

    def has(self, *roles: str) -> bool:
        """True when the caller holds any of ``roles``."""
        return not self.roles.isdisjoint(roles)

    @property
    def reads_individuals(self) -> bool:
        """Admins, our own services and integrators granted ``kinerja:individual`` read every person's rows;
        an integrator without the scope reads aggregates only (docs/integrators.md "Scopes")."""
        return self.has(Role.ADMIN, Role.SERVICE) or (
            Role.INTEGRATOR in self.roles and Scope.KINERJA_INDIVIDUAL in self.scopes
        )

    @property
    def is_admin(self) -> bool:
        """An administrator of the BKD."""
        return Role.ADMIN in self.roles


def refuse_unscoped_integrator(actor: Caller) -> None:
    """403 for an integrator without ``kinerja:individual`` asking for a list of people's rows: an empty
    page would read as "no data", while the client only lacks the grant. Everyone else passes (their
    lists are narrowed to what they may see)."""
    if Role.INTEGRATOR in actor.roles and not actor.reads_individuals:
        raise Forbidden(
            msg(
                "This answer carries people's NIPs or names: it needs the scope {scope}, which an admin "
                "grants to the API client (docs/integrators.md, Scopes).",
                scope=repr(Scope.KINERJA_INDIVIDUAL),
            )
        )
