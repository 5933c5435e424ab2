"""Problems of the calendar's year rules (issue 17: the cadence of periodic evaluation)."""

from __future__ import annotations

from services.common.errors import Conflict


class CadenceLocked(Conflict):
    """The year has started (province clock) or has evaluations: its cadence stays."""

    slug = "cadence-locked"


class PeriodNotInCadence(Conflict):
    """A month in a quarterly year, or a quarter in a monthly one."""

    slug = "period-not-in-cadence"
