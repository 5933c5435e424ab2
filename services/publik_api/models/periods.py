"""An SKM period the province runs (PermenPANRB 14/2017 Pasal 1(1): at least once a year)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.publik_api.db import Base


class SkmPeriod(Base):
    """``2026`` (a year) or ``2026-S1`` / ``2026-S2`` (a semester); its WIB dates follow from the code."""

    __tablename__ = "skm_period"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
