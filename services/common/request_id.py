"""The request id of the current request, kept in a contextvar so logs and outgoing calls carry it."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
HEADER = "X-Request-ID"


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    """Bind a request id to the current context (background workers use it too)."""
    _request_id.set(value)


def accept_or_generate(incoming: str | None) -> str:
    """Keep a well-formed incoming id (so a chain of calls shares one), else make a new one."""
    if incoming and _VALID.match(incoming):
        return incoming
    return uuid.uuid4().hex
