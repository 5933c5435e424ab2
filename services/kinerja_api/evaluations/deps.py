"""The caller as an Actor (shared by the evaluation, report, calendar, task and publication routers)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends

from services.common.auth import PrincipalDep, Role
from services.kinerja_api.evaluations.actor import Actor

_NIP = re.compile(r"^[0-9]{18}$")


async def current_actor(principal: PrincipalDep) -> Actor:
    """An employee acts with the NIP of their token (``nip`` claim, else a NIP-shaped ``sub``)."""
    nip = principal.nip
    if nip is None and principal.has(Role.PEGAWAI) and _NIP.match(principal.subject):
        nip = principal.subject
    return Actor(
        subject=principal.subject,
        nip=nip,
        is_admin=principal.is_admin,
        reads_all=principal.has(Role.ADMIN, Role.INTEGRATOR),
    )


ActorDep = Annotated[Actor, Depends(current_actor)]
