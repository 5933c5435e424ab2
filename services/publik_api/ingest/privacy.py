"""The personal-data guard of publik: no NIP, name or individual rating may enter publik (UU 14/2008 Pasal
17(h), UU 27/2022). The scan is recursive over every key and value of an event's ``data``, and the same
scan guards free text an admin publishes (innovations)."""

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
# Other identifiers that free text (an innovation's description) could carry: a 16-digit NIK, an e-mail
# address, an Indonesian mobile number (08..., +62 8..., 62 8...).
NIK_VALUE = re.compile(r"(?<!\d)\d{16}(?!\d)")
EMAIL_VALUE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE_VALUE = re.compile(r"(?<![\d/])(?:\+62|62|0)[\s.-]?8\d{1,3}[\s.-]?\d{3,4}[\s.-]?\d{3,5}(?!\d)")
PERSONAL_VALUES = (NIP_VALUE, NIK_VALUE, EMAIL_VALUE, PHONE_VALUE)


# A UUID is an identifier, never personal data, but its digit groups can read like a mobile number
# ("3f2a0b1c-0812-4567-8912-…"): kinerja's random unit ids did, now and then, and publik refused the unit.
UUID_VALUE = re.compile(
    r"(?<![0-9A-Fa-f-])[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f-])"
)


def personal_text(text: str) -> bool:
    """Whether a free text carries a NIP, NIK, e-mail address or mobile number (UUIDs in it are ids: they are
    set aside before the search, so no pattern matches across one)."""
    if "-" in text:
        text = UUID_VALUE.sub(" ", text)
    return any(pattern.search(text) for pattern in PERSONAL_VALUES)


MASK = "[disamarkan]"


def mask_personal(text: str) -> str:
    """``text`` with every NIP, NIK, e-mail address and mobile number replaced by ``[disamarkan]``."""
    for pattern in PERSONAL_VALUES:
        text = pattern.sub(MASK, text)
    return text


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
    elif isinstance(data, str) and personal_text(data):
        found.append(path)
    return found
