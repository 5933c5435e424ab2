"""The embeddable widget: /embed/widget.js (a script tag plus a data-unit div) and /embed/units/{unit_id}
(an iframe page). Static files, no cookies; the iframe page may only be framed by the hosts allowed in
settings (CSP frame-ancestors, added by the cache layer). Served from the public cache like the API reads."""

from __future__ import annotations

import uuid
from functools import cache
from pathlib import Path

from fastapi import Response

from services.common.errors import problem_responses
from services.common.routing import ServiceRouter

router = ServiceRouter(prefix="/embed", tags=["embed"])
STATIC = Path(__file__).parent / "static"
# Declared so client generators type the body (as text) instead of leaving the response out.
_TEXT = {"type": "string"}


@cache
def asset(name: str) -> bytes:
    """A static asset's bytes (read once per process)."""
    return (STATIC / name).read_bytes()


@router.get(
    "/widget.js",
    summary="The widget script",
    operation_id="embed_widget_js",
    response_class=Response,
    responses={200: {"content": {"text/javascript": {"schema": _TEXT}}, "description": "The widget"}},
)
async def widget_js() -> Response:
    """Renders every `<div data-unit="UUID">` on the page as the unit's scorecard (Bahasa Indonesia)."""
    return Response(asset("widget.js"), media_type="text/javascript; charset=utf-8")


@router.get(
    "/widget.css",
    summary="The widget stylesheet",
    operation_id="embed_widget_css",
    response_class=Response,
    responses={200: {"content": {"text/css": {"schema": _TEXT}}, "description": "The widget's styles"}},
)
async def widget_css() -> Response:
    """Styles of the widget (loaded by the script)."""
    return Response(asset("widget.css"), media_type="text/css; charset=utf-8")


@router.get(
    "/units/{unit_id}",
    summary="The iframe page of a unit",
    operation_id="embed_unit_page",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {"schema": _TEXT}}, "description": "An HTML page"},
        **problem_responses(422),
    },
)
async def unit_page(unit_id: uuid.UUID) -> Response:
    """A small page showing one unit's scorecard, for an `<iframe>`; framing is limited by CSP
    frame-ancestors to the configured hosts. The id is a parsed UUID, so nothing unescaped reaches the page."""
    html = asset("unit.html").replace(b"{{UNIT_ID}}", str(unit_id).encode())
    return Response(html, media_type="text/html; charset=utf-8")
