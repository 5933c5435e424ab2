"""Body-size limit of the JSON routes.

The common EdgeMiddleware enforces one limit for the whole app; kinerja raises it to ``import_max_bytes``
so the CSV import can receive large files (config.py). This dependency gives every JSON route back the
ordinary limit, judged on the announced Content-Length (the edge still caps what is read at ``import_max_bytes``).
"""

from __future__ import annotations

from fastapi import Request

from services.common.errors import ProblemError


class BodyTooLarge(ProblemError):
    """The request body is larger than this route accepts."""

    status, slug = 413, "content-too-large"


async def json_body_limit(request: Request) -> None:
    """413 when a JSON request announces a body above ``json_max_body_bytes``."""
    limit: int = getattr(request.app.state.settings, "json_max_body_bytes", 1_048_576)
    raw = request.headers.get("content-length")
    if raw is not None and raw.isdigit() and int(raw) > limit:
        raise BodyTooLarge(f"The body is larger than {limit} bytes.")
