"""Every model of pelatihan_api, imported so Alembic sees the whole schema."""

from services.pelatihan_api.audit.models import AuditEntry
from services.pelatihan_api.certificates.models import Certificate
from services.pelatihan_api.completion.models import Attendance, SessionFeedback
from services.pelatihan_api.db import Base
from services.pelatihan_api.enrolments.models import Enrolment
from services.pelatihan_api.events import InboxEvent, OutboxEvent
from services.pelatihan_api.institutions.models import Institution
from services.pelatihan_api.ledger.models import JpEntry
from services.pelatihan_api.outside.models import LearningCap, OutsideLearning
from services.pelatihan_api.programs.models import Program
from services.pelatihan_api.roster.models import DevelopmentNeed, RosterEmployee
from services.pelatihan_api.sessions.models import TrainingSession
from services.pelatihan_api.sync.models import ChangeLog

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
    "LearningCap",
    "OutboxEvent",
    "OutsideLearning",
    "Program",
    "RosterEmployee",
    "SessionFeedback",
    "TrainingSession",
]
