"""HTTP route of /v1/recommendations."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from services.common.auth import PrincipalDep
from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter
from services.pelatihan_api.deps import KinerjaDep
from services.pelatihan_api.recommendations import service
from services.pelatihan_api.recommendations.schemas import Recommendations

router = ServiceRouter(prefix="/v1/recommendations", tags=["recommendations"])


@router.get(
    "",
    summary="Training recommended for an employee",
    operation_id="recommendations_get",
    responses=problem_responses(401, 403, 422, 503),
)
async def get_recommendations(
    nip: Annotated[str, Query(pattern=r"^[0-9]{18}$", examples=["198609262015051001"])],
    session: SessionDep,
    principal: PrincipalDep,
    kinerja: KinerjaDep,
) -> Recommendations:
    """Open sessions whose programme tags answer the gaps of the employee's latest finalised evaluation
    (received from kinerja), each with its reason. For the employee, their direct supervisor and admins."""
    return await service.recommend(session, kinerja, principal, nip)
