"""kinerja's "today" is the province's (services/common/clock.py)."""

from services.common.clock import WIB, today

__all__ = ["WIB", "today"]
