"""HTTP routes of /v1/snapshots: the signed, hash-chained snapshots and their key. Public and cached."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from sqlalchemy import select

from services.common.db import SessionDep
from services.common.errors import NotFound, problem_responses
from services.common.i18n import msg
from services.common.routing import ServiceRouter
from services.publik_api.models.snapshots import Snapshot
from services.publik_api.snapshots.schemas import Jwks, SnapshotRead
from services.publik_api.state import publik_state

router = ServiceRouter(prefix="/v1/snapshots", tags=["snapshots"])


@router.get(
    "/jwks.json", summary="Snapshot signing keys", operation_id="snapshots_jwks", response_model_by_alias=True
)
async def snapshot_jwks(request: Request) -> Jwks:
    """The public key(s) that verify snapshot signatures (`x-purpose: snapshot`); the gateway also serves
    them in /.well-known/jwks.json."""
    return Jwks.model_validate(publik_state(request.app).snapshot_signer.jwks())


@router.get(
    "/latest",
    summary="The latest snapshot",
    operation_id="snapshots_latest",
    responses=problem_responses(404),
)
async def latest_snapshot(session: SessionDep) -> SnapshotRead:
    """The newest snapshot of everything published; 404 before the first approval."""
    snap = await session.scalar(select(Snapshot).order_by(Snapshot.n.desc()).limit(1))
    if snap is None:
        raise NotFound(msg("Nothing has been published yet"))
    return SnapshotRead.model_validate(snap)


@router.get(
    "/{n}", summary="One snapshot", operation_id="snapshots_get", responses=problem_responses(404, 422)
)
async def get_snapshot(
    session: SessionDep, n: Annotated[int, Path(ge=1, description="Snapshot number (1, 2, ...).")]
) -> SnapshotRead:
    """Snapshot number `n`; walk 1..latest to check the whole chain (`asn verify-snapshots URL` does)."""
    snap = await session.get(Snapshot, n)
    if snap is None:
        raise NotFound(msg("No snapshot {n}", n=n))
    return SnapshotRead.model_validate(snap)
