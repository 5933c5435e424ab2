"""Declarative base of publik_api: every table lives in the `publik` schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.db import schema_metadata

SCHEMA = "publik"


class Base(DeclarativeBase):
    """Base class of every publik model."""

    metadata = schema_metadata(SCHEMA)
