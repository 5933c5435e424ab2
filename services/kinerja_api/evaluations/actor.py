"""Who is acting, reduced to what the rules need (keeps FastAPI out of the service modules)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """The verified caller: ``nip`` for employees, ``is_admin`` for the BKD, ``reads_all`` for admins and
    integrators (read-only reports)."""

    subject: str
    nip: str | None
    is_admin: bool
    reads_all: bool
