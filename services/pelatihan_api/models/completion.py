"""Tables ``pelatihan.attendance`` (one row per employee, session and day) and ``pelatihan.session_feedback``."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, SmallInteger, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from services.pelatihan_api.db import Base


class Attendance(Base):
    """Whether an enrolled employee was present on one day of a session (recorded by the mitra)."""

    __tablename__ = "attendance"
    __table_args__ = (Index("ix_attendance_nip_session_id", "nip", "session_id"),)

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("training_session.id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    on: Mapped[date] = mapped_column(Date, primary_key=True)
    present: Mapped[bool]
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SessionFeedback(Base):
    """An attendee's rating of a session; one per attendee. Never published per person."""

    __tablename__ = "session_feedback"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("training_session.id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
