"""HTTP routes of the evaluation document: the PDF, and the public verification of its code."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from services.common.db import SessionDep
from services.common.errors import problem_responses
from services.common.routing import ServiceRouter
from services.kinerja_api.deps import CallerDep
from services.kinerja_api.documents import service
from services.kinerja_api.state import kinerja_state

router = ServiceRouter(prefix="/v1", tags=["documents"])
NipPath = Annotated[str, Path(pattern=r"^[0-9]{18}$", description="18-digit NIP (or NI PPPK).")]
PDF = "application/pdf"


class DocumentVerification(BaseModel):
    """Whether a verification code is genuine; nothing about the person."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "genuine": True,
                    "content_hash": "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b",
                    "issued_on": "2027-02-01",
                }
            ]
        }
    )

    genuine: bool
    content_hash: str | None = Field(
        description="SHA-256 of the document's canonical content; null if not genuine."
    )
    issued_on: date | None = Field(description="The date of issue; null if not genuine.")


@router.get(
    "/employees/{nip}/evaluation-document",
    summary="The evaluation document (PDF) of an employee's year",
    operation_id="documents_evaluation_pdf",
    response_class=Response,
    responses={
        200: {
            "description": "The PDF (dokumen evaluasi kinerja pegawai).",
            "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
            "headers": {"X-Verification-Code": {"schema": {"type": "string"}, "description": "The code."}},
        },
        **problem_responses(401, 404, 409, 422),
    },
)
async def evaluation_document(
    nip: NipPath,
    year: Annotated[int, Query(ge=2000, le=2100, description="The performance year.", examples=[2026])],
    request: Request,
    session: SessionDep,
    caller: CallerDep,
) -> Response:
    """The dokumen evaluasi kinerja pegawai in Bahasa Indonesia: identities of the employee, the penilai and
    the atasan penilai as at finalisation, the organisation's predikat, the SKP results, the seven BerAKHLAK
    values, the ratings and the predikat, the year's periodic results, the objection outcome, the credit points
    of a JF, and a verification code. Issued once per (nip, year, result version) and stored; a corrected result
    gets a new document. The employee, the result's evaluator, the atasan penilai and admins; anyone else 404.
    409 naming what is missing before the annual result is FINAL."""
    secret = kinerja_state(request.app).settings.service_client_secret.get_secret_value()
    doc = await service.document(session, nip, year, caller, secret=secret)
    return Response(
        content=doc.pdf,
        media_type=PDF,
        headers={
            "Content-Disposition": f'attachment; filename="evaluasi-kinerja-{nip}-{year}-v{doc.result_version}.pdf"',
            "X-Verification-Code": doc.code,
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/documents/verify",
    summary="Verify an evaluation document's code (public)",
    operation_id="documents_verify",
    responses=problem_responses(422),
)
async def verify_document(
    session: SessionDep,
    code: Annotated[
        str,
        Query(
            min_length=8,
            max_length=64,
            pattern=r"^[A-Za-z0-9 -]+$",
            description="The verification code printed on the document (case and dashes do not matter).",
        ),
    ],
) -> DocumentVerification:
    """Anyone: whether a code printed on an evaluation document is genuine, with the SHA-256 of the document's
    content and its date of issue. Nothing personal is revealed: no name, NIP or rating."""
    genuine, content_hash, issued_on = await service.verify(session, code)
    return DocumentVerification(genuine=genuine, content_hash=content_hash, issued_on=issued_on)
