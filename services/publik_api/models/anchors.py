"""The anchor record: one row per change of any app's audit head, chained by hash and signed like the snapshots
(beside them, not inside them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.publik_api.db import Base


class AuditAnchor(Base):
    """Anchor ``n``: ``payload`` is the canonical JSON (``n``, ``prev_hash``, ``created_at``, ``heads``) that
    ``hash`` (sha256) and ``jws`` (RS256, the snapshot key) cover."""

    __tablename__ = "audit_anchor"

    n: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    kid: Mapped[str] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text)
    jws: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
