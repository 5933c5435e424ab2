"""publik's message catalogue: its problem types and the details it raises, in English and Bahasa Indonesia,
on top of the shared catalogue (services/common/messages.py). docs/errors.md is generated from it."""

from __future__ import annotations

from services.common.i18n import ProblemType
from services.common.messages import COMMON

MESSAGES = COMMON.extend(
    "publik",
    [
        ProblemType(
            "personal-data",
            422,
            "Personal data refused",
            "Data pribadi ditolak",
            "The payload carries an individual's personal data (a NIP, a name with a rating), which publik "
            "never accepts or publishes (UU 14/2008 Pasal 17(h)); `errors` points at the fields.",
            "Remove the personal data the `errors` locations point at and send unit-level figures only.",
        ),
    ],
    {},
)
"""publik's catalogue (types and messages)."""
