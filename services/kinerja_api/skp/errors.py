"""Errors of the SKP domain (problem+json through services.common.errors).

The cascade errors have one slug each so a client can tell the employee exactly what is wrong with the
supervisor's result they picked (another person's SKP, another year, not yet approved, unknown).
"""

from __future__ import annotations

from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed


class SkpNotFound(NotFound):
    """No SKP with that id, or none the caller may see (404 either way, api-contract §1)."""

    slug = "skp-not-found"


class ResultNotFound(NotFound):
    """No result with that id in this SKP."""

    slug = "skp-result-not-found"


class RealizationNotFound(NotFound):
    """No realisation with that id, or none the caller may see."""

    slug = "realization-not-found"


class UnknownEmployee(InvalidInput):
    """The SKP would belong to an employee who is not registered (or inactive)."""

    slug = "unknown-employee"


class SkpExists(Conflict):
    """The employee already has an SKP for that year."""

    slug = "skp-exists"


class SkpFrozen(Conflict):
    """The SKP is approved; it can no longer change."""

    slug = "skp-frozen"


class SkpWrongStatus(Conflict):
    """The SKP's status does not allow this step."""

    slug = "skp-wrong-status"


class SkpIncomplete(Conflict):
    """The SKP cannot be submitted yet (no main result with an indicator)."""

    slug = "skp-incomplete"


class SkpFull(Conflict):
    """The SKP already holds the maximum number of results."""

    slug = "skp-full"


class NotOwner(Forbidden):
    """Only the employee whose SKP it is may do this."""

    slug = "not-skp-owner"


class NotDirectSupervisor(Forbidden):
    """Only the employee's direct supervisor (or, at the top of the line, an admin) may do this."""

    slug = "not-direct-supervisor"


class StaleSkp(PreconditionFailed):
    """If-Match does not match the SKP's current ETag."""

    slug = "stale-etag"


class ParentResultRequired(InvalidInput):
    """A non-JPT main result must name the supervisor's result it supports."""

    slug = "parent-result-required"


class ParentResultUnknown(InvalidInput):
    """``parent_result_id`` names no result at all."""

    slug = "parent-result-unknown"


class ParentResultNotSupervisors(InvalidInput):
    """``parent_result_id`` belongs to someone else's SKP than the direct supervisor's."""

    slug = "parent-result-not-supervisors"


class ParentResultWrongYear(InvalidInput):
    """``parent_result_id`` belongs to the supervisor's SKP of another year."""

    slug = "parent-result-wrong-year"


class ParentSkpNotApproved(Conflict):
    """The supervisor's SKP holding ``parent_result_id`` is not approved (yet)."""

    slug = "parent-skp-not-approved"


class ResultShape(InvalidInput):
    """A JPT result needs a perspective and no parent; a non-JPT result takes no perspective."""

    slug = "result-shape"


class SkpNotApproved(Conflict):
    """Realisations are reported against an approved SKP only."""

    slug = "skp-not-approved"


class BadPeriod(InvalidInput):
    """The period is not ``YYYY`` or ``YYYY-Q1``..``Q4`` of the SKP's year."""

    slug = "bad-period"


class UnknownIndicator(InvalidInput):
    """``indicator_id`` is not an indicator of this SKP."""

    slug = "unknown-indicator"


class SkpClosed(Conflict):
    """The SKP was closed by the employee's move to another position: it stays readable, frozen; the new
    position has its own SKP (domain.md §11.1)."""

    slug = "skp-closed"


class ParentResultNotCurrent(InvalidInput):
    """The supervisor's result belongs to an SKP of theirs that does not cover the day the result is added
    (closed by their own move, or planned for another stretch of the year)."""

    slug = "parent-result-not-current"
