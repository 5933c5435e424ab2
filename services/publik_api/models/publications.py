"""Published items, their earlier versions, the per-period publication, and the publication version counter."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.publik_api.db import Base

PENDING, APPROVED = "PENDING", "APPROVED"


class Publication(Base):
    """A period's publication: its items become public when an admin approves it."""

    __tablename__ = "publication"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    period: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=PENDING, server_default=PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(128))


class Item(Base):
    """One feed item. ``data`` is what arrived; ``public_data`` is what may be shown (suppression applied)."""

    __tablename__ = "item"
    __table_args__ = (
        UniqueConstraint("kind", "unit_id", "period", "slug"),
        # The feed's keyset order; only published rows are ever listed.
        Index(
            "ix_item_feed",
            text("published_at DESC"),
            text("id DESC"),
            postgresql_where=text("published_at IS NOT NULL"),
        ),
        Index("ix_item_unit_period", "unit_id", "period"),
        Index("ix_item_kind_published", "kind", "published_at"),
        Index("ix_item_period", "period"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[uuid.UUID] = mapped_column()
    period: Mapped[str] = mapped_column(String(16))
    # Distinguishes several items of one kind per unit and period (innovations); "" otherwise.
    slug: Mapped[str] = mapped_column(String(64), default="", server_default="")
    publication_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("publication.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    public_data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    suppressed: Mapped[list[str]] = mapped_column(JSONB, default=list)
    policy_version: Mapped[str] = mapped_column(String(32))
    data_as_of: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A correction of a published item waits here until an approval publishes it (docs/publik.md).
    pending_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    pending_policy_version: Mapped[str | None] = mapped_column(String(32))
    pending_data_as_of: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why the item (or its pending correction) is not published as received; shown to the admin.
    hold_reasons: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default=text("'[]'::jsonb"))


class ItemVersion(Base):
    """An earlier version of an item, kept when a correction replaced it."""

    __tablename__ = "item_version"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    public_data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    suppressed: Mapped[list[str]] = mapped_column(JSONB)
    policy_version: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    superseded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Whether this version was ever public (disclosure checks compare a new version with every public one).
    published: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class PublicationState(Base):
    """A single row whose ``version`` is bumped by every change to what is public; each replica polls it to
    know when its cache of rendered responses is stale."""

    __tablename__ = "publication_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
