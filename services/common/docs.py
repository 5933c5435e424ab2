"""Swagger UI (``/docs``) and ReDoc (``/redoc``) served entirely by the app itself, for intranets without
outside access: the assets are the copies packaged in ``fastapi-offline`` (Swagger UI, Apache-2.0; ReDoc, MIT;
their licence notices are kept at the top of each bundle), plus our own start-up script, served under
``/docs-assets/``. Every URL in the pages is same-origin and built with the caller's X-Forwarded-Prefix, so
``/kinerja/docs`` through the gateway loads kinerja's own spec. No inline script: the pages run under a
Content-Security-Policy that allows only this origin (plus inline styles, which both UIs inject)."""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse

from services.common.links import link

ASSETS_PATH = "/docs-assets"
_PACKAGED = Path(fastapi_offline.__file__).parent / "static"
_OURS = Path(__file__).parent / "docs_assets"
ASSETS: dict[str, tuple[Path, str]] = {
    "swagger-ui-bundle.js": (_PACKAGED / "swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": (_PACKAGED / "swagger-ui.css", "text/css"),
    "redoc.standalone.js": (_PACKAGED / "redoc.standalone.js", "text/javascript"),
    "favicon.png": (_PACKAGED / "favicon.png", "image/png"),
    "swagger-init.js": (_OURS / "swagger-init.js", "text/javascript"),
}
_CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; object-src 'none'; frame-ancestors 'none'"
)
_OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def _page(title: str, head: str, body: str) -> HTMLResponse:
    html = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n{head}</head>\n<body>\n{body}</body>\n</html>\n"
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": _CSP})


def install_docs(app: FastAPI) -> None:
    """Add /docs, /docs/oauth2-redirect, /redoc and /docs-assets/{name} (hidden from the spec). Build the app
    with ``docs_url=None, redoc_url=None`` so FastAPI's CDN pages are not registered too."""

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        assets = link(request.scope, ASSETS_PATH)
        spec = escape(link(request.scope, "/openapi.json"))
        redirect = escape(link(request.scope, _OAUTH2_REDIRECT))
        head = (
            f'<link rel="stylesheet" href="{assets}/swagger-ui.css">\n'
            f'<link rel="icon" type="image/png" href="{assets}/favicon.png">\n'
        )
        body = (
            f'<div id="swagger-ui" data-openapi-url="{spec}" data-oauth2-redirect-url="{redirect}"></div>\n'
            f'<script src="{assets}/swagger-ui-bundle.js"></script>\n'
            f'<script src="{assets}/swagger-init.js"></script>\n'
        )
        return _page(f"{app.title} - Swagger UI", head, body)

    @app.get(_OAUTH2_REDIRECT, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        assets = link(request.scope, ASSETS_PATH)
        spec = escape(link(request.scope, "/openapi.json"))
        head = f'<link rel="icon" type="image/png" href="{assets}/favicon.png">\n'
        body = f'<redoc spec-url="{spec}"></redoc>\n<script src="{assets}/redoc.standalone.js"></script>\n'
        return _page(f"{app.title} - ReDoc", head, body)

    @app.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> FileResponse:
        found = ASSETS.get(name)
        if found is None:
            raise HTTPException(404)
        path, media_type = found
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})
