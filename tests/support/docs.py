"""The URLs a /docs or /redoc page references (the offline-docs checks of the services and the gateway)."""

from __future__ import annotations

import re

_URL = re.compile(r"""(?:src|href|spec-url|data-openapi-url|data-oauth2-redirect-url)="([^"]+)\"""")


def referenced(html: str) -> list[str]:
    """Every URL in a docs page; any absolute (other-origin) URL anywhere in it is reported too."""
    outside = re.findall(r"""["'(]((?:https?:)?//[^"')]+)""", html)
    return outside + _URL.findall(html)
