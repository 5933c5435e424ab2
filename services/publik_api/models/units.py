"""Units as publik knows them: learnt from kinerja (events or a lookup), plus the SKM service population."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.publik_api.db import Base


class Unit(Base):
    """An OPD or sub-unit (id, code and name as kinerja has them)."""

    __tablename__ = "unit"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[uuid.UUID | None] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    # The number of people the unit serves per year, set by an admin; drives the Krejcie-Morgan minimum.
    service_population: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
