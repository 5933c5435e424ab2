"""Bodies of the public feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FeedKind(StrEnum):
    """What a published item reports: a unit's performance, training statistics, the IKM, an innovation."""

    UNIT_PERFORMANCE = "UNIT_PERFORMANCE"
    TRAINING_STATS = "TRAINING_STATS"
    IKM = "IKM"
    INOVASI = "INOVASI"
    TINDAK_LANJUT = "TINDAK_LANJUT"
    CAPAIAN_KINERJA = "CAPAIAN_KINERJA"


FEED_ITEM_EXAMPLE: dict[str, Any] = {
    "id": "7d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
    "kind": "UNIT_PERFORMANCE",
    "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
    "unit_name": "Badan Kepegawaian Daerah",
    "period": "2026-Q1",
    "published_at": "2026-04-20T02:00:00Z",
    "updated_at": "2026-04-20T02:00:00Z",
    "version": 1,
    "data": {
        "headcount": 40,
        "evaluated": 38,
        "counts": {"SANGAT_BAIK": 6, "BAIK": 25, "BUTUH_PERBAIKAN": 5, "KURANG": None, "SANGAT_KURANG": None},
    },
    "suppressed": ["counts.KURANG", "counts.SANGAT_KURANG"],
    "policy_version": "2026.1",
    "data_as_of": "2026-04-15T03:00:00Z",
}


class FeedItem(BaseModel):
    """One published item. Suppressed figures are null in `data` and listed in `suppressed`."""

    model_config = ConfigDict(json_schema_extra={"examples": [FEED_ITEM_EXAMPLE]})

    id: uuid.UUID
    kind: FeedKind = Field(
        description="UNIT_PERFORMANCE, TRAINING_STATS, IKM, INOVASI, TINDAK_LANJUT or CAPAIAN_KINERJA (a unit's "
        "targets and their realisation)."
    )
    unit_id: uuid.UUID
    unit_name: str
    period: str
    published_at: datetime
    updated_at: datetime
    version: int = Field(description="Bumped by each correction; earlier versions are kept.")
    data: dict[str, Any]
    suppressed: list[str]
    policy_version: str
    data_as_of: datetime | None


class JsonFeedAsn(BaseModel):
    """The `_asn` extension of a JSON Feed item: the published figures."""

    kind: FeedKind
    unit_id: uuid.UUID
    unit_name: str
    period: str
    version: int
    data: dict[str, Any]
    suppressed: list[str]
    policy_version: str


class JsonFeedItem(BaseModel):
    """One JSON Feed 1.1 item (https://www.jsonfeed.org/version/1.1/)."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(examples=["urn:uuid:7d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6"])
    url: str
    title: str
    content_text: str
    date_published: datetime
    date_modified: datetime
    tags: list[str] = Field(description="The kind and the period.")
    asn: JsonFeedAsn = Field(alias="_asn", description="The figures (a JSON Feed extension).")


class JsonFeed(BaseModel):
    """The feed as JSON Feed 1.1 (`application/feed+json`); it documents what ``render.json_feed`` writes."""

    model_config = ConfigDict(populate_by_name=True)

    version: str = Field(examples=["https://jsonfeed.org/version/1.1"])
    title: str
    home_page_url: str
    feed_url: str
    description: str
    language: str = Field(examples=["id"])
    items: list[JsonFeedItem]
