"""The evaluation document: who may fetch it, its content, issuing it once per result version, verifying it.

Content (canonical JSON, the thing the code signs): ``nip``, ``year``, ``result_id``, ``result_version``,
``employee``/``penilai``/``atasan_penilai`` (the snapshot taken at finalisation), ``org_predikat``, ``results``
(SKP results with indicator, target, latest realisation and feedback, and the main result's rating), ``behavior_notes``, ``result_rating``,
``behavior_rating``, ``predikat``, ``periodic`` (the year's periodic results), ``objection``,
``credit_points`` (JF only), ``issued_on``.

The verification code is an HMAC-SHA256 over that canonical JSON (sorted keys, no spaces, UTF-8) with a key
derived from the service's own secret, shortened to 160 bits in base32: unguessable, and bound to the content.
Verifying looks the code up and re-hashes the stored content, so it still answers after a secret rotation.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import clock
from services.common.changes import record_change
from services.common.i18n import msg
from services.kinerja_api.caller import Caller
from services.kinerja_api.credit import repository as credit_repository
from services.kinerja_api.credit.service import computation, require_final
from services.kinerja_api.documents import render, repository
from services.kinerja_api.documents.models import EvaluationDocument
from services.kinerja_api.employees.errors import EmployeeNotFound
from services.kinerja_api.events import SINK
from services.kinerja_api.snapshot import service as snapshot
from services.kinerja_api.tables.evaluation_enums import Predikat

KEY_LABEL = b"kinerja-evaluation-document-v1"


def canonical(content: dict[str, Any]) -> bytes:
    """The canonical JSON of a document's content."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def sign(content: dict[str, Any], secret: str) -> str:
    """The verification code of ``content``: 32 base32 characters in groups of four."""
    key = hmac.new(secret.encode(), KEY_LABEL, hashlib.sha256).digest()
    digest = hmac.new(key, canonical(content), hashlib.sha256).digest()[:20]
    raw = base64.b32encode(digest).decode()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_code(code: str) -> str:
    """A code as typed (any case, with or without dashes and spaces) in its stored form."""
    raw = "".join(c for c in code.upper() if c.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _may_fetch(viewer: Caller, nip: str, result: dict[str, Any] | None) -> bool:
    """The employee, the result's evaluator, the atasan penilai (the evaluator's superior at finalisation)
    and admins; anyone else (integrators included) gets 404."""
    if viewer.is_admin:
        return True
    who = viewer.acting_nip
    if who is None:
        return False
    if who == nip:
        return True
    return result is not None and who in (result["evaluator_nip"], result["decider_nip"])


async def _content(session: AsyncSession, nip: str, year: int, result: dict[str, Any]) -> dict[str, Any]:
    snap = result["snapshot"] or await snapshot.take(
        session, nip=nip, evaluator_nip=result["evaluator_nip"], decider_nip=result["decider_nip"]
    )
    credit = None
    rows = await credit_repository.credit_rows(session, year, nip=nip)
    if rows and rows[0].status == "FINAL" and rows[0].predikat:
        credit = computation(nip, year, Predikat(rows[0].predikat), rows[0].months).model_dump(mode="json")
    return {
        "nip": nip,
        "year": year,
        "result_id": str(result["id"]),
        "result_version": result["version"],
        "employee": snap["employee"],
        "penilai": snap["penilai"],
        "atasan_penilai": snap["atasan_penilai"],
        "org_predikat": await repository.org_predikat(session, result["unit_id"], year),
        "results": await repository.skp_results(session, nip, year),
        "behavior_notes": result["behavior_notes"],
        "result_rating": result["result_rating"],
        "behavior_rating": result["behavior_rating"],
        "predikat": result["predikat"],
        "periodic": await repository.periodic_results(session, nip, year),
        "objection": await repository.objection(session, result["id"]),
        "credit_points": credit,
        "issued_on": clock.today().isoformat(),
    }


async def document(
    session: AsyncSession, nip: str, year: int, viewer: Caller, *, secret: str
) -> EvaluationDocument:
    """The document of the FINAL annual result of ``nip`` for ``year``, issued (rendered and stored) on the first
    fetch of that result version and served as stored afterwards. 404 for callers who may not see it, 409 naming
    what is missing before the annual result is FINAL."""
    result = await repository.annual_result(session, nip, year)
    if not _may_fetch(viewer, nip, result):
        raise EmployeeNotFound(
            msg("no evaluation document for NIP {nip} and year {year}", nip=nip, year=year)
        )
    require_final(result["status"] if result else None, nip, year)
    assert result is not None
    await repository.lock_issue(session, nip, year)
    existing = await repository.issued(session, nip, year, result["version"])
    if existing is not None:
        return existing
    content = await _content(session, nip, year, result)
    code = sign(content, secret)
    issued_at = clock.now()
    pdf = await asyncio.to_thread(render.render, content, code=code, issued_at=issued_at)
    doc = EvaluationDocument(
        nip=nip,
        year=year,
        result_id=result["id"],
        result_version=result["version"],
        content=content,
        content_hash=hashlib.sha256(canonical(content)).hexdigest(),
        code=code,
        pdf=pdf,
        issued_at=issued_at,
    )
    session.add(doc)
    await session.flush()
    await record_change(
        session,
        SINK,
        actor=viewer.subject,
        action="document.issue",
        entity="evaluation_document",
        entity_id=str(doc.id),
        before=None,
        after={
            "nip": nip,
            "year": year,
            "result_version": doc.result_version,
            "content_hash": doc.content_hash,
        },
    )
    return doc


async def verify(session: AsyncSession, code: str) -> tuple[bool, str | None, date | None]:
    """Whether ``code`` is genuine, with the content hash and the date of issue (nothing personal)."""
    doc = await repository.by_code(session, normalise_code(code))
    if doc is None or hashlib.sha256(canonical(doc.content)).hexdigest() != doc.content_hash:
        return False, None, None
    issued: datetime = doc.issued_at
    return True, doc.content_hash, issued.date()
