"""Domain errors of pelatihan, rendered as problem+json by services.common.errors."""

from __future__ import annotations

from services.common.errors import Conflict, NotFound, ServiceUnavailable
from services.common.i18n import msg


class WindowClosed(Conflict):
    """The session's enrolment window is not open now."""

    slug = "enrolment-window-closed"


class NotEligible(Conflict):
    """The employee does not meet the session's eligibility rules."""

    slug = "not-eligible"


class AlreadyEnrolled(Conflict):
    """The employee already holds a live enrolment in the session."""

    slug = "already-enrolled"


class InvalidTransition(Conflict):
    """The enrolment's status does not allow this action."""

    slug = "invalid-state"


class TooEarly(Conflict):
    """The day being recorded has not come yet: attendance is taken on or after the day, results once the
    session has reached its last day (on the province clock)."""

    slug = "too-early"


class ScheduleLocked(Conflict):
    """The session has started: its dates and training days no longer change (the JP they carry are what
    attendance is credited against)."""

    slug = "schedule-locked"


class NoAttendedDay(Conflict):
    """A pass in a klasikal session for a participant marked present on none of its training days."""

    slug = "no-attended-day"


class UnknownEmployee(NotFound):
    """kinerja does not know this NIP."""

    slug = "unknown-employee"


class KinerjaUnavailable(ServiceUnavailable):
    """kinerja could not be asked (down, timed out, 5xx, or refused our credentials)."""

    slug = "kinerja-unavailable"

    def __init__(
        self, detail: str = msg("kinerja cannot be reached; the request was not decided. Retry shortly.")
    ) -> None:
        super().__init__(detail, headers={"Retry-After": "5"})


class CapExceeded(Conflict):
    """The claim would take the path's verified JP for the year above its cap."""

    slug = "jp-cap-exceeded"


class AlreadyCredited(Conflict):
    """The same provider and certificate number were already credited."""

    slug = "already-credited"
