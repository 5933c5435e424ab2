"""HTTP route of /v1/publication: an admin publishes what is final now."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, status

from services.common.auth import AdminDep
from services.common.db import SessionDep
from services.common.errors import NotFound, problem_responses
from services.common.i18n import msg
from services.common.routing import ServiceRouter
from services.kinerja_api.calendar import service as calendar
from services.kinerja_api.calendar.periods import PERIOD_PATTERN
from services.kinerja_api.deps import CallerDep
from services.kinerja_api.publication import service
from services.kinerja_api.publication.schemas import PublicationQueued

router = ServiceRouter(prefix="/v1/publication", tags=["publication"])


@router.post(
    "/units/{unit_id}/periods/{period}",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Publish a unit's aggregate now (admin)",
    operation_id="publication_publish_unit",
    responses=problem_responses(401, 403, 404, 422),
)
async def publish_unit(
    unit_id: uuid.UUID,
    period: Annotated[str, Path(pattern=PERIOD_PATTERN, examples=["2026-Q1"])],
    session: SessionDep,
    actor: CallerDep,
    _: AdminDep,
) -> PublicationQueued:
    """Queue the unit's aggregate for the period as it stands (FINAL evaluations only) for publik, even when
    not every employee has been evaluated yet. Counts only: never a NIP, name or individual rating. The
    outbox delivers it (202: nothing is sent inside this request)."""
    published = await service.publish_unit(session, unit_id, calendar.parse(period), by=actor.subject)
    if published is None:
        raise NotFound(msg("no unit {unit_id}", unit_id=unit_id))
    return PublicationQueued(event_id=published.event_id, revision=published.revision, data=published.data)
