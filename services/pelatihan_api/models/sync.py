"""Table ``pelatihan.change_log``."""

from __future__ import annotations

from services.common.changelog import ChangeLogMixin
from services.pelatihan_api.db import Base


class ChangeLog(ChangeLogMixin, Base):
    """One change of a session, enrolment or completion, in commit order."""
