"""Errors of the employees domain (problem+json through services.common.errors)."""

from __future__ import annotations

from services.common.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, ProblemError


class EmployeeNotFound(NotFound):
    """No employee with that NIP, or none the caller may see (404 either way, api-contract §1)."""

    slug = "employee-not-found"


class EmployeeExists(Conflict):
    """An employee with that NIP already exists."""

    slug = "employee-exists"


class UnknownReference(InvalidInput):
    """The payload names a unit or supervisor that does not exist."""

    slug = "unknown-reference"


class SelfSupervision(InvalidInput):
    """An employee cannot be their own supervisor."""

    slug = "self-supervision"


class ReportingCycle(Conflict):
    """The new supervisor already reports (directly or not) to the employee."""

    slug = "reporting-cycle"


class InactiveSupervisor(Conflict):
    """The supervisor is no longer active."""

    slug = "inactive-supervisor"


class HasActiveReports(Conflict):
    """The employee still supervises active employees; reassign them first."""

    slug = "has-active-reports"


class StaleVersion(PreconditionFailed):
    """If-Match does not match the current ETag."""

    slug = "stale-etag"


class BadEffectiveDate(InvalidInput):
    """``effective_on`` lies in the future or before the current assignment began."""

    slug = "bad-effective-date"


class ImportRejected(InvalidInput):
    """At least one CSV line is bad; nothing was written. ``errors`` lists ``{line, msg}``."""

    slug = "import-rejected"


class MalformedCsv(ProblemError):
    """The body is not a CSV of the expected shape (header, encoding)."""

    status, slug = 400, "malformed-csv"


class UnsupportedMediaType(ProblemError):
    """The import takes ``text/csv`` only."""

    status, slug = 415, "unsupported-media-type"


class PeriodResultFinal(Conflict):
    """A change of the reporting line dated inside a period whose result is FINAL (issue 15): the admin
    reopens the result with a reason first."""

    slug = "period-result-final"


class SiasnIdTaken(Conflict):
    """Another employee already carries this SIASN person id (one SIASN person per employee record)."""

    slug = "siasn-id-taken"


class DelegationNotFound(NotFound):
    """No penilai delegation with that id."""

    slug = "penilai-delegation-not-found"
