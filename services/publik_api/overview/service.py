"""The province overview, assembled from what is already published: each figure is the public form that the
disclosure rules (publications/suppression.py) chose when its item was published, so the overview reveals
nothing the items themselves do not, and no individual's rating."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from services.publik_api.overview import repository
from services.publik_api.overview.schemas import Overview, OverviewUnit
from services.publik_api.publications.figures import IkmFigure, JpFigure, PredikatFigure, Published

# Bengkulu has a few dozen OPD and their UPTs; the cap keeps one read bounded whatever the table holds.
MAX_UNITS = 1000
F = TypeVar("F", IkmFigure, PredikatFigure, JpFigure)


def _figure(cls: type[F], found: Published | None) -> F | None:
    return None if found is None else cls.of(found.period, found.public, found.suppressed)


async def overview(session: AsyncSession, *, min_group_size: int, policy_version: str) -> Overview:
    """Every unit's newest published IKM, predikat spread, JP compliance, innovations and last change (two
    statements, whatever the number of units)."""
    rows = await repository.units(session, MAX_UNITS + 1)
    latest = await repository.latest(session)
    return Overview(
        units=[
            OverviewUnit(
                unit_id=u.id,
                code=u.code,
                name=u.name,
                parent_id=u.parent_id,
                ikm=_figure(IkmFigure, latest.get((u.id, "IKM"))),
                predikat=_figure(PredikatFigure, latest.get((u.id, "UNIT_PERFORMANCE"))),
                jp=_figure(JpFigure, latest.get((u.id, "TRAINING_STATS"))),
                innovations=u.innovations,
                last_update=u.last_update,
            )
            for u in rows[:MAX_UNITS]
        ],
        truncated=len(rows) > MAX_UNITS,
        min_group_size=min_group_size,
        policy_version=policy_version,
    )
