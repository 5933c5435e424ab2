"""Shared report plumbing: content negotiation (JSON by default, CSV for ``Accept: text/csv``), CSV writing
from a declared column list, the metadata every report carries, and the OpenAPI pieces that describe a
report (both media types and the ``x-report`` extension the gateway's catalogue is built from).

A report declares *rows* (a JSON path to a list in its body, or the whole body as one row) and *columns*
(dotted paths into one row). The CSV has exactly those columns, one line per row; nested objects are
flattened with dotted names and a list inside a row is written as compact JSON text, so a client that
parses both media types gets the same cells. The metadata (``schema_version``, ``generated_at``,
``data_as_of``) is in the JSON body and, for CSV, in ``X-Report-*`` response headers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from services.common import clock
from services.common.errors import ProblemError

CSV = "text/csv"
JSON = "application/json"
MEDIA_TYPES = (JSON, CSV)


class NotAcceptable(ProblemError):
    """The caller's Accept header allows neither JSON nor CSV."""

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
    """One CSV column: a dotted path into a row, its JSON type and what it means."""

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
    """Everything the catalogue and the CSV writer need to know about a report."""

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

    def csv_response(self) -> dict[int | str, dict[str, Any]]:
        """The 200 response's ``text/csv`` content (merged with the JSON model FastAPI declares) and 406."""
        example = self.csv_example or ",".join(c.name for c in self.columns) + "\n"
        return {
            200: {
                "description": "The report as JSON (default) or CSV (`Accept: text/csv`), same columns.",
                "content": {CSV: {"schema": {"type": "string"}, "example": example}},
                "headers": {
                    "X-Report-Schema-Version": {"schema": {"type": "string"}},
                    "X-Report-Generated-At": {"schema": {"type": "string", "format": "date-time"}},
                    "X-Report-Data-As-Of": {"schema": {"type": "string", "format": "date-time"}},
                },
            }
        }


def wants_csv(accept: str | None) -> bool:
    """True for CSV, False for JSON; :class:`NotAcceptable` when the Accept header allows neither.

    Quality values are honoured; on a tie JSON wins, and a missing header or ``*/*`` means JSON."""
    if not accept or not accept.strip():
        return False
    best: tuple[float, int] = (0.0, 0)  # (q, preference: 2 json, 1 csv)
    choice: bool | None = None
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
        if q <= 0:
            continue
        if media in (JSON, "application/*", "*/*", "application/problem+json"):
            candidate, rank = False, 2
        elif media in (CSV, "text/*"):
            candidate, rank = True, 1
        else:
            continue
        if (q, rank) > best:
            best, choice = (q, rank), candidate
    if choice is None:
        raise NotAcceptable(f"This report is available as {JSON} or {CSV}; the Accept header allows neither.")
    return choice


def _accept(request: Request) -> str | None:
    accept = request.headers.get("accept")
    wants_csv(accept)  # 406 before any work is done
    return accept


AcceptDep = Annotated[str | None, Depends(_accept)]
"""The request's Accept header, already checked to allow JSON or CSV (else 406 problem+json)."""


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


def cell(value: Any) -> str:
    """How one value is written in a CSV cell: empty for null, true/false, lists and objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def rows_of(body: Mapping[str, Any], spec: ReportSpec) -> list[dict[str, Any]]:
    """The report's rows, flattened: what the CSV carries (the contract tests use this too)."""
    raw = [body] if spec.rows is None else list(body.get(spec.rows) or [])
    return [flatten(r) for r in raw]


def _csv_lines(spec: ReportSpec, rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([c.name for c in spec.columns])
    for row in rows:
        writer.writerow([cell(row.get(c.name)) for c in spec.columns])
        if buf.tell() > 16_384:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def report_response(
    spec: ReportSpec,
    body: BaseModel,
    accept: str | None,
    *,
    filename: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Answer a report as JSON (the body) or CSV (its rows and declared columns), by the Accept header."""
    csv_wanted = wants_csv(accept)
    payload = body.model_dump(mode="json")
    extra = dict(headers or {})
    extra["Vary"] = "Accept"
    if not csv_wanted:
        return JSONResponse(payload, headers=extra)
    extra.update(
        {
            "Content-Disposition": f'attachment; filename="{filename}.csv"',
            "X-Report-Schema-Version": str(payload.get("schema_version", spec.schema_version)),
            "X-Report-Generated-At": str(payload.get("generated_at") or ""),
            "X-Report-Data-As-Of": str(payload.get("data_as_of") or ""),
        }
    )
    return StreamingResponse(
        _csv_lines(spec, rows_of(payload, spec)), media_type="text/csv; charset=utf-8", headers=extra
    )


def parse_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV report (for clients and tests)."""
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def expected_cells(
    body: Mapping[str, Any], spec_columns: Sequence[str], rows: str | None
) -> list[dict[str, str]]:
    """The CSV cells a JSON body implies, given the report's ``x-report`` rows and columns."""
    raw = [body] if rows is None else list(body.get(rows) or [])
    return [{c: cell(flatten(r).get(c)) for c in spec_columns} for r in raw]
