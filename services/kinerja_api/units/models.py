"""Table ``kinerja.unit``."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.kinerja_api.db import Base


class Unit(Base):
    """An OPD or one of its sub-units; ``parent_id`` is null for an OPD (the top of its tree)."""

    __tablename__ = "unit"
    __table_args__ = (CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Indexed: GET /v1/units?parent_id= and the tree walks filter on it.
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
