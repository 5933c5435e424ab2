"""Tables ``kinerja.skp``, ``skp_result``, ``skp_indicator``, ``realization`` and ``feedback``.

The evaluations, compliance report and task list query these tables directly (same service, same schema),
so their names and columns are part of kinerja's internal contract.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.periods import SQL_CHECK as PERIOD_SQL_CHECK
from services.kinerja_api.db import Base
from services.kinerja_api.skp.enums import Approach, Aspect, Perspective, ResultKind, SkpStatus


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Skp(Base):
    """One employee's plan (Sasaran Kinerja Pegawai) for one position held in one year, over
    ``[valid_from, valid_to)`` inside the year: a move to another position closes it and the new position
    gets a new SKP (8/2021 Lampiran; domain.md §11.1), so a year may hold several. ``version`` drives the
    ETag."""

    __tablename__ = "skp"
    __table_args__ = (
        UniqueConstraint("nip", "year", "valid_from"),
        CheckConstraint(
            "valid_from < valid_to AND valid_from >= make_date(year, 1, 1) "
            "AND valid_to <= make_date(year + 1, 1, 1)",
            name="dates_in_year",
        ),
        CheckConstraint(_in("status", SkpStatus), name="status"),
        CheckConstraint(_in("approach", Approach), name="approach"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        # Task list / compliance: "SUBMITTED SKPs of year Y", "APPROVED SKPs of year Y".
        Index("ix_skp_status_year", "status", "year"),
        # ?year= lists, keyset-ordered by nip.
        Index("ix_skp_year_nip", "year", "nip"),
        # Compliance for one OPD: "has NIP an APPROVED SKP / a realisation in year Y", index-only per employee.
        Index("ix_skp_nip_year_status", "nip", "year", postgresql_include=["status", "id"]),
        # Compliance for one OPD: "which of the unit's employees have an APPROVED SKP in year Y", one range per
        # unit, index-only (kinerja_0027).
        Index("ix_skp_owner_unit_id_year_nip", "owner_unit_id", "year", "nip", postgresql_include=["status"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    nip: Mapped[str] = mapped_column(ForeignKey("employee.nip"))
    year: Mapped[int] = mapped_column(Integer)
    # The owner's current unit (``employee.unit_id``), copied by triggers on every insert, on a change of owner
    # and on every move of the owner to another unit (kinerja_0027): never set it here, whatever is given is
    # replaced by the employee's.
    owner_unit_id: Mapped[uuid.UUID] = mapped_column()
    # The dates the SKP covers (``valid_to`` exclusive) and the position it plans for (from the assignment
    # history at creation; a later move closes ``valid_to`` on the day of the move).
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    position: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), server_default=sql_text("'DRAFT'"))
    approach: Mapped[str] = mapped_column(String(16), server_default=sql_text("'KUANTITATIF'"))
    # Who approved; null when an admin approved in the governor's name (``approved_on_behalf``).
    approver_nip: Mapped[str | None] = mapped_column(ForeignKey("employee.nip"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_on_behalf: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("false"))
    returned_reason: Mapped[str | None] = mapped_column(String(2000))
    version: Mapped[int] = mapped_column(Integer, server_default=sql_text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    results: Mapped[list[SkpResult]] = relationship(
        lazy="raise",
        order_by="SkpResult.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class SkpResult(Base):
    """A planned result (Rencana Hasil Kerja). Non-JPT results name the supervisor's result they support
    (``parent_result_id``, "RHK pimpinan yang diintervensi"); JPT results carry a ``perspective``."""

    __tablename__ = "skp_result"
    __table_args__ = (
        CheckConstraint(_in("kind", ResultKind), name="kind"),
        CheckConstraint(f"aspect IS NULL OR {_in('aspect', Aspect)}", name="aspect"),
        CheckConstraint(f"perspective IS NULL OR {_in('perspective', Perspective)}", name="perspective"),
        Index("ix_skp_result_skp_id_position", "skp_id", "position"),
        # Cascade coverage: "which results support this one".
        Index("ix_skp_result_parent_result_id", "parent_result_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    skp_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("skp.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(2000))
    parent_result_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("skp_result.id"))
    aspect: Mapped[str | None] = mapped_column(String(16))
    perspective: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer)

    indicators: Mapped[list[SkpIndicator]] = relationship(
        lazy="raise",
        order_by="SkpIndicator.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class SkpIndicator(Base):
    """An indicator (Indikator Kinerja Individu) of a result, with its target."""

    __tablename__ = "skp_indicator"
    __table_args__ = (Index("ix_skp_indicator_result_id_position", "result_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    result_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("skp_result.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(1000))
    target: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, server_default=sql_text("0"))


class Realization(Base):
    """What was achieved on one indicator in one period (``2026-Q1``..``Q4`` or ``2026``), with evidence.
    One row per (indicator, period): reporting again replaces it."""

    __tablename__ = "realization"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period"),
        CheckConstraint(PERIOD_SQL_CHECK, name="period_format"),
        Index("ix_realization_skp_id_period", "skp_id", "period"),
        # The compliance report's "realisation reported", per NIP in NIP order (kinerja_0026).
        Index("ix_realization_period_skp_nip", "period", "skp_nip", postgresql_include=["skp_year"]),
        # The same for one OPD: a period's realisations of the unit's employees, one range per unit (kinerja_0027).
        Index(
            "ix_realization_period_skp_unit_id",
            "period",
            "skp_unit_id",
            "skp_nip",
            postgresql_include=["skp_year"],
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    skp_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("skp.id", ondelete="CASCADE"))
    indicator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("skp_indicator.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    realization: Mapped[str] = mapped_column(String(4000))
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    # The SKP's owner and year, copied by a trigger on every insert and on any change of the SKP (kinerja_0026):
    # never set them here, whatever is given is replaced by the SKP's.
    skp_nip: Mapped[str] = mapped_column(String(18))
    skp_year: Mapped[int] = mapped_column(Integer)
    # The SKP's ``owner_unit_id`` (the owner's current unit), copied the same way (kinerja_0027).
    skp_unit_id: Mapped[uuid.UUID] = mapped_column()
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Feedback(Base):
    """Continuous feedback (umpan balik berkelanjutan) from the direct supervisor on a realisation."""

    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_realization_id_created_at", "realization_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    realization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("realization.id", ondelete="CASCADE"))
    author_nip: Mapped[str] = mapped_column(ForeignKey("employee.nip"))
    text: Mapped[str] = mapped_column(String(4000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
