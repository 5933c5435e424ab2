"""Conditional requests (RFC 9110 §13): the one place that reads ETag, If-Match and If-None-Match.

Rows carry a ``version`` that every change bumps; their strong ETag is that number in quotes. A write
that names a row may send ``If-Match``: 412 when none of its tags is the current one (``*`` matches
anything), 428 when the endpoint requires the header and it is missing. Cached reads answer 304 when an
``If-None-Match`` tag matches. Tags are compared weakly (``W/"3"`` matches ``"3"``), as the endpoints
always have. A header that is blank counts as not sent.

Services raise their own subclasses of :class:`PreconditionFailed` / :class:`PreconditionRequired` (the
problem ``type`` slugs stay theirs); this module only decides.
"""

from __future__ import annotations

from collections.abc import Callable

from services.common.errors import PreconditionFailed, PreconditionRequired
from services.common.i18n import msg

_DEFAULT_MISSING = msg("send If-Match with the ETag you read, so no change is overwritten")


def strong_etag(version: int) -> str:
    """The strong ETag of a row at ``version``."""
    return f'"{version}"'


def if_match_holds(if_match: str, current: str) -> bool:
    """Whether an ``If-Match`` value names ``current`` (or is ``*``)."""
    for candidate in (c.strip() for c in if_match.split(",")):
        if candidate == "*" or candidate.removeprefix("W/") == current:
            return True
    return False


def sent(header: str | None) -> str | None:
    """The header's value, or None when it was not sent or is blank."""
    return header if header is not None and header.strip() else None


def require_if_match(
    if_match: str | None,
    *,
    missing: Callable[[str], PreconditionRequired] = PreconditionRequired,
    detail: str = _DEFAULT_MISSING,
) -> str:
    """The ``If-Match`` value; 428 (``missing``) when it was not sent. Call it before loading the row when
    the endpoint asks for the header before anything else."""
    value = sent(if_match)
    if value is None:
        raise missing(detail)
    return value


def check_if_match(
    if_match: str | None,
    current: str,
    *,
    required: bool = False,
    stale: Callable[[str], PreconditionFailed] = PreconditionFailed,
    stale_detail: str = msg("the resource changed since you read it; read it again and retry"),
    missing: Callable[[str], PreconditionRequired] = PreconditionRequired,
    missing_detail: str = _DEFAULT_MISSING,
) -> None:
    """Enforce ``If-Match`` against the row's ``current`` ETag.

    Not sent: 428 (``missing``) when ``required``, else nothing to check. Sent and no tag matches:
    412 (``stale``)."""
    value = sent(if_match)
    if value is None:
        if required:
            raise missing(missing_detail)
        return
    if not if_match_holds(value, current):
        raise stale(stale_detail)


def none_match_hits(if_none_match: bytes, *current: bytes) -> bool:
    """Whether an ``If-None-Match`` value (raw header bytes) names one of ``current`` (or is ``*``), so the
    answer is 304. Weak comparison (RFC 9110 §13.1.2): ``W/`` is ignored on both sides."""
    wanted = {c.removeprefix(b"W/") for c in current}
    for candidate in (c.strip() for c in if_none_match.split(b",")):
        if candidate == b"*" or candidate.removeprefix(b"W/") in wanted:
            return True
    return False
