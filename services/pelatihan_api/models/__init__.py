"""Every model of pelatihan_api, imported so Alembic sees the whole schema."""

from services.pelatihan_api.db import Base
from services.pelatihan_api.models.audit import AuditEntry
from services.pelatihan_api.models.certificates import Certificate
from services.pelatihan_api.models.completion import Attendance, SessionFeedback
from services.pelatihan_api.models.enrolments import Enrolment
from services.pelatihan_api.models.institutions import Institution
from services.pelatihan_api.models.ledger import JpEntry, JpPppkAbove, JpTotal, JpUnitDelta
from services.pelatihan_api.models.outbox import InboxEvent, OutboxEvent
from services.pelatihan_api.models.outside import LearningCap, OutsideLearning
from services.pelatihan_api.models.programs import Program
from services.pelatihan_api.models.roster import DevelopmentNeed, RosterEmployee
from services.pelatihan_api.models.sessions import TrainingSession
from services.pelatihan_api.models.sync import ChangeLog

__all__ = [
    "Attendance",
    "AuditEntry",
    "Base",
    "Certificate",
    "ChangeLog",
    "DevelopmentNeed",
    "Enrolment",
    "InboxEvent",
    "Institution",
    "JpEntry",
    "JpPppkAbove",
    "JpTotal",
    "JpUnitDelta",
    "LearningCap",
    "OutboxEvent",
    "OutsideLearning",
    "Program",
    "RosterEmployee",
    "SessionFeedback",
    "TrainingSession",
]
