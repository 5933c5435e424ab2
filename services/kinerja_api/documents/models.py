"""Table ``kinerja.evaluation_document``: each issued document, its canonical content and its PDF."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.kinerja_api.db import Base


class EvaluationDocument(Base):
    """One issued document: generated once per (nip, year, result version) and never changed; a corrected
    result (a new version after an objection or a reopening) gets a new document."""

    __tablename__ = "evaluation_document"
    __table_args__ = (
        Index("uq_evaluation_document_version", "nip", "year", "result_version", unique=True),
        # GET /v1/documents/verify?code= looks the code up.
        Index("uq_evaluation_document_code", "code", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    nip: Mapped[str] = mapped_column(ForeignKey("employee.nip"))
    year: Mapped[int] = mapped_column(Integer)
    result_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"))
    result_version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    content_hash: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
