"""HTTP routes of /v1/certificates: public verification and admin revocation."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request

from services.common.db import SessionDep, after_commit
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter
from services.pelatihan_api.certificates import service
from services.pelatihan_api.certificates.schemas import CertificateRead, RevokeBody
from services.pelatihan_api.deps import AdminDep, KinerjaDep, wake_outbox

router = ServiceRouter(prefix="/v1/certificates", tags=["certificates"])
Number = Annotated[str, Path(max_length=40, examples=["BGK-2026-7KQ4M2XDP9A"])]


@router.get(
    "/{number}",
    summary="Verify a certificate",
    operation_id="certificates_verify",
    responses=problem_responses(404, 422),
)
async def verify_certificate(number: Number, session: SessionDep) -> CertificateRead:
    """Anyone (no token) may check a certificate number: what was passed, when, for how many JP, and
    whether it has been revoked. No name and no NIP digit is shown (`holder_nip` is fully masked)."""
    return service.to_read(await service.verify(session, number))


@router.post(
    "/{number}/revoke",
    summary="Revoke a certificate",
    operation_id="certificates_revoke",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def revoke_certificate(
    number: Number,
    body: RevokeBody,
    session: SessionDep,
    admin: AdminDep,
    kinerja: KinerjaDep,
    request: Request,
) -> CertificateRead:
    """Admins withdraw a certificate; verification then shows it revoked and its JP leave the ledger."""
    row = await service.revoke(session, kinerja, number, body.reason, actor=admin.subject)
    after_commit(session, lambda: wake_outbox(request.app))  # woken earlier, it could poll before the commit
    return service.to_read(row)
