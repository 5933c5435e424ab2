"""Timestamps as the API writes them: RFC 3339 in UTC with ``T`` and ``Z`` (``2026-03-31T17:00:00Z``,
docs/api-contract: "timestamps ISO-8601 UTC").

Pydantic already writes an aware UTC ``datetime`` field that way. What it cannot reach are timestamps inside
free-form JSON (``dict[str, Any]``): change-log ``data`` and audit ``before``/``after``. Those were written
with ``json.dumps(default=str)``, which gives ``2026-12-02 11:37:50+00:00``. :func:`json_default` writes new
ones correctly; :func:`normalise` rewrites old ones on the way out (audit rows are never rewritten in place:
their hashes cover the stored text) and in the change-log data migration.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

# An instant with a UTC offset, as str(datetime) or isoformat() write it; dates alone are left as they are.
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})")
RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z")


def format_instant(instant: datetime) -> str:
    """``instant`` in UTC as RFC 3339 with ``Z`` (a naive value is taken as UTC, as PostgreSQL stores it)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def json_default(value: Any) -> str:
    """``json.dumps`` default: datetimes in RFC 3339 UTC, everything else (dates, UUIDs, decimals) as str."""
    if isinstance(value, datetime):
        return format_instant(value)
    return str(value)


def normalise(value: Any) -> Any:
    """A copy of a JSON value with every string that is a whole timestamp rewritten to RFC 3339 UTC."""
    if isinstance(value, str):
        if _INSTANT.fullmatch(value) and not RFC3339_UTC.fullmatch(value):
            return format_instant(datetime.fromisoformat(value))
        return value
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def sql_instant(column: str) -> str:
    """A SQL expression writing the ``timestamptz`` ``column`` as :func:`format_instant` does (fraction only
    when there is one), for data migrations that build JSON in SQL."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL ELSE to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN to_char({utc}, 'US') = '000000' THEN '' ELSE '.' || to_char({utc}, 'US') END"
        " || 'Z' END"
    )
