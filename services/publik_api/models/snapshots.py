"""Signed, hash-chained snapshots of everything published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.publik_api.db import Base


class Snapshot(Base):
    """Snapshot ``n``: ``payload`` is the canonical JSON that ``hash`` (sha256) and ``jws`` cover."""

    __tablename__ = "snapshot"

    n: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    kid: Mapped[str] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text)
    jws: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
