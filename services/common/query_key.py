"""The normalised query string of a cacheable read, so a cache keys on what the operation actually reads.

A shared cache keyed on the raw query string grows by one entry per distinct junk parameter
(``?feed&x=1``, ``?feed&x=2`` ...) and a flood of such requests pushes every useful entry out. The key is
therefore built from the parameters the operation *declares* in its OpenAPI only: unknown ones are dropped,
known ones sorted, a missing one with a default takes the default, and a scalar given twice keeps the last
value (what FastAPI passes to the handler). The same normalised string is what the handler gets to see on a
miss, so the stored answer is exactly the answer to the key.

Both publik's own cache (from its app's OpenAPI) and the gateway's (from publik's served OpenAPI) use this
module, so the two agree on what a parameter is.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

MEMO_ENTRIES = 1024
MEMO_MAX_QUERY = 512


@dataclass(frozen=True)
class QueryParam:
    """One declared query parameter: its name, its default as query text (None: no default), and whether it
    may repeat (an array)."""

    name: str
    default: str | None = None
    multi: bool = False


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _is_array(schema: Mapping[str, Any]) -> bool:
    if schema.get("type") == "array":
        return True
    return any(_is_array(s) for s in schema.get("anyOf", ()) if isinstance(s, Mapping))


@dataclass(frozen=True)
class KnownQuery:
    """The declared query parameters of one operation."""

    params: tuple[QueryParam, ...] = ()
    # Raw query -> normalised, least recently used out first: a repeated read (the cache hit) costs a dict
    # lookup here instead of parsing; a flood of junk only churns this memo, never the caller's cache.
    _memo: OrderedDict[bytes, bytes] = field(default_factory=OrderedDict, compare=False, repr=False)

    @classmethod
    def of(cls, params: Iterable[QueryParam]) -> KnownQuery:
        """Sorted by name, so the normalised string does not depend on declaration order."""
        return cls(params=tuple(sorted(params, key=lambda p: p.name)))

    @cached_property
    def defaults(self) -> bytes:
        """The normalised form of an empty query (computed once: the commonest read has no query)."""
        return self._normalise(b"")

    def normalise(self, raw: bytes) -> bytes:
        """``raw`` (a request's query string) reduced to the declared parameters, sorted, defaults applied.

        Decoded like Starlette does (latin-1, then percent-decoding as UTF-8), so the handler reads from the
        result exactly the values it would have read from ``raw``."""
        if not raw:
            return self.defaults
        memo = self._memo
        known = memo.get(raw)
        if known is not None:
            memo.move_to_end(raw)
            return known
        known = self._normalise(raw)
        if len(raw) <= MEMO_MAX_QUERY:
            memo[raw] = known
            if len(memo) > MEMO_ENTRIES:
                memo.popitem(last=False)
        return known

    def _normalise(self, raw: bytes) -> bytes:
        if not self.params:
            return b""
        given: dict[str, list[str]] = {}
        if raw:
            for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
                given.setdefault(name, []).append(value)
        pairs: list[tuple[str, str]] = []
        for p in self.params:
            values = given.get(p.name)
            if values is None:
                if p.default is not None:
                    pairs.append((p.name, p.default))
            elif p.multi:
                pairs.extend((p.name, v) for v in values)
            else:
                pairs.append((p.name, values[-1]))
        return urlencode(pairs, quote_via=quote).encode("ascii")


_TEMPLATE = re.compile(r"\{[^/{}]+\}")


class RouteQueries:
    """Which query parameters each GET path declares, looked up by the concrete request path."""

    def __init__(self, exact: dict[str, KnownQuery], templated: list[tuple[re.Pattern[str], KnownQuery]]):
        self.exact = exact
        self.templated = templated

    @classmethod
    def from_openapi(cls, spec: Mapping[str, Any], prefix: str = "") -> RouteQueries:
        """From an OpenAPI document's GET operations; ``prefix`` is prepended to every path (the gateway
        sees publik's ``/v1/feed`` as ``/publik/v1/feed``)."""
        exact: dict[str, KnownQuery] = {}
        templated: list[tuple[re.Pattern[str], KnownQuery]] = []
        for path, item in (spec.get("paths") or {}).items():
            op = item.get("get") if isinstance(item, Mapping) else None
            if not isinstance(op, Mapping):
                continue
            declared = [*item.get("parameters", ()), *op.get("parameters", ())]
            known = KnownQuery.of(
                QueryParam(
                    name=str(p["name"]),
                    default=_as_text((p.get("schema") or {}).get("default")),
                    multi=_is_array(p.get("schema") or {}),
                )
                for p in declared
                if isinstance(p, Mapping) and p.get("in") == "query" and "name" in p
            )
            full = prefix + path
            if _TEMPLATE.search(full):
                pieces = _TEMPLATE.split(full)
                pattern = "[^/]+".join(re.escape(piece) for piece in pieces)
                templated.append((re.compile(f"^{pattern}$"), known))
            else:
                exact[full] = known
        return cls(exact, templated)

    def lookup(self, path: str) -> KnownQuery | None:
        """The operation's declared parameters, or None when no GET operation has this path."""
        known = self.exact.get(path)
        if known is not None:
            return known
        for pattern, candidate in self.templated:
            if pattern.match(path):
                return candidate
        return None
