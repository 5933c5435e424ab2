"""Table ``pelatihan.training_session``: one run (angkatan) of a programme.

``seats_taken`` and ``waitlist_length`` are counters kept on the row and changed only by atomic
``UPDATE ... WHERE seats_taken < capacity`` statements, with ``CHECK (seats_taken <= capacity)`` as the
last line of defence: no interleaving of requests can confirm more seats than the capacity.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.pelatihan_api.db import Base


class TrainingSession(Base):
    """A session with dates, place, capacity, enrolment window and optional eligibility rules."""

    __tablename__ = "training_session"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("waitlist_length >= 0", name="waitlist_nonnegative"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("enrol_closes_at > enrol_opens_at", name="window_ordered"),
        Index("ix_training_session_program_id_starts_on", "program_id", "starts_on"),
        Index("ix_training_session_institution_id_starts_on", "institution_id", "starts_on"),
        Index("ix_training_session_starts_on_id", "starts_on", "id"),
        Index("ix_training_session_enrol_closes_at", "enrol_closes_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("program.id"))
    # Copied from the programme so the mitra scope check needs no join.
    institution_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("institution.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)
    enrol_opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    enrol_closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    location: Mapped[str] = mapped_column(String(300))
    seats_taken: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)
    waitlist_length: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)
    # Monotonic ticket counter: the order in which requests joined the waitlist.
    waitlist_seq: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)
    eligible_position_types: Mapped[list[str] | None] = mapped_column(ARRAY(String(20)))
    min_rank: Mapped[str | None] = mapped_column(String(8))
    eligible_unit_ids: Mapped[list[uuid.UUID] | None] = mapped_column(ARRAY(UUID(as_uuid=True)))
    # The training days ``[{"on": "YYYY-MM-DD", "jp": n}]`` in date order (sessions/schedule.py, issue 18).
    days: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb"), default=list
    )
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"), default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
