"""Declarative base of the gateway: every table lives in the ``gateway`` schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.db import schema_metadata

SCHEMA = "gateway"


class Base(DeclarativeBase):
    """Base class of every gateway model."""

    metadata = schema_metadata(SCHEMA)
