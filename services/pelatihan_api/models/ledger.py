"""Table ``pelatihan.jp_entry``: the JP ledger, one credited row per completed enrolment."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.pelatihan_api.db import Base


class JpEntry(Base):
    """JP credited to an employee for a year, from a completed enrolment or a verified claim of outside learning.
    A revoked certificate or claim sets ``revoked_at`` and the JP stop counting."""

    __tablename__ = "jp_entry"
    __table_args__ = (
        CheckConstraint("jp >= 0", name="jp_nonnegative"),
        Index("ix_jp_entry_nip_year", "nip", "year"),
        # The compliance report sums one year's live entries per NIP.
        Index(
            "ix_jp_entry_year_nip_live",
            "year",
            "nip",
            postgresql_include=["jp"],
            postgresql_where=text("revoked_at IS NULL"),
        ),
        # A PPPK's live entries by date, for the contract years the compliance report checks (index-only).
        Index(
            "ix_jp_entry_nip_completed_on_live",
            "nip",
            "completed_on",
            postgresql_include=["jp"],
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    nip: Mapped[str] = mapped_column(String(18))
    year: Mapped[int] = mapped_column(SmallInteger)
    jp: Mapped[int] = mapped_column(Integer)
    enrolment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("enrolment.id"), unique=True)
    # Or a verified claim of learning done elsewhere (outside/; issue 18).
    outside_learning_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("outside_learning.id"), unique=True
    )
    program_title: Mapped[str] = mapped_column(String(300))
    mode: Mapped[str] = mapped_column(String(12))
    completed_on: Mapped[date] = mapped_column(Date)
    certificate_number: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JpTotal(Base):
    """An employee's live JP for a year: ``SUM(jp_entry.jp)`` over the entries of that (nip, year) that are
    not revoked, so the compliance report reads one row per employee instead of summing the year's ledger.

    Written only by the statement triggers on ``jp_entry`` (migration pelatihan_0012), in the transaction of
    the ledger write, revocation, correction or delete itself; the application never writes it. A missing row
    means 0 JP."""

    __tablename__ = "jp_total"
    # (year, nip) in that order: the province reads one year in NIP order (merge join with the roster), a unit
    # probes (year, nip); jp_total rides in the index for index-only scans.
    # By NIP too: a roster move carries the employee's totals of every year to the new unit (migration 0013).
    __table_args__ = (
        PrimaryKeyConstraint("year", "nip", postgresql_include=["jp_total"]),
        Index("ix_jp_total_nip", "nip", postgresql_include=["jp_total"]),
    )

    year: Mapped[int] = mapped_column(SmallInteger)
    nip: Mapped[str] = mapped_column(String(18))
    jp_total: Mapped[int] = mapped_column(Integer)


class JpUnitDelta(Base):
    """Changes to the province compliance report's per-unit figures, appended by the triggers on ``jp_entry``
    and ``roster_employee`` (migration pelatihan_0013) in the transaction of the write itself: the figures of
    a (year, unit, employment) are the sum of its rows. Insert-only, so two credits in one unit never wait for
    each other (no shared counter row to lock); ``ledger.compaction`` folds each key's rows into one in the
    background. The application never writes it otherwise.

    ``year`` 0 rows carry ``headcount`` (the unit's active employees of that employment, whatever the year);
    a year's rows carry ``meeting`` (employees at 20 JP or more in that year), ``jp`` (their JP in it) and
    ``above`` (those with a ``jp_pppk_above`` row for it), the unit and employment being the roster's now."""

    __tablename__ = "jp_unit_delta"
    __table_args__ = (
        # The report sums years 0 and its own per unit, index-only.
        Index(
            "ix_jp_unit_delta_year_unit_id_employment",
            "year",
            "unit_id",
            "employment",
            postgresql_include=["headcount", "meeting", "jp", "above"],
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    unit_id: Mapped[uuid.UUID]
    employment: Mapped[str] = mapped_column(String(4))
    headcount: Mapped[int] = mapped_column(Integer)
    meeting: Mapped[int] = mapped_column(Integer)
    jp: Mapped[int] = mapped_column(Integer)
    above: Mapped[int] = mapped_column(Integer)


class JpPppkAbove(Base):
    """The calendar years in which a PPPK with contract dates had a contract year above the 24 JP ceiling
    (PP 49/2018 Pasal 40(1)), rebuilt for that NIP by the triggers whenever its live entries or its contract
    dates change (migration pelatihan_0013), the difference appended to ``jp_unit_delta.above``."""

    __tablename__ = "jp_pppk_above"
    __table_args__ = (PrimaryKeyConstraint("nip", "year"),)

    nip: Mapped[str] = mapped_column(String(18))
    year: Mapped[int] = mapped_column(SmallInteger)
