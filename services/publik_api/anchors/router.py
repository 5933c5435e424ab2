"""HTTP route of /v1/anchors: every anchor record of the apps' audit heads. Public, like the snapshots."""

from __future__ import annotations

from fastapi import Response

from services.common.db import SessionDep
from services.common.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page, decode_cursor, page_of
from services.common.routing import ServiceRouter
from services.publik_api.anchors.schemas import AnchorRead
from services.publik_api.anchors.service import all_anchors, heads_of

router = ServiceRouter(prefix="/v1/anchors", tags=["anchors"])


@router.get("", summary="Audit anchors", operation_id="anchors_list")
async def list_anchors(
    session: SessionDep,
    response: Response,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[AnchorRead]:
    """Every anchor record, oldest first: the audit heads (seq, hash) of kinerja, pelatihan, publik and the
    gateway each time one moved, chained by hash and signed with the snapshot key. An app's chain is
    trustworthy only while every anchored (seq, hash) is still in it (`asn verify-audit` checks). Not kept
    in the public-read cache (a new record does not change the publication version): `no-cache`."""
    response.headers["Cache-Control"] = "no-cache"
    after = decode_cursor(cursor, 1)
    rows = await all_anchors(session, after_n=int(after[0]) if after else None, limit=limit + 1)
    page, next_cursor = page_of(rows, limit, lambda a: (a.n,))
    items = [AnchorRead.model_validate({**_fields(a), "heads": heads_of(a)}) for a in page]
    return Page[AnchorRead](items=items, next_cursor=next_cursor)


def _fields(anchor: object) -> dict[str, object]:
    return {k: getattr(anchor, k) for k in ("n", "prev_hash", "hash", "kid", "created_at", "payload", "jws")}
