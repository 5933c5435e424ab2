"""Tables ``kinerja.evaluation`` and ``kinerja.objection``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.common.periods import SQL_CHECK as PERIOD_SQL_CHECK
from services.kinerja_api.db import Base
from services.kinerja_api.tables.evaluation_enums import (
    EvaluationKind,
    EvaluationStatus,
    ObjectionStatus,
    Predikat,
    Rating,
)


def _in(column: str, values: type[StrEnum], *, nullable: bool = False) -> str:
    check = f"{column} IN ({', '.join(repr(v.value) for v in values)})"
    return f"{column} IS NULL OR {check}" if nullable else check


class Evaluation(Base):
    """A period RESULT (one per employee and period, by the supervisor of record at the period's end) or a
    PART of one (``result_id``): an earlier supervisor's assessment of the stretch ``[period_start,
    period_end]`` they supervised (domain.md §11.1). A result's own dates are the final stretch.
    ``version`` drives the ETag.

    ``predikat`` is set exactly when a RESULT is FINAL and never on a PART, so reports, the curve, SIASN and
    publik count ``predikat IS NOT NULL`` straight from the (period, unit_id, predikat) index and see each
    person once per period.
    """

    __tablename__ = "evaluation"
    __table_args__ = (
        CheckConstraint(PERIOD_SQL_CHECK, name="period_format"),
        CheckConstraint(_in("status", EvaluationStatus), name="status"),
        CheckConstraint(_in("result_rating", Rating, nullable=True), name="result_rating"),
        CheckConstraint(_in("behavior_rating", Rating, nullable=True), name="behavior_rating"),
        CheckConstraint(_in("predikat", Predikat, nullable=True), name="predikat"),
        CheckConstraint(_in("kind", EvaluationKind), name="kind"),
        CheckConstraint(
            "(kind = 'RESULT' AND (status = 'FINAL') = (predikat IS NOT NULL))"
            " OR (kind = 'PART' AND predikat IS NULL)",
            name="only_result_has_predikat",
        ),
        CheckConstraint("(kind = 'PART') = (result_id IS NOT NULL)", name="part_has_result"),
        CheckConstraint("evaluator_nip IS NULL OR evaluator_nip <> nip", name="not_self"),
        CheckConstraint("period_end >= period_start", name="part_range"),
        # One result per employee and period.
        Index(
            "uq_evaluation_result_nip_period",
            "nip",
            "period",
            unique=True,
            postgresql_where=text("kind = 'RESULT'"),
        ),
        # A result's parts are stretches of the assignment history, so two never start on the same day.
        Index("uq_evaluation_part_start", "result_id", "period_start", unique=True),
        # Reports: GROUP BY predikat for one period (and unit) is an index-only scan, its newest change
        # (updated_at, the distribution's data_as_of) too; with nip included the province compliance
        # report's "who has a FINAL evaluation" set is index-only as well.
        Index(
            "ix_evaluation_period_unit_id_predikat",
            "period",
            "unit_id",
            "predikat",
            postgresql_include=["nip", "updated_at"],
        ),
        # Tasks: an evaluator's open drafts.
        Index("ix_evaluation_evaluator_nip_status", "evaluator_nip", "status"),
        # Compliance and tasks: "has NIP a FINAL evaluation for P".
        Index("ix_evaluation_nip_period", "nip", "period"),
        # Compliance for one OPD: "has NIP a FINAL evaluation for P", index-only per employee.
        Index(
            "ix_evaluation_nip_period_final", "nip", "period", postgresql_where=text("predikat IS NOT NULL")
        ),
        # Compliance for the province: a period's FINAL evaluations in NIP order, merge-joined index-only.
        Index(
            "ix_evaluation_period_nip_final", "period", "nip", postgresql_where=text("predikat IS NOT NULL")
        ),
        # SIASN export: a period's rows in keyset (id) order.
        Index("ix_evaluation_period_id", "period", "id"),
        # The evaluation list filtered by unit and period (an admin's or an integrator's page): one range in
        # keyset (id) order, not the period's whole id range filtered by unit.
        Index("ix_evaluation_period_unit_id_id", "period", "unit_id", "id"),
        # The evaluation list's "objections I decide" branch (only FINAL results store a decider).
        Index("ix_evaluation_decider_nip", "decider_nip", postgresql_where=text("decider_nip IS NOT NULL")),
        # Its "my direct reports' drafts" branch: one probe per report, not the unit's whole period.
        Index(
            "ix_evaluation_undecided_evaluator_nip",
            "evaluator_nip",
            "period",
            "unit_id",
            postgresql_where=text("decider_nip IS NULL"),
        ),
        # Its "results I wrote a part of" branch: the parts one wrote, not every result one evaluated.
        Index(
            "ix_evaluation_part_evaluator_nip",
            "evaluator_nip",
            postgresql_include=["result_id"],
            postgresql_where=text("kind = 'PART'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(6), server_default=text("'RESULT'"))
    result_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"))
    nip: Mapped[str] = mapped_column(ForeignKey("employee.nip"))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"))
    period: Mapped[str] = mapped_column(String(7))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    evaluator_nip: Mapped[str | None] = mapped_column(ForeignKey("employee.nip"))
    on_behalf: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(8), server_default=text("'DRAFT'"))
    result_rating: Mapped[str | None] = mapped_column(String(24))
    behavior_rating: Mapped[str | None] = mapped_column(String(24))
    behavior_notes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # Ratings of the main (UTAMA) results of the SKPs covering the dates, keyed by skp_result id:
    # {"<id>": {"rating": Rating, "note": str}} (domain.md §11.3).
    main_ratings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # Written reasons: for a DI_BAWAH overall rating, and for a behaviour rating that departs from the
    # median of the seven BerAKHLAK levels.
    result_reason: Mapped[str | None] = mapped_column(String(2000))
    behavior_reason: Mapped[str | None] = mapped_column(String(2000))
    predikat: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    finalized_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reopened_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # The evaluator's superior (atasan pejabat penilai) as of the first finalisation: objections go to
    # them, whoever the evaluator reports to later (PP 30/2019 Pasal 59; domain.md §11.2).
    decider_nip: Mapped[str | None] = mapped_column(ForeignKey("employee.nip"))
    # A PART an admin closed because its author left the service before finalising it.
    closed_reason: Mapped[str | None] = mapped_column(String(2000))
    # The admin's written reason why a unit head's result rating departs from the rating the organisation
    # predikat gives (domain.md §11.3), and who recorded it.
    org_alignment_reason: Mapped[str | None] = mapped_column(String(2000))
    org_alignment_by: Mapped[str | None] = mapped_column(String(64))
    # Who the employee, the penilai and the atasan penilai were at the last finalisation (issue 17;
    # services/kinerja_api/snapshot): the evaluation document and the SIASN payload print them as they were.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Objection(Base):
    """A keberatan the evaluated employee lodges against a FINAL evaluation (PermenPANRB 6/2022 Pasal 29);
    the evaluator's own supervisor (an admin when there is none) decides it."""

    __tablename__ = "objection"
    __table_args__ = (
        CheckConstraint(_in("status", ObjectionStatus), name="status"),
        Index("ix_objection_evaluation_id", "evaluation_id"),
        # At most one undecided objection per evaluation.
        Index(
            "uq_objection_pending",
            "evaluation_id",
            unique=True,
            postgresql_where=text("status = 'PENDING'"),
        ),
        Index("ix_objection_status_created_at", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    evaluation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"))
    nip: Mapped[str] = mapped_column(ForeignKey("employee.nip"))
    reason: Mapped[str] = mapped_column(String(4000))
    status: Mapped[str] = mapped_column(String(10), server_default=text("'PENDING'"))
    decider_nip: Mapped[str | None] = mapped_column(ForeignKey("employee.nip"))
    decision_note: Mapped[str | None] = mapped_column(String(4000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
