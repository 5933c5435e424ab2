"""Table ``pelatihan.enrolment``: an employee's request for a seat and where it stands."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, Numeric, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from services.pelatihan_api.db import Base
from services.pelatihan_api.enums import LIVE_STATUSES, EnrolmentStatus, in_check

_LIVE = in_check("status", [s.value for s in LIVE_STATUSES])


class Enrolment(Base):
    """One employee in one session. At most one live enrolment per (session, nip): a partial unique index."""

    __tablename__ = "enrolment"
    __table_args__ = (
        CheckConstraint(in_check("status", [s.value for s in EnrolmentStatus]), name="status"),
        CheckConstraint("nip ~ '^[0-9]{18}$'", name="nip_digits"),
        CheckConstraint(
            "(status = 'WAITLISTED') = (waitlist_seq IS NOT NULL)", name="waitlist_seq_iff_waitlisted"
        ),
        Index(
            "ix_enrolment_session_id_nip_live", "session_id", "nip", unique=True, postgresql_where=text(_LIVE)
        ),
        # The first on the waitlist, found without scanning the session's other enrolments.
        Index(
            "ix_enrolment_session_id_waitlist_seq",
            "session_id",
            "waitlist_seq",
            postgresql_where=text("status = 'WAITLISTED'"),
        ),
        Index("ix_enrolment_session_id_status", "session_id", "status"),
        Index("ix_enrolment_nip_created_at", "nip", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("training_session.id"))
    nip: Mapped[str] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(20))
    waitlist_seq: Mapped[int | None] = mapped_column(Integer)
    requested_by: Mapped[str] = mapped_column(String(128))
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(String(500))
    passed: Mapped[bool | None]
    score: Mapped[float | None] = mapped_column(Numeric(5, 2))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
