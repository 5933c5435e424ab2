"""A unit's published figures as the public reads them (the overview, the trends): always built from an item's
``public_data`` and ``suppressed`` (the form the disclosure rules chose), never from what was received."""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import BaseModel, Field

from services.publik_api.publications.suppression import PREDIKAT

# SQL order of an item's periods, newest first: a year's own figure ("2026") summarises the year, so it ranks
# before the year's quarters and months (the overview and the trends both use it).
NEWEST_PERIOD_FIRST = "left(period, 4) DESC, length(period) = 4 DESC, period DESC"


class Published(NamedTuple):
    """A published item of one kind for a unit: its period and public form."""

    period: str
    public: dict[str, Any]
    suppressed: list[str]


class IkmFigure(BaseModel):
    """A unit's published IKM of a year (its IKM feed item)."""

    period: str
    respondents: int
    ikm: float | None
    mutu: str | None = Field(description="`A`-`D`.")
    kinerja: str | None

    @classmethod
    def of(cls, period: str, public: dict[str, Any], suppressed: list[str]) -> IkmFigure:
        """From an IKM item's public data."""
        return cls(
            period=period,
            respondents=int(public.get("respondents") or 0),
            ikm=public.get("ikm"),
            mutu=public.get("mutu"),
            kinerja=public.get("kinerja"),
        )


class PredikatFigure(BaseModel):
    """The predikat spread of a unit's published performance period, as published: suppressed cells are null
    and named in `suppressed`."""

    period: str
    evaluated: int | None
    counts: dict[str, int | None]
    suppressed: list[str]

    @classmethod
    def of(cls, period: str, public: dict[str, Any], suppressed: list[str]) -> PredikatFigure:
        """From a UNIT_PERFORMANCE item's public data (never its received data)."""
        counts: dict[str, Any] = public.get("counts") or {}
        return cls(
            period=period,
            evaluated=public.get("evaluated"),
            counts={p: counts.get(p) for p in PREDIKAT},
            suppressed=[s for s in suppressed if s == "evaluated" or s.startswith("counts.")],
        )


_JP_FIELDS = ("pns_total", "pns_meeting_20jp", "share_meeting_20jp")


class JpFigure(BaseModel):
    """A unit's published 20 JP compliance (PNS) of a year, as published: null where suppressed."""

    period: str
    pns_total: int | None
    pns_meeting_20jp: int | None
    share_meeting_20jp: float | None
    suppressed: list[str]

    @classmethod
    def of(cls, period: str, public: dict[str, Any], suppressed: list[str]) -> JpFigure:
        """From a TRAINING_STATS item's public data."""
        return cls(
            period=period,
            pns_total=public.get("pns_total"),
            pns_meeting_20jp=public.get("pns_meeting_20jp"),
            share_meeting_20jp=public.get("share_meeting_20jp"),
            suppressed=[s for s in suppressed if s in _JP_FIELDS],
        )
