"""SKM responses: nine answers per respondent, stored without the submitter's IP or any device id."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.publik_api.db import Base

UNSUR_COLUMNS = tuple(f"u{i}" for i in range(1, 10))


class SurveyResponse(Base):
    """One citizen's answers (U1..U9 on the 1-4 scale, domain.md §4.1-4.2)."""

    __tablename__ = "survey_response"
    __table_args__ = (
        Index("ix_survey_response_unit_year", "unit_id", "year"),
        # One answer per form token, whichever replica takes it (surveys/form_token.py).
        UniqueConstraint("form_nonce"),
        *(CheckConstraint(f"{c} BETWEEN 1 AND 4", name=f"{c}_scale") for c in UNSUR_COLUMNS),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    unit_id: Mapped[uuid.UUID] = mapped_column()
    year: Mapped[int] = mapped_column(SmallInteger)
    u1: Mapped[int] = mapped_column(SmallInteger)
    u2: Mapped[int] = mapped_column(SmallInteger)
    u3: Mapped[int] = mapped_column(SmallInteger)
    u4: Mapped[int] = mapped_column(SmallInteger)
    u5: Mapped[int] = mapped_column(SmallInteger)
    u6: Mapped[int] = mapped_column(SmallInteger)
    u7: Mapped[int] = mapped_column(SmallInteger)
    u8: Mapped[int] = mapped_column(SmallInteger)
    u9: Mapped[int] = mapped_column(SmallInteger)
    # The service the citizen used (jenis layanan), when the form asked.
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("public_service.id"), index=True)
    # The optional respondent profile the SKM asks for (PermenPANRB 14/2017; published only in aggregate,
    # under the disclosure rules). Values: surveys/schemas.py.
    age_group: Mapped[str | None] = mapped_column(String(24))
    sex: Mapped[str | None] = mapped_column(String(24))
    education: Mapped[str | None] = mapped_column(String(24))
    occupation: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    # Follow-up of the comment by the unit (never published per answer).
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_by: Mapped[str | None] = mapped_column(String(128))
    # The nonce of the signed form token the answer came with (null for answers taken before tokens).
    form_nonce: Mapped[str | None] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
