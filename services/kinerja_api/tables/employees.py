"""Tables ``kinerja.employee`` (the current state) and ``kinerja.employee_assignment`` (its history)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.kinerja_api.db import Base
from services.kinerja_api.tables.employee_enums import (
    SIASN_ID_PATTERN,
    Employment,
    Jenjang,
    PositionType,
    Rank,
)


def _in(column: str, values: list[str]) -> str:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"


class Employee(Base):
    """One ASN as they are today. ``version`` drives the ETag; the history is in EmployeeAssignment."""

    __tablename__ = "employee"
    __table_args__ = (
        CheckConstraint("nip ~ '^[0-9]{18}$'", name="nip_digits"),
        CheckConstraint("supervisor_nip IS NULL OR supervisor_nip <> nip", name="not_own_supervisor"),
        CheckConstraint(_in("position_type", [p.value for p in PositionType]), name="position_type"),
        CheckConstraint(_in("employment", [e.value for e in Employment]), name="employment"),
        CheckConstraint(_in("rank", [r.value for r in Rank]), name="rank"),
        CheckConstraint("jenjang IS NULL OR " + _in("jenjang", [j.value for j in Jenjang]), name="jenjang"),
        CheckConstraint(
            "(contract_start IS NULL) = (contract_end IS NULL) AND (contract_end IS NULL OR "
            "(employment = 'PPPK' AND contract_end >= contract_start))",
            name="contract",
        ),
        CheckConstraint(f"siasn_id IS NULL OR siasn_id ~ '{SIASN_ID_PATTERN}'", name="siasn_id_shape"),
        # One SIASN person per employee record.
        Index("uq_employee_siasn_id", "siasn_id", unique=True, postgresql_where=text("siasn_id IS NOT NULL")),
        # Keyset pages are ordered by nip, so each filter index ends in nip.
        Index("ix_employee_unit_id_nip", "unit_id", "nip"),
        Index("ix_employee_supervisor_nip_nip", "supervisor_nip", "nip"),
        Index("ix_employee_active_nip", "active", "nip"),
        # ?q= search (migration kinerja_0008): words of the name by full text, NIP prefix by pattern.
        Index(
            "ix_employee_name_words",
            func.to_tsvector(text("'simple'::regconfig"), text("name")),
            postgresql_using="gin",
        ),
        Index("ix_employee_nip_pattern", "nip", postgresql_ops={"nip": "varchar_pattern_ops"}),
    )

    nip: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"))
    position: Mapped[str] = mapped_column(String(200))
    position_type: Mapped[str] = mapped_column(String(20))
    rank: Mapped[str] = mapped_column(String(8))
    employment: Mapped[str] = mapped_column(String(4))
    supervisor_nip: Mapped[str | None] = mapped_column(ForeignKey("employee.nip"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # The current functional level (mirrors the open assignment's; the dated history is there).
    jenjang: Mapped[str | None] = mapped_column(String(16))
    # A PPPK's contract (PP 49/2018 Pasal 37: renewal depends on performance); null for a PNS.
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    # SIASN's person id, sent as pnsDinilaiId (domain.md §11.4).
    siasn_id: Mapped[str | None] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class EmployeeAssignment(Base):
    """Who an employee reported to, in which unit and which position, over ``[valid_from, valid_to)``.

    ``valid_to`` is exclusive (the day the next assignment starts) and null for the current one. An
    evaluation uses the reporting line that held during its period (PermenPANRB 6/2022: the evaluator is
    the direct supervisor, ``pejabat penilai kinerja``), so the history is never rewritten, only closed.
    """

    __tablename__ = "employee_assignment"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="valid_range"),
        # "Who supervised NIP X on day D" scans one employee's rows by start date.
        Index("ix_employee_assignment_nip_valid_from", "nip", "valid_from", unique=True),
        # At most one open (current) assignment per employee.
        Index(
            "ix_employee_assignment_open",
            "nip",
            unique=True,
            postgresql_where=text("valid_to IS NULL"),
        ),
        # "Whom did supervisor S have on day D" (evaluations, tasks).
        Index("ix_employee_assignment_supervisor_nip", "supervisor_nip", "valid_from"),
        CheckConstraint("jenjang IS NULL OR " + _in("jenjang", [j.value for j in Jenjang]), name="jenjang"),
        # Credit points per unit and year: the JF stretches overlapping the year.
        Index(
            "ix_employee_assignment_jenjang_valid_from",
            "valid_from",
            postgresql_where=text("jenjang IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    nip: Mapped[str] = mapped_column(ForeignKey("employee.nip", ondelete="CASCADE"))
    supervisor_nip: Mapped[str | None] = mapped_column(ForeignKey("employee.nip"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"))
    # The position held: a change of position starts a new SKP (domain.md §11.1).
    position: Mapped[str] = mapped_column(String(200))
    # The functional level held over this stretch (credit points are prorated by it, domain.md §11.4).
    jenjang: Mapped[str | None] = mapped_column(String(16))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class PenilaiDelegation(Base):
    """A delegation the admin records for the PPK (domain.md §11.2): ``delegate_nip`` acts as pejabat
    penilai for ``for_nip`` over ``[valid_from, valid_to]`` (both inclusive) under decree ``decree_number``,
    although their own position is neither JPT, ADMINISTRATOR nor PENGAWAS (a senior functional, a
    pelaksana coordinator). Checked when the delegate approves an SKP or finalises a result or a part."""

    __tablename__ = "penilai_delegation"
    __table_args__ = (
        CheckConstraint("valid_to >= valid_from", name="valid_range"),
        CheckConstraint("delegate_nip <> for_nip", name="not_self"),
        # The check when acting: "has D a delegation for N covering today".
        Index("ix_penilai_delegation_delegate_for", "delegate_nip", "for_nip", "valid_from"),
        # The admin's list ?for_nip=.
        Index("ix_penilai_delegation_for_nip", "for_nip", "valid_from"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    delegate_nip: Mapped[str] = mapped_column(ForeignKey("employee.nip"))
    for_nip: Mapped[str] = mapped_column(ForeignKey("employee.nip"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    decree_number: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
