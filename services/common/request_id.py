"""The request id of the current request, kept in a contextvar so logs and outgoing calls carry it.

A new id is 32 lowercase hex digits, like ``uuid4().hex``: 16 random ones chosen once per process (again
in a forked child) followed by a 64-bit counter. Ids stay unique across processes and replicas (two
processes share a prefix with probability 2^-64) and cost a counter step instead of a ``getrandom``
call and a UUID object per request (measured: docs/benchmarks.md, "gateway-cpu"). They are correlation
ids, not secrets: a caller may send its own (``X-Request-ID``), and a well-formed one is kept.
"""

from __future__ import annotations

import itertools
import os
import re
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
HEADER = "X-Request-ID"


class _Ids:
    """Per-process random prefix + counter (reset in a forked child, which must not repeat its parent)."""

    __slots__ = ("counter", "prefix")

    def __init__(self) -> None:
        self.prefix = ""
        self.counter: itertools.count[int] = itertools.count()
        self.reseed()

    def reseed(self) -> None:
        self.prefix = os.urandom(8).hex()
        self.counter = itertools.count(int.from_bytes(os.urandom(2), "big"))

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter) & 0xFFFFFFFFFFFFFFFF:016x}"


_IDS = _Ids()
os.register_at_fork(after_in_child=_IDS.reseed)


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    """Bind a request id to the current context (background workers use it too)."""
    _request_id.set(value)


def new_request_id() -> str:
    """A fresh id: 32 lowercase hex digits, unique across processes (see the module's docstring)."""
    return _IDS.next()


def accept_or_generate(incoming: str | None) -> str:
    """Keep a well-formed incoming id (so a chain of calls shares one), else make a new one."""
    if incoming and _VALID.match(incoming):
        return incoming
    return _IDS.next()
