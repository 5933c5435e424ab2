"""The one caller dependency of kinerja: every router that needs to know who is asking takes ``CallerDep``
(role gates such as ``AdminDep`` stay on the routes that need them)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends

from services.common.auth import Principal, PrincipalDep, Role
from services.kinerja_api.caller import Caller

_NIP = re.compile(r"^[0-9]{18}$")


def caller_of(principal: Principal) -> Caller:
    """The caller a verified principal is (an employee acts with the ``nip`` claim, else on evaluations,
    tasks and reports with a NIP-shaped ``sub`` of a ``pegawai`` token)."""
    acting = principal.nip
    if acting is None and principal.has(Role.PEGAWAI) and _NIP.match(principal.subject):
        acting = principal.subject
    return Caller(
        subject=principal.subject,
        roles=principal.roles,
        nip=principal.nip,
        acting_nip=acting,
        id=principal.nip or principal.subject,
        scopes=principal.scopes,
    )


async def current_caller(principal: PrincipalDep) -> Caller:
    """The request's caller, from its verified token (401 without one)."""
    return caller_of(principal)


CallerDep = Annotated[Caller, Depends(current_caller)]
