"""Problems the evaluation rules raise (rendered as problem+json by the common handlers)."""

from __future__ import annotations

from services.common.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)


class EvaluationNotFound(NotFound):
    slug = "evaluation-not-found"


class ObjectionNotFound(NotFound):
    slug = "objection-not-found"


class EmployeeNotFound(NotFound):
    slug = "employee-not-found"


class SelfEvaluation(Forbidden):
    slug = "self-evaluation"


class NotDirectSupervisor(Forbidden):
    slug = "not-direct-supervisor"


class NotAllowed(Forbidden):
    slug = "not-allowed"


class EvaluationExists(Conflict):
    slug = "evaluation-exists"


class EvaluationLocked(Conflict):
    slug = "evaluation-locked"


class EvaluationIncomplete(Conflict):
    slug = "evaluation-incomplete"


class WrongState(Conflict):
    slug = "wrong-state"


class NoSupervision(Conflict):
    slug = "no-supervision-in-period"


class StaleEvaluation(PreconditionFailed):
    slug = "stale-evaluation"


class IfMatchRequired(PreconditionRequired):
    slug = "if-match-required"


class BadPeriodInput(InvalidInput):
    slug = "bad-period"


class PartsOpen(Conflict):
    slug = "evaluation-parts-open"


class ReportingLineChanged(Conflict):
    slug = "reporting-line-changed"


class PartNotFound(NotFound):
    slug = "evaluation-part-not-found"


class LeftTheService(Forbidden):
    slug = "left-the-service"


class SkpNotApproved(Conflict):
    slug = "evaluation-needs-approved-skp"


class RatingContradicts(Conflict):
    slug = "rating-contradicts-main-results"


class ReasonRequired(Conflict):
    slug = "rating-reason-required"


class ObjectionExists(Conflict):
    slug = "objection-exists"


class ObjectionWindowClosed(Conflict):
    slug = "objection-window-closed"


class DecisionNeedsRatings(InvalidInput):
    slug = "objection-decision-ratings"


class RatingOffOrgPredikat(Conflict):
    slug = "rating-departs-from-org-predikat"


class PeriodNotEnded(Conflict):
    slug = "period-not-ended"
