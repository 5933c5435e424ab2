"""Queries of SKM responses: aggregates in SQL, the one-answer-per-token insert, the IKM feed item."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.publik_api.models.publications import Item
from services.publik_api.models.surveys import UNSUR_COLUMNS, SurveyResponse


async def sums(
    session: AsyncSession, unit_id: uuid.UUID, year: int
) -> tuple[int, list[int], datetime | None]:
    """(respondents, per-unsur answer sums, newest answer time) for a unit and year, in one query."""
    cols = [func.coalesce(func.sum(getattr(SurveyResponse, c)), 0) for c in UNSUR_COLUMNS]
    row = (
        await session.execute(
            select(func.count(), func.max(SurveyResponse.submitted_at), *cols).where(
                SurveyResponse.unit_id == unit_id, SurveyResponse.year == year
            )
        )
    ).one()
    return int(row[0]), [int(v) for v in row[2:]], row[1]


def scope(
    unit_id: uuid.UUID,
    *,
    year: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    service_id: uuid.UUID | None = None,
) -> list[ColumnElement[bool]]:
    """The WHERE terms of a unit's answers: a WIB year, an instant range [since, until), a service."""
    terms: list[ColumnElement[bool]] = [SurveyResponse.unit_id == unit_id]
    if year is not None:
        terms.append(SurveyResponse.year == year)
    if since is not None:
        terms.append(SurveyResponse.submitted_at >= since)
    if until is not None:
        terms.append(SurveyResponse.submitted_at < until)
    if service_id is not None:
        terms.append(SurveyResponse.service_id == service_id)
    return terms


async def sums_in(
    session: AsyncSession, terms: list[ColumnElement[bool]]
) -> tuple[int, list[int], datetime | None]:
    """(respondents, per-unsur sums, newest answer time) of the answers matching ``terms``, in one query."""
    cols = [func.coalesce(func.sum(getattr(SurveyResponse, c)), 0) for c in UNSUR_COLUMNS]
    row = (
        await session.execute(
            select(func.count(), func.max(SurveyResponse.submitted_at), *cols).where(*terms)
        )
    ).one()
    return int(row[0]), [int(v) for v in row[2:]], row[1]


async def profile_counts(
    session: AsyncSession, terms: list[ColumnElement[bool]], columns: list[str]
) -> dict[str, dict[str | None, int]]:
    """Per profile column, the number of answers per value (None = not given)."""
    out: dict[str, dict[str | None, int]] = {}
    for name in columns:
        col = getattr(SurveyResponse, name)
        rows = (await session.execute(select(col, func.count()).where(*terms).group_by(col))).all()
        out[name] = {r[0]: int(r[1]) for r in rows}
    return out


async def sums_by_unit_year(
    session: AsyncSession, keys: list[tuple[uuid.UUID, int]] | None
) -> list[tuple[uuid.UUID, int, int, list[int]]]:
    """(unit, year, respondents, per-unsur sums) for the given (unit, year) pairs, or for all, in one query."""
    cols = [func.sum(getattr(SurveyResponse, c)) for c in UNSUR_COLUMNS]
    stmt = select(SurveyResponse.unit_id, SurveyResponse.year, func.count(), *cols).group_by(
        SurveyResponse.unit_id, SurveyResponse.year
    )
    if keys is not None:
        stmt = stmt.where(tuple_(SurveyResponse.unit_id, SurveyResponse.year).in_(keys))
    rows = (await session.execute(stmt)).all()
    return [(r[0], int(r[1]), int(r[2]), [int(v) for v in r[3:]]) for r in rows]


async def insert_response(session: AsyncSession, **values: Any) -> uuid.UUID | None:
    """Insert one response; None when its form nonce was already used (the unique constraint decides, so two
    replicas racing with one token store one answer, and the transaction stays usable)."""
    stmt = (
        insert(SurveyResponse)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[SurveyResponse.form_nonce])
        .returning(SurveyResponse.id)
    )
    result: uuid.UUID | None = (await session.execute(stmt)).scalar_one_or_none()
    return result


async def upsert_ikm_item(
    session: AsyncSession,
    unit_id: uuid.UUID,
    year: int,
    public: dict[str, Any],
    policy_version: str,
    now: datetime,
) -> bool:
    """The unit's IKM feed item for the year: live (citizen answers need no approval), updated in place.
    Returns whether anything public changed (an unchanged IKM leaves the row, and every cache, alone)."""
    stmt = insert(Item).values(
        id=uuid.uuid4(),
        kind="IKM",
        unit_id=unit_id,
        period=str(year),
        slug="",
        data=public,
        public_data=public,
        suppressed=[],
        policy_version=policy_version,
        data_as_of=now,
        version=1,
        created_at=now,
        updated_at=now,
        published_at=now,
    )
    upsert = stmt.on_conflict_do_update(
        index_elements=[Item.kind, Item.unit_id, Item.period, Item.slug],
        set_={"data": public, "public_data": public, "updated_at": now, "data_as_of": now},
        where=Item.public_data.is_distinct_from(stmt.excluded.public_data),
    ).returning(Item.id)
    return (await session.execute(upsert)).first() is not None
