"""Errors of the units domain (problem+json through services.common.errors)."""

from __future__ import annotations

from services.common.errors import Conflict, InvalidInput, NotFound


class UnitNotFound(NotFound):
    """No unit with that id."""

    slug = "unit-not-found"


class UnitCodeTaken(Conflict):
    """Another unit already has that code."""

    slug = "unit-code-taken"


class ParentUnitNotFound(InvalidInput):
    """``parent_id`` names no unit."""

    slug = "parent-unit-not-found"
