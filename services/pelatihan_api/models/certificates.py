"""Table ``pelatihan.certificate``: proof of a passed session, verifiable by its unguessable number."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.pelatihan_api.db import Base


class Certificate(Base):
    """Issued on a pass; ``revoked_at`` set by an admin withdraws it (and its JP)."""

    __tablename__ = "certificate"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    enrolment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enrolment.id"), unique=True)
    nip: Mapped[str] = mapped_column(String(18), index=True)
    program_title: Mapped[str] = mapped_column(String(300))
    institution_name: Mapped[str] = mapped_column(String(200))
    jp: Mapped[int] = mapped_column(Integer)
    completed_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
