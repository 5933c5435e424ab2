"""Table ``pelatihan.institution``: partner institutions (universities, LAN, BPSDM, others)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.pelatihan_api.db import Base
from services.pelatihan_api.enums import InstitutionKind, in_check


class Institution(Base):
    """A partner that runs training sessions; its ``mitra`` staff carry its id in their token."""

    __tablename__ = "institution"
    __table_args__ = (CheckConstraint(in_check("kind", [k.value for k in InstitutionKind]), name="kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
