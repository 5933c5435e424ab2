"""HTTP routes of the public feed: JSON with filters and a cursor, JSON Feed 1.1, Atom, and single items.

These are served from the pre-rendered cache (services/publik_api/cache) on every hit but the first after a
change; the routes here build the bytes that the cache keeps, and document the paths in OpenAPI.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse

from services.common.db import SessionDep
from services.common.errors import InvalidInput, NotFound, problem_responses
from services.common.i18n import msg
from services.common.pagination import (
    DEFAULT_LIMIT,
    CursorQuery,
    LimitQuery,
    Page,
    decode_cursor,
    encode_cursor,
)
from services.common.periods import KINERJA_PATTERN
from services.common.routing import ServiceRouter
from services.publik_api.feed import render, repository
from services.publik_api.feed.schemas import FeedItem, JsonFeed
from services.publik_api.state import publik_state

router = ServiceRouter(prefix="/v1", tags=["feed"])

KindQuery = Annotated[
    str | None,
    Query(
        pattern="^(UNIT_PERFORMANCE|TRAINING_STATS|IKM|INOVASI|TINDAK_LANJUT|CAPAIAN_KINERJA)$",
        description="Only this kind.",
    ),
]
PeriodQuery = Annotated[
    str | None, Query(pattern=KINERJA_PATTERN, description="e.g. 2026-Q1, 2026-01 or 2026.")
]
UnitQuery = Annotated[uuid.UUID | None, Query(description="Only this unit.")]
FEED_LIMIT = 50


def _urls(request: Request) -> tuple[str, str]:
    settings = publik_state(request.app).settings
    base = settings.public_base_url.rstrip("/")
    return base, base + "/v1/items/{id}"


@router.get("/feed", summary="The public feed", operation_id="feed_list", responses=problem_responses(422))
async def feed(
    session: SessionDep,
    unit_id: UnitQuery = None,
    kind: KindQuery = None,
    period: PeriodQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[FeedItem]:
    """Published items, newest first, with filters and a keyset cursor. Suppressed figures are null in `data`
    and named in `suppressed`. Cached: `ETag`, 304 on `If-None-Match`, `Cache-Control`, CORS `*`, gzip."""
    after_raw = decode_cursor(cursor, 2)
    after = None
    if after_raw is not None:
        try:
            after = (datetime.fromisoformat(str(after_raw[0])), uuid.UUID(str(after_raw[1])))
        except ValueError as exc:
            raise InvalidInput(
                msg("cursor is not valid"), errors=[{"loc": ["query", "cursor"], "msg": "bad cursor"}]
            ) from exc
    rows = await repository.published(
        session, unit_id=unit_id, kind=kind, period=period, after=after, limit=limit + 1
    )
    page = rows[:limit]
    next_cursor = (
        encode_cursor([page[-1]["published_at"].isoformat(), str(page[-1]["id"])])
        if len(rows) > limit
        else None
    )
    return Page[FeedItem](items=[FeedItem.model_validate(r) for r in page], next_cursor=next_cursor)


_JSON_FEED_EXAMPLE = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Transparansi Kinerja ASN Provinsi Bengkulu",
    "home_page_url": "https://api.example.go.id/publik/v1/feed",
    "feed_url": "https://api.example.go.id/publik/v1/feed.json",
    "description": "Data kinerja unit, pengembangan kompetensi, IKM dan inovasi yang telah dipublikasikan.",
    "language": "id",
    "items": [
        {
            "id": "urn:uuid:7d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
            "url": "https://api.example.go.id/publik/v1/items/7d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
            "title": "Kinerja unit Badan Kepegawaian Daerah 2026-Q1",
            "content_text": "38 dari 40 pegawai dinilai.",
            "date_published": "2026-04-20T02:00:00Z",
            "date_modified": "2026-04-20T02:00:00Z",
            "tags": ["UNIT_PERFORMANCE", "2026-Q1"],
            "_asn": {
                "kind": "UNIT_PERFORMANCE",
                "unit_id": "0b6f3c7e-7a55-4f3e-9d8c-1f2a3b4c5d6e",
                "unit_name": "Badan Kepegawaian Daerah",
                "period": "2026-Q1",
                "version": 1,
                "data": {"headcount": 40, "evaluated": 38},
                "suppressed": [],
                "policy_version": "2026.1",
            },
        }
    ],
}


class JsonFeedResponse(JSONResponse):
    """Declares `application/feed+json` as the operation's media type, so its model is documented there."""

    media_type = "application/feed+json"


_ATOM_EXAMPLE = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="id">'
    "<title>Transparansi Kinerja ASN Provinsi Bengkulu</title>"
    "<id>https://api.example.go.id/publik/v1/feed</id><updated>2026-04-20T02:00:00Z</updated>"
    "<entry><id>urn:uuid:7d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6</id>"
    "<title>Kinerja unit Badan Kepegawaian Daerah 2026-Q1</title>"
    "<updated>2026-04-20T02:00:00Z</updated></entry></feed>"
)


@router.get(
    "/feed.json",
    summary="The feed as JSON Feed 1.1",
    operation_id="feed_json_feed",
    response_class=JsonFeedResponse,
    responses={
        200: {
            "model": JsonFeed,
            "content": {"application/feed+json": {"example": _JSON_FEED_EXAMPLE}},
            "description": "JSON Feed 1.1",
        },
        **problem_responses(422),
    },
)
async def feed_json(
    request: Request, session: SessionDep, unit_id: UnitQuery = None, kind: KindQuery = None
) -> Response:
    """The newest 50 published items as JSON Feed 1.1 (figures under the `_asn` extension)."""
    base, item_url = _urls(request)
    rows = await repository.published(session, unit_id=unit_id, kind=kind, limit=FEED_LIMIT)
    body = render.json_feed(
        rows, home_url=base + "/v1/feed", feed_url=base + "/v1/feed.json", item_url=item_url
    )
    return Response(body, media_type="application/feed+json")


@router.get(
    "/feed.atom",
    summary="The feed as Atom",
    operation_id="feed_atom",
    response_class=Response,
    responses={
        200: {
            "content": {"application/atom+xml": {"schema": {"type": "string"}, "example": _ATOM_EXAMPLE}},
            "description": "Atom 1.0",
        },
        **problem_responses(422),
    },
)
async def feed_atom(
    request: Request, session: SessionDep, unit_id: UnitQuery = None, kind: KindQuery = None
) -> Response:
    """The newest 50 published items as an Atom 1.0 feed."""
    base, item_url = _urls(request)
    rows = await repository.published(session, unit_id=unit_id, kind=kind, limit=FEED_LIMIT)
    updated = await repository.last_change(session)
    body = render.atom_feed(
        rows, updated=updated, home_url=base + "/v1/feed", feed_url=base + "/v1/feed.atom", item_url=item_url
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get(
    "/items/{item_id}",
    summary="One published item",
    operation_id="items_get",
    responses=problem_responses(404, 422),
)
async def get_item(item_id: uuid.UUID, session: SessionDep) -> FeedItem:
    """One published item (the link target of feed entries); 404 for unknown or unpublished ones."""
    rows = await repository.published_item(session, item_id)
    if rows is None:
        raise NotFound(msg("No published item {item_id}", item_id=item_id))
    return FeedItem.model_validate(rows)
