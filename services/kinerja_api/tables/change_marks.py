"""Table ``kinerja.change_mark``: the change marks of the tables whose answers the read path keeps
(services/common/readcache.py; the triggers that write it: migration kinerja_0031)."""

from __future__ import annotations

from services.common.readcache import ChangeMarkMixin
from services.kinerja_api.db import Base


class ChangeMark(ChangeMarkMixin, Base):
    """One marked table's commits from one writer slot."""

    __tablename__ = "change_mark"
