"""Tables ``pelatihan.outside_learning`` (claims of learning done elsewhere) and ``pelatihan.learning_cap``
(JP a path may add to one employee's year)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from services.pelatihan_api.db import Base
from services.pelatihan_api.enums import ClaimStatus, LearningPath, in_check


class OutsideLearning(Base):
    """An employee's claim of learning done outside the province's sessions, and its verification."""

    __tablename__ = "outside_learning"
    __table_args__ = (
        CheckConstraint(in_check("path", [p.value for p in LearningPath]), name="path"),
        CheckConstraint(in_check("status", [s.value for s in ClaimStatus]), name="status"),
        CheckConstraint("jp > 0", name="jp_positive"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        Index("ix_outside_learning_nip_created_at", "nip", "created_at"),
        Index("ix_outside_learning_status_created_at", "status", "created_at"),
        # The cap: JP verified per employee, path and year.
        Index("ix_outside_learning_nip_path_year", "nip", "path", "year"),
        # One credit per provider and certificate number (a second verification is refused; this backs it).
        Index(
            "uq_outside_learning_credited_certificate",
            text("lower(provider)"),
            text("lower(certificate_number)"),
            unique=True,
            postgresql_where=text("status = 'VERIFIED' AND certificate_number IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    nip: Mapped[str] = mapped_column(String(18))
    path: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(200))
    certificate_number: Mapped[str | None] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # The year the JP count in: the year the learning ended (as for sessions).
    year: Mapped[int] = mapped_column(Integer)
    jp: Mapped[int] = mapped_column(Integer)
    evidence_url: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LearningCap(Base):
    """The JP one path may add to an employee's year (a setting; defaults from the migration)."""

    __tablename__ = "learning_cap"
    __table_args__ = (
        CheckConstraint(in_check("path", [p.value for p in LearningPath]), name="path"),
        CheckConstraint("jp_per_year >= 0", name="jp_nonnegative"),
    )

    path: Mapped[str] = mapped_column(String(20), primary_key=True)
    jp_per_year: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
