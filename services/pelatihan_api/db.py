"""Declarative base of pelatihan_api: every table lives in the `pelatihan` schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.db import schema_metadata

SCHEMA = "pelatihan"


class Base(DeclarativeBase):
    """Base class of every pelatihan model."""

    metadata = schema_metadata(SCHEMA)
