"""A unit's public services (jenis layanan, PermenPANRB 14/2017: the SKM asks which one the citizen used)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from services.publik_api.db import Base


class PublicService(Base):
    """One service a unit offers (e.g. "Pendaftaran dokumen kependudukan daring", "Layanan loket")."""

    __tablename__ = "public_service"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # An inactive service stays for the answers and innovations that name it, but the form no longer offers it.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
