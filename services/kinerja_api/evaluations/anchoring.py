"""Ratings anchored to the SKP (issue 16; domain.md §11.3).

Finalising a periodic result or a part needs:

1. approved SKPs covering every day of its dates (an employee who moved has several; each covers
   ``[valid_from, valid_to)``);
2. a rating of each main (UTAMA) result of those SKPs (DI_ATAS / SESUAI / DI_BAWAH with a note);
3. an overall result rating DI_ATAS only while no main result is rated DI_BAWAH;
4. a written ``result_reason`` for a DI_BAWAH overall result rating, a ``behavior_reason`` for a DI_BAWAH
   behaviour rating;
5. a level on each of the seven BerAKHLAK values, and an overall behaviour rating equal to their median
   (the 4th of the seven in order DI_BAWAH < SESUAI < DI_ATAS), or a ``behavior_reason`` for departing.

The annual result rests on the year's periodic results, not on one SKP: rules 1-2 do not apply to it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.i18n import msg
from services.kinerja_api.calendar.periods import parse_period
from services.kinerja_api.evaluations.errors import (
    EvaluationIncomplete,
    RatingContradicts,
    ReasonRequired,
    SkpNotApproved,
)
from services.kinerja_api.evaluations.schemas import MainResultItem, MainResults, PeriodicResult
from services.kinerja_api.tables.evaluation_enums import Berakhlak, Rating
from services.kinerja_api.tables.evaluations import Evaluation


def prefill(ratings: list[Rating]) -> Rating | None:
    """The annual pre-fill from the year's periodic ratings, oldest first: the most frequent rating, a tie
    going to the one given latest (issue 16; docs/kinerja.md). None without periodic ratings."""
    if not ratings:
        return None
    counts = {r: ratings.count(r) for r in ratings}
    best = max(counts.values())
    return next(r for r in reversed(ratings) if counts[r] == best)


_PERIODIC = text(
    """
    SELECT period, result_rating, behavior_rating
      FROM kinerja.evaluation
     WHERE nip = :nip AND kind = 'RESULT' AND status = 'FINAL' AND period LIKE :prefix
     ORDER BY period
    """
)


async def periodic_results(session: AsyncSession, nip: str, year: int) -> list[tuple[str, Rating, Rating]]:
    """The FINAL periodic results of ``nip`` in ``year``, oldest first (the (nip, period) index)."""
    rows = (await session.execute(_PERIODIC, {"nip": nip, "prefix": f"{year}-%"})).all()
    return [(r.period, Rating(r.result_rating), Rating(r.behavior_rating)) for r in rows]


async def annual_prefill(
    session: AsyncSession, evaluation: Evaluation
) -> tuple[Rating | None, Rating | None]:
    """The pre-filled (result, behaviour) ratings of an annual result from the year's periodic results."""
    rows = await periodic_results(session, evaluation.nip, parse_period(evaluation.period).year)
    return prefill([r for _, r, _ in rows]), prefill([b for _, _, b in rows])


ORDER = (Rating.DI_BAWAH_EKSPEKTASI, Rating.SESUAI_EKSPEKTASI, Rating.DI_ATAS_EKSPEKTASI)


def median_level(levels: list[Rating]) -> Rating:
    """The median of the seven BerAKHLAK levels (the 4th in order DI_BAWAH < SESUAI < DI_ATAS)."""
    ranked = sorted(levels, key=ORDER.index)
    return ranked[len(ranked) // 2]


def behavior_levels(notes: dict[str, Any]) -> list[Rating] | None:
    """The seven levels when every BerAKHLAK value has one, else None."""
    levels = []
    for value in Berakhlak:
        level = (notes.get(value.value) or {}).get("level")
        if level is None:
            return None
        levels.append(Rating(level))
    return levels


@dataclass(frozen=True, slots=True)
class MainResult:
    skp_id: uuid.UUID
    skp_result_id: uuid.UUID
    text: str


_COVERING = text(
    """
    SELECT s.id AS skp_id, s.valid_from, s.valid_to, r.id AS result_id, r.text
      FROM kinerja.skp s
      LEFT JOIN kinerja.skp_result r ON r.skp_id = s.id AND r.kind = 'UTAMA'
     WHERE s.nip = :nip AND s.status = 'APPROVED' AND s.valid_from <= :end AND s.valid_to > :start
     ORDER BY s.valid_from, r.position
    """
)


async def covering(session: AsyncSession, nip: str, start: date, end: date) -> tuple[bool, list[MainResult]]:
    """Whether approved SKPs of ``nip`` cover every day of ``[start, end]``, and their main results (one
    query on the (nip, year, valid_from) key)."""
    rows = (await session.execute(_COVERING, {"nip": nip, "start": start, "end": end})).all()
    spans = sorted({(r.valid_from, r.valid_to) for r in rows})
    day = start
    for begin, until in spans:
        if begin > day:
            break
        day = max(day, until)
    covered = bool(spans) and day > end
    results = [MainResult(r.skp_id, r.result_id, r.text) for r in rows if r.result_id is not None]
    return covered, results


def anchored(evaluation: Evaluation) -> bool:
    """The SKP rules apply to periodic results and parts, not to the annual result."""
    return not parse_period(evaluation.period).is_annual


async def main_results(session: AsyncSession, evaluation: Evaluation) -> MainResults:
    """What the evaluator rates (GET /v1/evaluations/{id}/main-results)."""
    covered, results = False, list[MainResult]()
    if anchored(evaluation):
        covered, results = await covering(
            session, evaluation.nip, evaluation.period_start, evaluation.period_end
        )
    stored = evaluation.main_ratings or {}
    levels = behavior_levels(evaluation.behavior_notes or {})
    periodic: list[tuple[str, Rating, Rating]] = []
    if not anchored(evaluation):
        periodic = await periodic_results(session, evaluation.nip, parse_period(evaluation.period).year)
    return MainResults(
        periodic=[PeriodicResult(period=p, result_rating=r, behavior_rating=b) for p, r, b in periodic],
        prefill_result_rating=prefill([r for _, r, _ in periodic]),
        prefill_behavior_rating=prefill([b for _, _, b in periodic]),
        covered=covered,
        items=[
            MainResultItem(
                skp_id=r.skp_id,
                skp_result_id=r.skp_result_id,
                text=r.text,
                rating=(stored.get(str(r.skp_result_id)) or {}).get("rating"),
                note=(stored.get(str(r.skp_result_id)) or {}).get("note"),
            )
            for r in results
        ],
        behavior_median=median_level(levels) if levels else None,
    )


async def check(session: AsyncSession, evaluation: Evaluation) -> None:
    """Refuse to finalise a result or a part whose ratings are not anchored (rules in the module doc)."""
    result = Rating(evaluation.result_rating) if evaluation.result_rating else None
    behavior = Rating(evaluation.behavior_rating) if evaluation.behavior_rating else None
    if anchored(evaluation):
        covered, results = await covering(
            session, evaluation.nip, evaluation.period_start, evaluation.period_end
        )
        if not covered:
            raise SkpNotApproved(
                msg(
                    "no approved SKP of {nip} covers {start}..{end}: the employee submits an SKP for the position held and the direct supervisor approves it before the result is finalised",
                    nip=evaluation.nip,
                    start=evaluation.period_start.isoformat(),
                    end=evaluation.period_end.isoformat(),
                )
            )
        stored = evaluation.main_ratings or {}
        missing = [r for r in results if str(r.skp_result_id) not in stored]
        if missing:
            raise EvaluationIncomplete(
                msg(
                    "rate each main (UTAMA) result of the SKP before finalising (main_ratings); not rated yet: {missing}",
                    missing="; ".join(f"{r.skp_result_id} {r.text[:60]}" for r in missing),
                )
            )
        below = [
            r
            for r in results
            if stored[str(r.skp_result_id)].get("rating") == Rating.DI_BAWAH_EKSPEKTASI.value
        ]
        if result is Rating.DI_ATAS_EKSPEKTASI and below:
            raise RatingContradicts(
                msg(
                    "the result rating DI_ATAS_EKSPEKTASI needs no main result below expectation; rated DI_BAWAH_EKSPEKTASI: {below}",
                    below="; ".join(f"{r.skp_result_id} {r.text[:60]}" for r in below),
                )
            )
    else:
        # The annual result rests on the year's periodic results: departing from the pre-fill needs a reason.
        pre_result, pre_behavior = await annual_prefill(session, evaluation)
        if (
            pre_result is not None
            and result is not pre_result
            and not (evaluation.result_reason or "").strip()
        ):
            raise ReasonRequired(
                msg(
                    "the annual result rating {rating} departs from the year's periodic results ({prefill}); write result_reason",
                    rating=result.value if result else "",
                    prefill=pre_result.value,
                )
            )
        if (
            pre_behavior is not None
            and behavior is not pre_behavior
            and not (evaluation.behavior_reason or "").strip()
        ):
            raise ReasonRequired(
                msg(
                    "the annual behaviour rating {rating} departs from the year's periodic results ({prefill}); write behavior_reason",
                    rating=behavior.value if behavior else "",
                    prefill=pre_behavior.value,
                )
            )
    if result is Rating.DI_BAWAH_EKSPEKTASI and not (evaluation.result_reason or "").strip():
        raise ReasonRequired(msg("a DI_BAWAH_EKSPEKTASI result rating needs a written result_reason"))
    if behavior is Rating.DI_BAWAH_EKSPEKTASI and not (evaluation.behavior_reason or "").strip():
        raise ReasonRequired(msg("a DI_BAWAH_EKSPEKTASI behaviour rating needs a written behavior_reason"))
    levels = behavior_levels(evaluation.behavior_notes or {})
    if levels is None:
        raise EvaluationIncomplete(
            msg(
                "set the level of each of the seven BerAKHLAK values in behavior_notes before finalising; the overall behaviour rating follows from them"
            )
        )
    median = median_level(levels)
    if behavior is not None and behavior is not median and not (evaluation.behavior_reason or "").strip():
        raise ReasonRequired(
            msg(
                "the behaviour rating {rating} departs from the median of the seven BerAKHLAK levels ({median}); set it to {median} or write behavior_reason",
                rating=behavior.value,
                median=median.value,
            )
        )
