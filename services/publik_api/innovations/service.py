"""Innovation rules: an admin's record is public at once as an INOVASI item (and snapshotted)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import InvalidInput
from services.common.i18n import msg
from services.publik_api.catalogue import service as catalogue
from services.publik_api.clients.kinerja import KinerjaClient
from services.publik_api.ingest.privacy import personal_fields
from services.publik_api.innovations.schemas import InnovationCreate, InnovationRead
from services.publik_api.publications.service import upsert_item
from services.publik_api.snapshots.service import SnapshotSigner
from services.publik_api.unit_registry.service import ensure_unit


def to_read(row: dict[str, Any]) -> InnovationRead:
    """An INOVASI feed row as an innovation."""
    data = row["data"]
    return InnovationRead(
        id=row["id"],
        unit_id=row["unit_id"],
        unit_name=row["unit_name"],
        title=data["title"],
        description=data["description"],
        launched_on=data["launched_on"],
        url=data.get("url"),
        service_id=data.get("service_id"),
        service_name=data.get("service_name"),
        published_at=row["published_at"],
    )


async def create(
    session: AsyncSession,
    body: InnovationCreate,
    *,
    kinerja: KinerjaClient | None,
    signer: SnapshotSigner,
    policy_version: str,
    actor: str,
) -> tuple[uuid.UUID, str]:
    """Record and publish an innovation; returns (item id, unit name). Text carrying personal data (a NIP,
    NIK, e-mail address or mobile number) is refused with 422 ``personal-data``."""
    data = {
        "title": body.title,
        "description": body.description,
        "launched_on": body.launched_on.isoformat(),
        "url": str(body.url) if body.url else None,
    }
    # Free text goes into the feed and the permanent snapshots: the same guard as ingested events.
    personal = personal_fields(data, path="body")
    if personal:
        raise InvalidInput(
            msg(
                "The innovation carries personal data, which publik never publishes (UU 14/2008 Pasal 17(h))."
            ),
            slug="personal-data",
            errors=[{"loc": p.split("."), "msg": "personal data"} for p in personal],
        )
    unit = await ensure_unit(session, body.unit_id, kinerja)
    if unit is None:
        raise InvalidInput(msg("Unknown unit."), errors=[{"loc": ["body", "unit_id"], "msg": "unknown unit"}])
    if body.service_id is not None:
        changed = await catalogue.of_unit_or_422(session, body.unit_id, body.service_id)
        data["service_id"] = str(changed.id)
        data["service_name"] = changed.name
    item = await upsert_item(
        session,
        kind="INOVASI",
        unit_id=body.unit_id,
        period=str(body.launched_on.year),
        slug=uuid.uuid4().hex,
        data=data,
        public_data=data,
        suppressed=[],
        policy_version=policy_version,
        data_as_of=None,
        signer=signer,
        actor=actor,
        publish_now=True,
    )
    return item.id, unit.name
