"""HTTP routes of the services catalogue: anyone reads a unit's services (cached); the admin keeps them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response, status

from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter
from services.publik_api.catalogue import service
from services.publik_api.catalogue.schemas import ServiceCreate, ServiceList, ServiceRead, ServiceUpdate
from services.publik_api.state import publik_state

router = ServiceRouter(tags=["services"])


@router.get(
    "/v1/units/{unit_id}/services",
    summary="A unit's services (jenis layanan)",
    operation_id="services_list",
    responses=problem_responses(404, 422),
)
async def list_services(
    unit_id: uuid.UUID,
    session: SessionDep,
    include_inactive: Annotated[bool, Query(description="Also the services no longer offered.")] = False,
) -> ServiceList:
    """The services the unit offers, by name: the survey form asks which one the citizen used. 404 for a
    unit publik does not know."""
    return ServiceList(items=await service.list_for_unit(session, unit_id, active_only=not include_inactive))


@router.post(
    "/v1/units/{unit_id}/services",
    status_code=status.HTTP_201_CREATED,
    summary="Add a service to a unit's catalogue",
    operation_id="services_create",
    responses=problem_responses(401, 403, 404, 409, 413, 422, 503),
)
async def create_service(
    unit_id: uuid.UUID, body: ServiceCreate, request: Request, session: SessionDep, admin: AdminDep
) -> ServiceRead:
    """A new service (name unique in the unit, no personal data)."""
    return await service.create(session, unit_id, body, admin, publik_state(request.app).kinerja)


@router.get(
    "/v1/services/{service_id}",
    summary="One service",
    operation_id="services_get",
    responses=problem_responses(404, 422),
)
async def get_service(service_id: uuid.UUID, session: SessionDep) -> ServiceRead:
    """A service of the catalogue, active or not."""
    return ServiceRead.model_validate(await service.get(session, service_id))


@router.patch(
    "/v1/services/{service_id}",
    summary="Change a service",
    operation_id="services_update",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
async def update_service(
    service_id: uuid.UUID, body: ServiceUpdate, session: SessionDep, admin: AdminDep
) -> ServiceRead:
    """Rename, describe, or deactivate (`active: false`) a service; answers and innovations keep naming it."""
    return await service.update(session, service_id, body, admin)


@router.delete(
    "/v1/services/{service_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a service nobody named",
    operation_id="services_delete",
    responses=problem_responses(401, 403, 404, 409),
)
async def delete_service(service_id: uuid.UUID, session: SessionDep, admin: AdminDep) -> Response:
    """Remove a service no survey answer or innovation names (409 otherwise: deactivate it instead)."""
    await service.delete(session, service_id, admin)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
