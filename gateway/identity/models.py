"""Accounts (people) and API clients (systems) that may obtain tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, Boolean, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base


class Account(Base):
    """A person who logs in with a password (password grant)."""

    __tablename__ = "account"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    nip: Mapped[str | None] = mapped_column(String(18), index=True)
    institution_id: Mapped[str | None] = mapped_column(String(36))
    # The unit a unit_admin account acts for (publik: its citizens' comments and follow-up statements).
    unit_id: Mapped[str | None] = mapped_column(String(36))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ApiClient(Base):
    """A system that authenticates with the client-credentials grant (integrators, our own services)."""

    __tablename__ = "api_client"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(255))
    # After a rotation the previous secret keeps working until previous_secret_expires_at.
    previous_secret_hash: Mapped[str | None] = mapped_column(String(255))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    # What an admin granted beyond the roles (services.common.roles.Scope), carried in the tokens' scope claim.
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list, server_default="{}")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    # Revoked clients stay listed (active false) so their usage remains on record.
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer)
    usage_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LoginLockout(Base):
    """Failed logins of one username from one address (IPv6: its /64), and the lock-out they earned.

    Lock-outs are per (username, address), never per account: failures sent from one place cannot lock the
    account's owner out everywhere else. Each lock-out of the pair lasts twice the one before."""

    __tablename__ = "login_lockout"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lockouts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SubjectNotBefore(Base):
    """Tokens of ``subject`` issued before ``not_before`` are refused everywhere (an admin revoked them)."""

    __tablename__ = "subject_not_before"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
