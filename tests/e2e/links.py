"""Every link a client receives through the gateway, collected so a test can follow them all: ``Location``
headers, a problem's ``instance``, task ``link`` values and any ``next`` URL. Install :meth:`Links.hook` as
an httpx response hook on the client that talks to the gateway."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from services.common.apps import SERVICE_NAMES

SERVICE_PREFIXES = tuple(f"/{name}/" for name in SERVICE_NAMES)


@dataclass(frozen=True)
class Received:
    """One link and the answer that carried it."""

    kind: str  # "location", "instance", "link" or "next"
    path: str
    status: int
    request: str  # "GET /kinerja/v1/..." for the failure message


@dataclass
class Links:
    """The links seen so far, deduplicated by (kind, path)."""

    seen: dict[tuple[str, str], Received] = field(default_factory=dict)

    def hook(self, response: httpx.Response) -> None:
        """httpx response hook: record the links of one answer."""
        response.read()
        where = f"{response.request.method} {response.request.url.raw_path.decode()}"
        if "location" in response.headers:
            self._add("location", response.headers["location"], response.status_code, where)
        if not response.headers.get("content-type", "").startswith(
            ("application/json", "application/problem")
        ):
            return
        try:
            body = response.json()
        except ValueError:
            return
        self._walk(body, response.status_code, where)

    def _walk(self, value: Any, status: int, where: str) -> None:
        if isinstance(value, dict):
            for key in ("instance", "link", "next"):
                found = value.get(key)
                if isinstance(found, str) and found.startswith("/"):
                    self._add(key, found, status, where)
            for sub in value.values():
                self._walk(sub, status, where)
        elif isinstance(value, list):
            for sub in value:
                self._walk(sub, status, where)

    def _add(self, kind: str, path: str, status: int, where: str) -> None:
        self.seen.setdefault((kind, path), Received(kind, path, status, where))
