"""Shared report plumbing: content negotiation (JSON by default; CSV for ``Accept: text/csv`` or ``?format=csv``;
XLSX for ``?format=xlsx`` or its media type), the CSV and XLSX writers driven by a declared column list, the
metadata every report carries, and the OpenAPI pieces that describe a report (the media types, the ``format``
and ``dialect`` query parameters, and the ``x-report`` extension the gateway's catalogue is built from).

A report declares *rows* (a JSON path to a list in its body, or the whole body as one row) and *columns*
(dotted paths into one row, each with a type). CSV and XLSX have exactly those columns, one line per row;
nested objects are flattened with dotted names and a list inside a row is written as compact JSON text, so a
client that parses any of the media types gets the same cells. The metadata (``schema_version``,
``generated_at``, ``data_as_of``) is in the JSON body, for CSV and XLSX in ``X-Report-*`` response headers,
and in the XLSX also on a second sheet.

Spreadsheet safety (OWASP "CSV injection"): a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return is written with a leading ``'`` in CSV (both dialects) and XLSX, so Excel and
LibreOffice show it as text instead of evaluating it. Numbers are typed by their column and never touched,
so a negative figure stays a number.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

import xlsxwriter
from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from services.common import clock
from services.common.errors import ProblemError
from services.common.i18n import msg

CSV = "text/csv"
JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = (JSON, CSV, XLSX)
# OWASP's list of leading characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class ReportFormat(StrEnum):
    """``?format=``: which representation to send (overrides Accept negotiation)."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


class CsvDialect(StrEnum):
    """``?dialect=`` for CSV. Without it the CSV is RFC 4180 (``,``, decimal point, no BOM) for integrators."""

    EXCEL_ID = "excel-id"


_MEDIA_OF = {ReportFormat.JSON: JSON, ReportFormat.CSV: CSV, ReportFormat.XLSX: XLSX}


class NotAcceptable(ProblemError):
    """The caller's Accept header allows none of the report's media types (or not the one asked for)."""

    status, slug = 406, "not-acceptable"


class ReportMeta(BaseModel):
    """The three fields every report's JSON carries."""

    schema_version: str = Field(
        description="The report's schema version; a breaking change to its columns increments it.",
        examples=["1"],
    )
    generated_at: datetime = Field(description="When this answer was computed (UTC).")
    data_as_of: datetime | None = Field(
        description="The newest change the figures include (see each report for how it is measured); null "
        "when the report has no rows."
    )


def meta(schema_version: str, data_as_of: datetime | None = None, *, live: bool = False) -> dict[str, Any]:
    """The metadata fields; ``live`` reports (computed from current state, with no per-row change time)
    give ``data_as_of`` = ``generated_at``."""
    now = clock.now()
    return {
        "schema_version": schema_version,
        "generated_at": now,
        "data_as_of": now if live else data_as_of,
    }


@dataclass(frozen=True)
class Column:
    """One column: a dotted path into a row, its type and what it means.

    Types: ``string``, ``integer``, ``number``, ``boolean``, ``array`` (JSON text), ``date`` and
    ``date-time`` (ISO text in CSV, real date cells in XLSX)."""

    name: str
    type: str = "string"
    description: str = ""
    # The JSON type of an array column's elements (the CSV cell holds the array as JSON text).
    items: str = "string"

    def extension(self) -> dict[str, Any]:
        """The column in ``x-report``: ``{name, type, description}``, and ``items`` for an array (linters
        read a ``type: array`` without ``items`` as an incomplete schema)."""
        out: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        if self.type == "array":
            out["items"] = {"type": self.items}
        return out


@dataclass(frozen=True)
class ReportSpec:
    """Everything the catalogue and the CSV/XLSX writers need to know about a report."""

    name: str
    schema_version: str
    columns: tuple[Column, ...]
    rows: str | None = None  # key of the row list in the JSON body; None: the body is the only row
    roles: tuple[str, ...] = ("admin", "integrator")
    data_as_of: str = ""
    csv_example: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def extension(self) -> dict[str, Any]:
        """The ``x-report`` OpenAPI extension of the report's operation."""
        return {
            "name": self.name,
            "schema_version": self.schema_version,
            "media_types": list(MEDIA_TYPES),
            "roles": list(self.roles),
            "rows": self.rows,
            "columns": [c.extension() for c in self.columns],
            "data_as_of": self.data_as_of,
        }

    def openapi_extra(self) -> dict[str, Any]:
        """For the route decorator's ``openapi_extra``."""
        return {"x-report": self.extension()}

    def responses(self) -> dict[int | str, dict[str, Any]]:
        """The 200 response's ``text/csv`` and XLSX content (merged with the JSON model FastAPI declares)."""
        example = self.csv_example or ",".join(c.name for c in self.columns) + "\r\n"
        return {
            200: {
                "description": "The report as JSON (default), CSV (`Accept: text/csv` or `?format=csv`; "
                "`&dialect=excel-id` for Excel in the Indonesian locale) or XLSX (`?format=xlsx` or its "
                "media type), same columns.",
                "content": {
                    CSV: {"schema": {"type": "string"}, "example": example},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
                "headers": {
                    "Content-Disposition": {
                        "description": "CSV and XLSX only: `attachment` with the file name.",
                        "schema": {"type": "string"},
                    },
                    "X-Report-Schema-Version": {"schema": {"type": "string"}},
                    "X-Report-Generated-At": {"schema": {"type": "string", "format": "date-time"}},
                    "X-Report-Data-As-Of": {"schema": {"type": "string", "format": "date-time"}},
                },
            }
        }


def _ranges(accept: str) -> Iterator[tuple[str, float]]:
    """The media ranges of an Accept header with their quality values (q <= 0 left out)."""
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        q = 1.0
        for param in pieces[1:]:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q > 0 and media:
            yield media, q


def _covers(media_range: str, media: str) -> bool:
    if media_range in (media, "*/*"):
        return True
    if media == JSON and media_range == "application/problem+json":
        return True
    return media_range.endswith("/*") and media.startswith(media_range[:-1])


_RANK = {JSON: 3, CSV: 2, XLSX: 1}  # on a tie of quality values JSON wins, then CSV


def negotiate(accept: str | None) -> str:
    """The media type the Accept header prefers among :data:`MEDIA_TYPES`; :class:`NotAcceptable` if none.

    Quality values are honoured; a missing header or ``*/*`` means JSON, ``text/*`` CSV."""
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, int] = (0.0, 0)
    choice: str | None = None
    for media_range, q in _ranges(accept):
        for media, rank in _RANK.items():
            if _covers(media_range, media) and (q, rank) > best:
                best, choice = (q, rank), media
    if choice is None:
        raise NotAcceptable(
            msg(
                "This report is available as {json}, {csv} or {xlsx}; the Accept header allows none of them.",
                json=JSON,
                csv=CSV,
                xlsx=XLSX,
            )
        )
    return choice


@dataclass(frozen=True)
class Negotiated:
    """What a report request asked for: the media type and, for CSV, the dialect."""

    media_type: str = JSON
    dialect: CsvDialect | None = None


def choose(accept: str | None, fmt: ReportFormat | None, dialect: CsvDialect | None) -> Negotiated:
    """``?format=`` wins over Accept (a link in a browser cannot set headers), ``?dialect=`` implies CSV; the
    Accept header must still allow the chosen type (406 otherwise). A dialect with JSON or XLSX is a 422."""
    if fmt is None and dialect is not None:
        fmt = ReportFormat.CSV
    if fmt is None:
        return Negotiated(negotiate(accept))
    media = _MEDIA_OF[fmt]
    if dialect is not None and media != CSV:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "dialect"),
                    "msg": f"dialect applies to CSV only, not to format={fmt.value}",
                    "type": "value_error",
                }
            ]
        )
    if accept and accept.strip() and not any(_covers(r, media) for r, _ in _ranges(accept)):
        raise NotAcceptable(
            msg(
                "format={format} asks for {media}, which the Accept header does not allow.",
                format=fmt.value,
                media=media,
            )
        )
    return Negotiated(media, dialect)


async def _negotiated(
    request: Request,
    fmt: Annotated[
        ReportFormat | None,
        Query(
            alias="format",
            description="`json`, `csv` or `xlsx`; overrides the Accept header (which must still allow it).",
        ),
    ] = None,
    dialect: Annotated[
        CsvDialect | None,
        Query(
            description="CSV only: `excel-id` writes a UTF-8 BOM, `;` separators and decimal commas, as Excel "
            "in the Indonesian locale expects. Omit it for RFC 4180 CSV (`,`, decimal point)."
        ),
    ] = None,
) -> Negotiated:
    return choose(request.headers.get("accept"), fmt, dialect)  # 406/422 before any work is done


ReportFormatDep = Annotated[Negotiated, Depends(_negotiated)]
"""The representation a report request asked for (``format``, ``dialect``, Accept), already checked."""


def flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``; lists stay as they are (they become JSON text in a cell)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def neutralise(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would otherwise read as a formula (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def typed(value: Any, type_: str) -> Any:
    """A JSON value as its column's type: numbers serialised as text (decimals) become numbers again and ISO
    text in a date column becomes a date; anything that does not convert stays as it was (then text)."""
    if not isinstance(value, str):
        return value
    try:
        if type_ == "integer":
            return int(value)
        if type_ == "number":
            number = Decimal(value)
            return number if number.is_finite() else value
        if type_ == "date":
            return date.fromisoformat(value)
        if type_ == "date-time":
            return datetime.fromisoformat(value)
    except (ValueError, InvalidOperation):
        return value
    return value


def cell(value: Any, dialect: CsvDialect | None = None) -> str:
    """How one value is written in a CSV cell: empty for null, true/false, lists and objects as JSON, text
    neutralised against formulas; ``excel-id`` writes decimal commas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return neutralise(json.dumps(value, separators=(",", ":"), sort_keys=True, default=str))
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        text = str(value)
        return text.replace(".", ",") if dialect is CsvDialect.EXCEL_ID else text
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def rows_of(body: Mapping[str, Any], spec: ReportSpec) -> list[dict[str, Any]]:
    """The report's rows, flattened: what the CSV carries (the contract tests use this too)."""
    raw = [body] if spec.rows is None else list(body.get(spec.rows) or [])
    return [flatten(r) for r in raw]


def _csv_lines(
    spec: ReportSpec, rows: Iterable[Mapping[str, Any]], dialect: CsvDialect | None
) -> Iterator[str]:
    buf = io.StringIO()
    if dialect is CsvDialect.EXCEL_ID:
        # The BOM tells Excel the file is UTF-8; `;` is the list separator of the Indonesian locale, whose
        # decimal separator is the comma.
        buf.write("\ufeff")
        writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    else:
        writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.name for c in spec.columns])
    for row in rows:
        writer.writerow([cell(typed(row.get(c.name), c.type), dialect) for c in spec.columns])
        if buf.tell() > 16_384:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _naive_utc(value: datetime) -> datetime:
    # Excel has no time zones: write the UTC wall time (the header and the metadata sheet say so).
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def xlsx_bytes(spec: ReportSpec, payload: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> bytes:
    """The report as one worksheet (a bold, frozen header row, typed cells, widths fitted to the content,
    an autofilter) plus a ``metadata`` sheet with the schema version and the two timestamps as dates."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            # Never let the writer turn text into formulas, URLs or numbers: the column type decides.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    datetime_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    decimal_fmt = book.add_format({"num_format": "0.00##"})
    sheet = book.add_worksheet("report")
    widths = [len(c.name) for c in spec.columns]
    for col, column in enumerate(spec.columns):
        sheet.write_string(0, col, column.name, head)
    for r, row in enumerate(rows, start=1):
        for col, column in enumerate(spec.columns):
            value = typed(row.get(column.name), column.type)
            shown = cell(value)
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, int):
                sheet.write_number(r, col, value)
            elif isinstance(value, float | Decimal):
                sheet.write_number(r, col, float(value), decimal_fmt)
            elif isinstance(value, datetime):
                sheet.write_datetime(r, col, _naive_utc(value), datetime_fmt)
                shown = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, date):
                sheet.write_datetime(r, col, datetime(value.year, value.month, value.day), date_fmt)
            else:
                sheet.write_string(r, col, shown)  # already neutralised by cell()
            widths[col] = max(widths[col], len(shown))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width + 2, 8), 60))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(spec.columns) - 1)
    about = book.add_worksheet("metadata")
    about.write_string(0, 0, "field", head)
    about.write_string(0, 1, "value", head)
    about.write_string(1, 0, "report")
    about.write_string(1, 1, spec.name)
    about.write_string(2, 0, "schema_version")
    about.write_string(2, 1, str(payload.get("schema_version", spec.schema_version)))
    for line, key in enumerate(("generated_at", "data_as_of"), start=3):
        about.write_string(line, 0, f"{key} (UTC)")
        stamp = typed(payload.get(key), "date-time")
        if isinstance(stamp, datetime):
            about.write_datetime(line, 1, _naive_utc(stamp), datetime_fmt)
    about.set_column(0, 0, 22)
    about.set_column(1, 1, 40)
    book.close()
    return out.getvalue()


async def _xlsx_body(
    spec: ReportSpec, payload: Mapping[str, Any], rows: list[dict[str, Any]]
) -> AsyncIterator[bytes]:
    # Building the zip is CPU work: keep it off the event loop.
    yield await asyncio.to_thread(xlsx_bytes, spec, payload, rows)


def report_response(
    spec: ReportSpec,
    body: BaseModel,
    fmt: Negotiated,
    *,
    filename: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Answer a report as JSON (the body), CSV or XLSX (its rows and declared columns), as negotiated."""
    payload = body.model_dump(mode="json")
    extra = dict(headers or {})
    extra["Vary"] = "Accept"
    if fmt.media_type == JSON:
        return JSONResponse(payload, headers=extra)
    extension = "xlsx" if fmt.media_type == XLSX else "csv"
    extra.update(
        {
            "Content-Disposition": f'attachment; filename="{filename}.{extension}"',
            "X-Report-Schema-Version": str(payload.get("schema_version", spec.schema_version)),
            "X-Report-Generated-At": str(payload.get("generated_at") or ""),
            "X-Report-Data-As-Of": str(payload.get("data_as_of") or ""),
        }
    )
    if fmt.media_type == XLSX:
        return StreamingResponse(
            _xlsx_body(spec, payload, rows_of(payload, spec)), media_type=XLSX, headers=extra
        )
    return StreamingResponse(
        _csv_lines(spec, rows_of(payload, spec), fmt.dialect),
        media_type="text/csv; charset=utf-8",
        headers=extra,
    )


def parse_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV report (for clients and tests)."""
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def expected_cells(
    body: Mapping[str, Any],
    spec_columns: Sequence[str | Mapping[str, Any]],
    rows: str | None,
    dialect: CsvDialect | str | None = None,
) -> list[dict[str, str]]:
    """The CSV cells a JSON body implies, given the report's ``x-report`` rows and columns (names, or the
    extension's ``{name, type}`` objects so numbers sent as decimal text are typed like the server does),
    in the default CSV or the given dialect."""
    dialect = CsvDialect(dialect) if dialect else None
    raw = [body] if rows is None else list(body.get(rows) or [])
    named = [
        (c, "string") if isinstance(c, str) else (str(c["name"]), str(c.get("type", "string")))
        for c in spec_columns
    ]
    return [{n: cell(typed(flatten(r).get(n), t), dialect) for n, t in named} for r in raw]
