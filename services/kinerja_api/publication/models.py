"""Table ``kinerja.publication_state``: what was last published for a unit and period."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.kinerja_api.db import Base


class PublicationState(Base):
    """One row per (unit, period) ever published: ``revision`` counts the aggregates sent (a re-finalisation
    after a reopen sends a corrected one), ``last_data`` is what publik last received."""

    __tablename__ = "publication_state"

    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    last_event_id: Mapped[uuid.UUID]
    last_data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
