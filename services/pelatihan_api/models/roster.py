"""Tables fed by kinerja's events: ``roster_employee`` (the employee mirror) and ``development_need``."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Index, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from services.pelatihan_api.db import Base


class RosterEmployee(Base):
    """What pelatihan knows of an employee, from ``kinerja.employee`` events (no names)."""

    __tablename__ = "roster_employee"
    __table_args__ = (
        # The compliance report: one unit's (or every unit's) active PNS and PPPK, index-only (what the report
        # reads of each rides in the index: the NIP it joins on, a PPPK's contract dates).
        Index(
            "ix_roster_employee_unit_id_employment",
            "unit_id",
            "employment",
            postgresql_include=["nip", "contract_start", "contract_end"],
            postgresql_where=text("active"),
        ),
        # Claims of outside learning awaiting a supervisor: their direct reports (issue 18).
        Index("ix_roster_employee_supervisor_nip", "supervisor_nip"),
    )

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    unit_id: Mapped[uuid.UUID | None]
    employment: Mapped[str] = mapped_column(String(4))
    position_type: Mapped[str | None] = mapped_column(String(20))
    rank: Mapped[str | None] = mapped_column(String(8))
    supervisor_nip: Mapped[str | None] = mapped_column(String(18))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # PPPK only: the contract's dates (null for PNS, or until kinerja sends them); the 24 JP ceiling is per
    # contract year (domain.md §11.5).
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    # Events may arrive out of order; an older one never overwrites a newer one.
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DevelopmentNeed(Base):
    """Needs revealed by one finalised evaluation (``kinerja.development_needs``)."""

    __tablename__ = "development_need"
    __table_args__ = (Index("ix_development_need_nip_occurred_at", "nip", "occurred_at"),)

    evaluation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    nip: Mapped[str] = mapped_column(String(18))
    period: Mapped[str] = mapped_column(String(10))
    behavior_gaps: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    result_below_expectation: Mapped[bool]
    # The evaluation's overall behaviour rating (issue 18); null from older events.
    behaviour_rating: Mapped[str | None] = mapped_column(String(24))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
