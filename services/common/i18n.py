"""Problem messages in English and Bahasa Indonesia: the message type, the catalogues, and language choice.

A detail is written once, in English, as a template with named parameters: ``msg("No unit {id}", id=...)``.
The result is a :class:`Message`, a ``str`` holding the English text, so code (and tests) that treat a detail
as text keep working; it also remembers its template and parameters, so the problem renderer
(``services/common/errors.py``) can look the template up in the app's :class:`Catalogue` and answer in
Indonesian when the request's ``Accept-Language`` prefers it. A template the catalogue does not hold falls
back to English; tests/common/test_i18n.py makes sure every template and every problem type of each app has
its Indonesian entry.

The language of the request is kept in a contextvar set by the edge middleware (like the request id), so
pure-ASGI code (the gateway's proxy and rate limiter, the body-size limit) renders in the same language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from string import Formatter
from typing import Any

ENGLISH = "en"
INDONESIAN = "id"
SUPPORTED = (ENGLISH, INDONESIAN)
DEFAULT_LANGUAGE = ENGLISH


class Message(str):
    """A detail in English that remembers its template and parameters, so it can be said in Indonesian too.

    ``str(message)`` and every string operation see the English text.
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Message:
        text = template.format(**params) if params else template
        obj = super().__new__(cls, text)
        obj.template = template
        obj.params = params
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        # Keeps the template through pickling/copying (exceptions are copied by some test tools).
        return (_rebuild, (self.template, self.params))


def _rebuild(template: str, params: dict[str, Any]) -> Message:
    return Message(template, **params)


class Joined(Message):
    """Several messages joined by a separator (a list of reasons), each translated on its own."""

    separator: str
    parts: tuple[str, ...]

    def __new__(cls, separator: str, parts: Iterable[str]) -> Joined:
        items = tuple(parts)
        obj = str.__new__(cls, separator.join(items))
        obj.template, obj.params = separator.join(items), {}
        obj.separator, obj.parts = separator, items
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (Joined, (self.separator, self.parts))


def joined(separator: str, parts: Iterable[str]) -> Joined:
    """``separator.join(parts)`` that stays translatable part by part."""
    return Joined(separator, parts)


def msg(template: str, /, **params: Any) -> Message:
    """A translatable detail: an English ``str.format`` template with named parameters."""
    return Message(template, **params)


def message_of(exc: BaseException) -> str:
    """The detail an exception was raised with, keeping a :class:`Message` (``str(exc)`` would drop the
    template and leave plain English)."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Message) else str(exc)


def template_fields(template: str) -> set[str]:
    """The parameter names a template uses (``{id}``, ``{name!r}``, ``{n:02x}`` → ``id``, ``name``, ``n``)."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


@dataclass(frozen=True)
class ProblemType:
    """One problem type: its slug (the last part of the ``type`` URI), status and what it means.

    ``meaning`` and ``action`` are English and feed docs/errors.md (what happened, what a client should do).
    """

    slug: str
    status: int
    title: str
    title_id: str
    meaning: str
    action: str


@dataclass(frozen=True)
class Catalogue:
    """One app's problem types and message templates (English template → Indonesian template)."""

    app: str
    types: Mapping[str, ProblemType] = field(default_factory=dict)
    messages: Mapping[str, str] = field(default_factory=dict)
    # The catalogue this one extends (the shared one, for every app): looked up after this one's entries.
    base: Catalogue | None = None

    def extend(self, app: str, types: Iterable[ProblemType], messages: Mapping[str, str]) -> Catalogue:
        """A catalogue for ``app`` holding its own types and messages on top of this one's."""
        own: dict[str, ProblemType] = {}
        for t in types:
            if t.slug in own:
                raise ValueError(f"problem type {t.slug} is declared twice in {app}")
            own[t.slug] = t
        return Catalogue(app, own, dict(messages), base=self)

    def problem_type(self, slug: str) -> ProblemType | None:
        """The declared type with this slug, own first, then the base's."""
        found = self.types.get(slug)
        if found is None and self.base is not None:
            return self.base.problem_type(slug)
        return found

    def indonesian(self, template: str) -> str | None:
        """The Indonesian template for an English one, own first, then the base's."""
        found = self.messages.get(template)
        if found is None and self.base is not None:
            return self.base.indonesian(template)
        return found

    def all_types(self) -> dict[str, ProblemType]:
        """Every type this catalogue answers with, the base's included."""
        merged = dict(self.base.all_types()) if self.base is not None else {}
        merged.update(self.types)
        return merged

    def all_messages(self) -> dict[str, str]:
        """Every template this catalogue translates, the base's included."""
        merged = dict(self.base.all_messages()) if self.base is not None else {}
        merged.update(self.messages)
        return merged

    def title(self, slug: str, status: int, language: str) -> str | None:
        """The title of a problem type in ``language``; None when the type is not declared."""
        t = self.problem_type(slug)
        if t is None:
            return None
        return t.title_id if language == INDONESIAN else t.title

    def detail(self, detail: str, language: str) -> str:
        """``detail`` in ``language``: a :class:`Message` (or plain text equal to a template without
        parameters) is translated when the catalogue knows its template; anything else stays as it is."""
        if language != INDONESIAN:
            return str(detail)
        if isinstance(detail, Joined):
            return detail.separator.join(self.detail(p, language) for p in detail.parts)
        if isinstance(detail, Message):
            target = self.indonesian(detail.template)
            if target is None:
                return str(detail)
            params = {
                k: self.detail(v, language) if isinstance(v, Message) else v for k, v in detail.params.items()
            }
            return target.format(**params) if params else target
        target = self.indonesian(str(detail))
        return target if target is not None and not template_fields(target) else str(detail)


# The request's (language, catalogue), bound together: one contextvar write per request, not two.
_binding: ContextVar[tuple[str, Catalogue | None]] = ContextVar("i18n", default=(DEFAULT_LANGUAGE, None))


def current_language() -> str:
    """The language the current request's problems are written in (``en`` outside a request)."""
    return _binding.get()[0]


def current_catalogue() -> Catalogue | None:
    """The catalogue of the app serving the current request (None outside a request)."""
    return _binding.get()[1]


def bind(language: str, catalogue: Catalogue | None) -> None:
    """Bind the request's language and its app's catalogue to the current context (the edge middleware)."""
    _binding.set((language, catalogue))


_Q = re.compile(r"^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$", re.IGNORECASE)
_RANGE = re.compile(r"^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$")
# ISO 639 withdrew "in" for Indonesian in 1989, but Java's Locale and older Android still send it.
_ALIASES = {"in": INDONESIAN}


def negotiate(accept_language: str | None, supported: tuple[str, ...] = SUPPORTED) -> str:
    """The supported language the ``Accept-Language`` header prefers (RFC 9110 §12.5.4, ranges matched by
    RFC 4647 lookup: ``id-ID`` falls back to ``id``); English when none is acceptable or the header is absent.

    Each supported language takes the quality of the most specific range that names it, ``*`` only when no
    range does; ``q=0`` refuses it. The highest quality wins; a tie goes to the range listed first, and a
    language named explicitly beats one reached only through ``*``.
    """
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranges: list[tuple[str, float]] = []
    for item in accept_language.split(","):
        parts = [p.strip() for p in item.split(";")]
        tag = parts[0]
        if not tag or not _RANGE.match(tag):
            continue
        quality = 1.0
        bad = False
        for param in parts[1:]:
            if not param:
                continue
            m = _Q.match(param.replace(" ", ""))
            if m is None:
                if param.lower().startswith("q"):
                    bad = True  # a malformed weight: ignore the range rather than guess its weight
                continue
            quality = float(m.group(0)[2:])
        if not bad:
            ranges.append((tag.lower(), quality))
    best: tuple[float, int, int] | None = None  # (quality, named explicitly, -position)
    choice = DEFAULT_LANGUAGE
    for lang in supported:
        chosen: tuple[int, int, float] | None = None  # (specificity, -position, quality)
        for position, (tag, q) in enumerate(ranges):
            primary = tag.split("-", 1)[0]
            if tag == "*":
                specificity = 0
            elif _ALIASES.get(primary, primary) == lang:
                specificity = len(tag.split("-"))
            else:
                continue
            if chosen is None or specificity > chosen[0]:
                chosen = (specificity, -position, q)
        if chosen is None or chosen[2] <= 0:
            continue
        candidate = (chosen[2], 1 if chosen[0] > 0 else 0, chosen[1])
        if best is None or candidate > best:
            best, choice = candidate, lang
    return choice
