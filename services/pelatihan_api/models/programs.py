"""Table ``pelatihan.program``: what an institution teaches, for how many JP, in which mode."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from services.pelatihan_api.db import Base
from services.pelatihan_api.enums import Competency, Mode, in_check


class Program(Base):
    """A training programme (a curriculum); sessions (angkatan) are its runs."""

    __tablename__ = "program"
    __table_args__ = (
        CheckConstraint(in_check("competency", [c.value for c in Competency]), name="competency"),
        CheckConstraint(in_check("mode", [m.value for m in Mode]), name="mode"),
        CheckConstraint("jp > 0", name="jp_positive"),
        Index("ix_program_institution_id_title", "institution_id", "title"),
        # Recommendations look programmes up by tag overlap (tags && :gaps).
        Index("ix_program_tags", "tags", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    institution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institution.id"))
    title: Mapped[str] = mapped_column(String(300))
    competency: Mapped[str] = mapped_column(String(20))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(60)), server_default="{}")
    jp: Mapped[int]
    mode: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
