"""Reporting lines the kinerja tests share, written straight to the registry with a seeder
(``tests/kinerja/test_evaluations_seed.Seeder``, passed in): a unit headed by a JPT, an ADMINISTRATOR under the
head (a pejabat penilai, issue 16) and staff under the administrator."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Protocol


class Seeds(Protocol):
    """What :func:`reporting_line` needs of a seeder."""

    @staticmethod
    def nip(i: int) -> str: ...

    async def unit(self, code: str, parent: uuid.UUID | None = None) -> uuid.UUID: ...

    async def employee(
        self, nip: str, unit: uuid.UUID, supervisor: str | None, *, position_type: str = ...
    ) -> str: ...

    async def anchor(self) -> None: ...


async def reporting_line(
    seed: Seeds,
    code: str,
    *,
    head: int = 1,
    boss: int = 2,
    staff: Sequence[int] = (3, 4, 5),
    anchor: bool = True,
) -> dict[str, Any]:
    """Unit ``code``; ``seed.nip(head)`` (JPT) heads it, ``seed.nip(boss)`` (ADMINISTRATOR) answers to the head,
    the ``staff`` (PELAKSANA) to the administrator. ``anchor``: everyone gets an approved 2025 and 2026 SKP.
    Returns ``{"unit", "head", "boss", "staff": [...]}``."""
    unit = await seed.unit(code)
    head_nip = await seed.employee(seed.nip(head), unit, None, position_type="JPT")
    boss_nip = await seed.employee(seed.nip(boss), unit, head_nip, position_type="ADMINISTRATOR")
    team = [await seed.employee(seed.nip(i), unit, boss_nip) for i in staff]
    if anchor:
        await seed.anchor()
    return {"unit": unit, "head": head_nip, "boss": boss_nip, "staff": team}
