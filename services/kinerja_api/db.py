"""Declarative base of kinerja_api: every table lives in the `kinerja` schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.db import schema_metadata

SCHEMA = "kinerja"


class Base(DeclarativeBase):
    """Base class of every kinerja model."""

    metadata = schema_metadata(SCHEMA)
