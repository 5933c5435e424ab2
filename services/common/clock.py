"""The date "today" as Bengkulu sees it (WIB, UTC+7), for every service: an effective date entered at 06:00 WIB
must not be taken for yesterday's UTC date, and kinerja and pelatihan must agree on which day it is."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")


def today() -> date:
    """Today's date in Western Indonesia Time."""
    return datetime.now(WIB).date()
