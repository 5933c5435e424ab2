"""Dependency aliases shared by the routers (who may call what)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request

from services.common.auth import Principal, Role, require_roles
from services.pelatihan_api.clients.kinerja import KinerjaClient
from services.pelatihan_api.state import pelatihan_state

TrainingAdminDep = Annotated[Principal, Depends(require_roles(Role.PELATIHAN_ADMIN, Role.ADMIN))]
AdminDep = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
ReportReaderDep = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.INTEGRATOR))]
PlanReaderDep = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.PELATIHAN_ADMIN, Role.INTEGRATOR))
]
MitraOrAdminDep = Annotated[Principal, Depends(require_roles(Role.MITRA, Role.PELATIHAN_ADMIN, Role.ADMIN))]
ServiceDep = Annotated[Principal, Depends(require_roles(Role.SERVICE))]


async def kinerja_client(request: Request) -> KinerjaClient:
    """The typed kinerja client over the app's long-lived, service-authenticated httpx client."""
    state = pelatihan_state(request.app)
    return KinerjaClient(state.kinerja_client, timeout_s=state.settings.kinerja_timeout_s)


KinerjaDep = Annotated[KinerjaClient, Depends(kinerja_client)]


def wake_outbox(app: FastAPI) -> None:
    """Nudge the outbox dispatcher after enqueueing (it also polls on its own)."""
    dispatcher = pelatihan_state(app).outbox
    if dispatcher is not None:
        dispatcher.wake()
