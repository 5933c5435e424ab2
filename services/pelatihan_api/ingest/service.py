"""Applying kinerja's events: the roster mirror and development needs, each effectively once.

The event id is recorded (``receive_once``) in the same transaction that applies the event, so a
redelivery after a crash or a retry is recognised and ignored.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.changes import Catalogue
from services.common.changes.catalogue.kinerja import DevelopmentNeeds, EmployeeChanged
from services.common.errors import InvalidInput
from services.common.i18n import msg
from services.common.outbox import receive_once
from services.pelatihan_api.ingest.schemas import DevelopmentNeedsData, EmployeeData, EventEnvelope
from services.pelatihan_api.models.outbox import InboxEvent
from services.pelatihan_api.roster import repository as roster

# The event types and versions pelatihan knows; any other version is refused (422).
RECEIVES = Catalogue("pelatihan", [EmployeeChanged, DevelopmentNeeds])
EMPLOYEE = EmployeeChanged.event_type
DEVELOPMENT_NEEDS = DevelopmentNeeds.event_type
ACCEPTED = (EMPLOYEE, DEVELOPMENT_NEEDS)


def _invalid(exc: ValidationError) -> InvalidInput:
    return InvalidInput(
        msg("The event's data is invalid."),
        errors=[
            {"loc": ["body", "data", *[str(p) for p in e["loc"]]], "msg": e["msg"]} for e in exc.errors()
        ],
    )


async def receive(session: AsyncSession, event: EventEnvelope) -> bool:
    """Apply one event; False when it was already processed. 422 for a type or payload we cannot accept."""
    if event.type not in ACCEPTED:
        raise InvalidInput(msg("pelatihan does not accept events of type {type!r}.", type=event.type))
    RECEIVES.model(event.type, event.version)
    try:
        data: EmployeeData | DevelopmentNeedsData = (
            EmployeeData.model_validate(event.data)
            if event.type == EMPLOYEE
            else DevelopmentNeedsData.model_validate(event.data)
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    if not await receive_once(
        session, InboxEvent, event_id=event.id, source=event.source, event_type=event.type
    ):
        return False
    if isinstance(data, EmployeeData):
        await roster.upsert(
            session,
            nip=data.nip,
            unit_id=data.unit_id,
            employment=data.employment,
            position_type=data.position_type,
            rank=data.rank,
            supervisor_nip=data.supervisor_nip,
            active=data.active,
            as_of=event.occurred_at,
            contract_start=data.contract_start,
            contract_end=data.contract_end,
        )
    else:
        await roster.add_need(
            session,
            evaluation_id=data.evaluation_id,
            nip=data.nip,
            period=data.period,
            behavior_gaps=sorted({g.upper() for g in data.behavior_gaps}),
            result_below_expectation=data.result_below_expectation,
            behaviour_rating=data.behaviour_rating,
            occurred_at=event.occurred_at,
        )
    return True
