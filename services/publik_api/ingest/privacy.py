"""The personal-data guard of ingest: no NIP, name or individual rating may enter publik (UU 14/2008 Pasal
17(h), UU 27/2022). The scan is recursive over every key and value of an event's ``data``."""

from __future__ import annotations

import re
from typing import Any

# Keys that identify or evaluate a person. ``predikat`` is personal when it holds a scalar (one person's
# predikat); a mapping of predikat -> count is an aggregate and is fine.
PERSONAL_KEYS = frozenset(
    {
        "nip",
        "nik",
        "name",
        "nama",
        "full_name",
        "rating",
        "result_rating",
        "behavior_rating",
        "behavior_notes",
        "evaluator_nip",
        "supervisor_nip",
        "approver_nip",
        "feedback",
        "umpan_balik",
        "email",
        "phone",
        "birth_date",
        "tanggal_lahir",
        "score",
    }
)
SCALAR_PERSONAL_KEYS = frozenset({"predikat"})
# An 18-digit NIP/NI, with or without its usual spaces (YYYYMMDD YYYYMM G NNN).
NIP_VALUE = re.compile(r"\b\d{8}\s?\d{6}\s?\d\s?\d{3}\b")


def personal_fields(
    data: Any, *, allowed_top_level: frozenset[str] = frozenset(), path: str = "data"
) -> list[str]:
    """Paths in ``data`` that carry personal fields or NIP-like values; empty when the event is clean."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}"
            lowered = str(key).lower()
            top_ok = path == "data" and key in allowed_top_level
            if not top_ok and (
                lowered in PERSONAL_KEYS
                or lowered.endswith("_nip")
                or (lowered in SCALAR_PERSONAL_KEYS and not isinstance(value, dict))
            ):
                found.append(where)
                continue
            found.extend(personal_fields(value, path=where))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.extend(personal_fields(value, path=f"{path}[{i}]"))
    elif isinstance(data, str) and NIP_VALUE.search(data):
        found.append(path)
    return found
