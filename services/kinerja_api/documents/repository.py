"""What an evaluation document holds, read in a few statements, and the issued documents."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.kinerja_api.documents.models import EvaluationDocument


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def annual_result(session: AsyncSession, nip: str, year: int) -> dict[str, Any] | None:
    """The annual RESULT of ``nip`` for ``year`` (any status), or None."""
    row = (
        (
            await session.execute(
                text(
                    "SELECT id, status, version, evaluator_nip, decider_nip, result_rating, behavior_rating,"
                    " behavior_notes, predikat, unit_id, snapshot, finalized_at"
                    " FROM kinerja.evaluation WHERE nip = :nip AND period = :p AND kind = 'RESULT'"
                ),
                {"nip": nip, "p": str(year)},
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    out = dict(row)
    out["behavior_notes"] = _json(out["behavior_notes"]) or {}
    out["snapshot"] = _json(out["snapshot"])
    return out


async def org_predikat(session: AsyncSession, unit_id: uuid.UUID, year: int) -> str | None:
    """The unit's annual organisation predikat, if set."""
    value = await session.scalar(
        text("SELECT org_predikat FROM kinerja.unit_org_predikat WHERE unit_id = :u AND period = :p"),
        {"u": unit_id, "p": str(year)},
    )
    return str(value) if value is not None else None


async def skp_results(session: AsyncSession, nip: str, year: int) -> list[dict[str, Any]]:
    """The results of the employee's approved SKPs of the year, each with its indicators, targets, the latest
    realisation, the latest feedback on it (the supervisor's note), and the rating the evaluator gave that main
    result in the year's latest FINAL periodic result that rated it (issue 16; the annual result rests on the
    periodic ones and rates no result itself)."""
    rows = await session.execute(
        text(
            "SELECT r.kind, r.text, i.text, i.target, last.realization, last.note,"
            " rated.mr ->> 'rating', rated.mr ->> 'note'"
            " FROM kinerja.skp s JOIN kinerja.skp_result r ON r.skp_id = s.id"
            " JOIN kinerja.skp_indicator i ON i.result_id = r.id"
            " LEFT JOIN LATERAL (SELECT z.realization,"
            "    (SELECT f.text FROM kinerja.feedback f WHERE f.realization_id = z.id"
            "      ORDER BY f.created_at DESC LIMIT 1) AS note"
            "    FROM kinerja.realization z WHERE z.indicator_id = i.id"
            "    ORDER BY z.period DESC, z.updated_at DESC LIMIT 1) last ON true"
            " LEFT JOIN LATERAL (SELECT e.main_ratings -> r.id::text AS mr FROM kinerja.evaluation e"
            "    WHERE e.nip = :nip AND e.kind = 'RESULT' AND e.status = 'FINAL' AND e.period LIKE :prefix"
            "      AND e.main_ratings ? r.id::text"
            "    ORDER BY e.period DESC LIMIT 1) rated ON true"
            " WHERE s.nip = :nip AND s.year = :y AND s.status = 'APPROVED'"
            " ORDER BY s.valid_from, r.kind DESC, r.position, i.position"
        ),
        {"nip": nip, "y": year, "prefix": f"{year}-%"},
    )
    keys = ("kind", "text", "indicator", "target", "realization", "note", "rating", "rating_note")
    return [dict(zip(keys, r, strict=True)) for r in rows.all()]


async def periodic_results(session: AsyncSession, nip: str, year: int) -> list[dict[str, Any]]:
    """The year's periodic results: period, status and predikat."""
    rows = await session.execute(
        text(
            "SELECT period, status, predikat FROM kinerja.evaluation"
            " WHERE nip = :nip AND kind = 'RESULT' AND period LIKE :prefix ORDER BY period"
        ),
        {"nip": nip, "prefix": f"{year}-%"},
    )
    return [{"period": p, "status": s, "predikat": k} for p, s, k in rows.all()]


async def objection(session: AsyncSession, evaluation_id: uuid.UUID) -> dict[str, Any] | None:
    """The latest objection to the annual result, if any."""
    row = (
        await session.execute(
            text(
                "SELECT status, decision_note, decided_at FROM kinerja.objection WHERE evaluation_id = :e"
                " ORDER BY created_at DESC LIMIT 1"
            ),
            {"e": evaluation_id},
        )
    ).first()
    if row is None:
        return None
    return {
        "status": row[0],
        "decision_note": row[1],
        "decided_on": row[2].date().isoformat() if row[2] else None,
    }


async def issued(session: AsyncSession, nip: str, year: int, version: int) -> EvaluationDocument | None:
    """The document issued for that result version, if any."""
    stmt = select(EvaluationDocument).where(
        EvaluationDocument.nip == nip,
        EvaluationDocument.year == year,
        EvaluationDocument.result_version == version,
    )
    return (await session.scalars(stmt)).one_or_none()


async def by_code(session: AsyncSession, code: str) -> EvaluationDocument | None:
    """The document with that verification code (index uq_evaluation_document_code)."""
    return (
        await session.scalars(select(EvaluationDocument).where(EvaluationDocument.code == code))
    ).one_or_none()


async def lock_issue(session: AsyncSession, nip: str, year: int) -> None:
    """Serialise two first fetches of the same document (transaction-scoped advisory lock)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('kinerja:document:' || :k))"), {"k": f"{nip}/{year}"}
    )
