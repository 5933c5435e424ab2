"""Keyset pagination: ``?limit=`` (1-200, default 50) and an opaque ``?cursor=`` (api-contract §1)."""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import Executable, Row

from services.common.db import Reader, read_rendered
from services.common.errors import InvalidInput
from services.common.i18n import msg

T = TypeVar("T")

LimitQuery = Annotated[int, Query(ge=1, le=200, description="Page size (1-200).")]
CursorQuery = Annotated[
    str | None, Query(max_length=512, description="Opaque cursor from the previous page's next_cursor.")
]
DEFAULT_LIMIT = 50


class Page(BaseModel, Generic[T]):
    """One page of a list; ``next_cursor`` is null on the last page."""

    items: list[T]
    next_cursor: str | None = Field(default=None, description="Pass as ?cursor= to get the next page.")


M = TypeVar("M", bound=BaseModel)


def page_response(model: type[M], rows: Iterable[Row[Any]], next_cursor: str | None) -> Response:
    """A page of Core rows as the JSON of ``Page[model]``, validated once and serialised once by pydantic-core.

    For hot list routes (declare ``response_model=Page[model]`` for the OpenAPI). Returning the ``Page``
    instead made FastAPI validate the 50 items a second time against the response model and serialise them
    after; and validating from a plain dict costs a third of validating from the row's attributes (issue 21,
    docs/benchmarks.md).
    """
    return json_response(page_json(model, rows, next_cursor))


def json_response(body: bytes) -> Response:
    """An encoded JSON answer (:func:`page_json`, :func:`read_page`) as the route's response."""
    return Response(body, media_type="application/json")


def page_json(model: type[M], rows: Iterable[Row[Any]], next_cursor: str | None) -> bytes:
    """The JSON of ``Page[model]`` for a page of Core rows (:func:`page_response`)."""
    rows = list(rows)
    fields = rows[0]._fields if rows else ()
    # One validation call for the whole page: per-item ``model_validate`` calls cost a seventh more.
    page = Page[model].model_validate(  # type: ignore[valid-type]
        {"items": [dict(zip(fields, row, strict=True)) for row in rows], "next_cursor": next_cursor}
    )
    # bytes straight from pydantic-core (model_dump_json decodes them into a str first)
    return page.__pydantic_serializer__.to_json(page, by_alias=True)


def _render_page(model: type[M], limit: int, cursor_columns: tuple[str, ...], rows: list[Any]) -> bytes:
    page, next_cursor = page_of(rows, limit, lambda row: [row[name] for name in cursor_columns])
    return page_json(model, page, next_cursor)


async def read_page(
    db: Reader,
    statement: Executable,
    params: Mapping[str, Any],
    *,
    model: type[M],
    limit: int,
    cursor_columns: tuple[str, ...],
) -> bytes:
    """The JSON of ``Page[model]`` from a keyset statement that reads ``limit + 1`` rows (the next cursor made of
    the last item's ``cursor_columns``). On the read path the encoded page is kept and served again while no
    write to the tables it reads has committed (services/common/readcache.py): the same viewer's same page
    costs a shared read of those tables' change marks instead of the statement, the decoding and the encoding."""
    render = functools.partial(_render_page, model, limit, cursor_columns)
    return await read_rendered(db, statement, params, render, (model, limit, cursor_columns))


def encode_cursor(values: list[Any]) -> str:
    """Wrap the sort key of the last row in an opaque, URL-safe token."""
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    """The sort key from a cursor, or 422 when it is not one of ours."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            msg("cursor is not valid"), errors=[{"loc": ["query", "cursor"], "msg": "bad cursor"}]
        ) from exc
    if not isinstance(values, list) or len(values) != arity:
        raise InvalidInput(
            msg("cursor is not valid"), errors=[{"loc": ["query", "cursor"], "msg": "bad cursor"}]
        )
    return values


def page_of(rows: list[T], limit: int, key: Any) -> tuple[list[T], str | None]:
    """Given ``limit + 1`` rows, the page and the next cursor built from ``key(last_row)``."""
    if len(rows) > limit:
        page = rows[:limit]
        return page, encode_cursor(list(key(page[-1])))
    return rows, None
