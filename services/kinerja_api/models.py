"""Every model of kinerja_api, imported so Alembic sees the whole schema."""

from services.kinerja_api.audit.models import AuditEntry
from services.kinerja_api.calendar.models import PeriodCalendar
from services.kinerja_api.db import Base
from services.kinerja_api.documents.models import EvaluationDocument
from services.kinerja_api.events import *  # noqa: F403
from services.kinerja_api.publication.models import PublicationState
from services.kinerja_api.reports.models import UnitOrgPredikat
from services.kinerja_api.skp.models import Feedback, Realization, Skp, SkpIndicator, SkpResult
from services.kinerja_api.sync.models import ChangeLog
from services.kinerja_api.tables.change_marks import ChangeMark
from services.kinerja_api.tables.employees import Employee, EmployeeAssignment
from services.kinerja_api.tables.evaluations import Evaluation, Objection
from services.kinerja_api.units.models import Unit

__all__ = [
    "AuditEntry",
    "Base",
    "ChangeLog",
    "ChangeMark",
    "Employee",
    "EmployeeAssignment",
    "Evaluation",
    "EvaluationDocument",
    "Feedback",
    "Objection",
    "PeriodCalendar",
    "PublicationState",
    "Realization",
    "Skp",
    "SkpIndicator",
    "SkpResult",
    "Unit",
    "UnitOrgPredikat",
]
