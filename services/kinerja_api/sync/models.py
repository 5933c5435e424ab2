"""Table ``kinerja.change_log``."""

from __future__ import annotations

from services.common.changelog import ChangeLogMixin
from services.kinerja_api.db import Base


class ChangeLog(ChangeLogMixin, Base):
    """One change of an employee, SKP or evaluation, in commit order."""
