"""Table ``kinerja.unit_org_predikat``: the organisation predikat an admin set for a unit and period."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.common.periods import SQL_CHECK as PERIOD_SQL_CHECK
from services.kinerja_api.db import Base
from services.kinerja_api.tables.evaluation_enums import OrgPredikat


class UnitOrgPredikat(Base):
    """Capaian kinerja organisasi of one unit for one period (SE MenPANRB 3/2023 step 1); it selects the
    distribution pattern the employee predikat must follow."""

    __tablename__ = "unit_org_predikat"
    __table_args__ = (
        CheckConstraint(PERIOD_SQL_CHECK, name="period_format"),
        CheckConstraint(
            f"org_predikat IN ({', '.join(repr(v.value) for v in OrgPredikat)})", name="org_predikat"
        ),
    )

    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    org_predikat: Mapped[str] = mapped_column(String(16))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
