"""HTTP route of /v1/anchors: every anchor record of the apps' audit heads. Public, like the snapshots."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.common.db import SessionDep
from services.publik_api.anchors.schemas import AnchorRead
from services.publik_api.anchors.service import all_anchors, heads_of

router = APIRouter(prefix="/v1/anchors", tags=["anchors"])


@router.get("", summary="Audit anchors", operation_id="anchors_list")
async def list_anchors(session: SessionDep, response: Response) -> list[AnchorRead]:
    """Every anchor record, oldest first: the audit heads (seq, hash) of kinerja, pelatihan, publik and the
    gateway each time one moved, chained by hash and signed with the snapshot key. An app's chain is
    trustworthy only while every anchored (seq, hash) is still in it (`asn verify-audit` checks). Not kept
    in the public-read cache (a new record does not change the publication version): `no-cache`."""
    response.headers["Cache-Control"] = "no-cache"
    return [
        AnchorRead.model_validate({**_fields(a), "heads": heads_of(a)}) for a in await all_anchors(session)
    ]


def _fields(anchor: object) -> dict[str, object]:
    return {k: getattr(anchor, k) for k in ("n", "prev_hash", "hash", "kid", "created_at", "payload", "jws")}
