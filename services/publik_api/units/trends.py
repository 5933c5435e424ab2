"""A unit's trends: the newest published periods of each scorecard figure (one query), with their charts."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import NotFound
from services.common.i18n import msg
from services.publik_api.publications.figures import IkmFigure, JpFigure, PredikatFigure
from services.publik_api.unit_registry import repository
from services.publik_api.units import charts
from services.publik_api.units.schemas import TrendFigure, Trends, TrendTexts

DEFAULT_PERIODS = 8
MAX_PERIODS = 12


async def trends(
    session: AsyncSession, unit_id: uuid.UUID, periods: int, *, min_group_size: int, policy_version: str
) -> Trends:
    """The unit's newest ``periods`` IKM years, performance periods and JP years; 404 for an unknown unit."""
    unit = await repository.get(session, unit_id)
    if unit is None:
        raise NotFound(msg("No unit {unit_id}", unit_id=unit_id))
    found = await repository.history(session, unit_id, periods)
    ikm = [IkmFigure.of(*f) for f in found["IKM"]]
    predikat = [PredikatFigure.of(*f) for f in found["UNIT_PERFORMANCE"]]
    jp = [JpFigure.of(*f) for f in found["TRAINING_STATS"]]
    return Trends(
        unit_id=unit.id,
        unit_name=unit.name,
        periods=periods,
        ikm=ikm,
        predikat=predikat,
        jp=jp,
        text=TrendTexts(
            ikm=charts.ikm_text(ikm), predikat=charts.predikat_text(predikat), jp=charts.jp_text(jp)
        ),
        min_group_size=min_group_size,
        policy_version=policy_version,
    )


CHARTS: dict[TrendFigure, Callable[[Trends], bytes]] = {
    TrendFigure.ikm: lambda t: charts.ikm_svg(t.ikm),
    TrendFigure.predikat: lambda t: charts.predikat_svg(t.predikat),
    TrendFigure.jp: lambda t: charts.jp_svg(t.jp),
}
