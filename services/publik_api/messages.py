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
    {
        "No unit {unit_id}": "Unit {unit_id} tidak ditemukan",
        "Unknown unit.": "Unit tidak dikenal.",
        "No published item {item_id}": "Tidak ada butir terbitan {item_id}",
        "No publication {publication_id}": "Publikasi {publication_id} tidak ditemukan",
        "Nothing has been published yet": "Belum ada yang diterbitkan",
        "No snapshot {n}": "Snapshot {n} tidak ditemukan",
        "The survey names an unknown unit.": "Survei menyebut unit yang tidak dikenal.",
        "This device already answered for this unit recently.": (
            "Perangkat ini baru saja mengisi survei untuk unit ini."
        ),
        "Too many surveys from this address; retry later.": (
            "Terlalu banyak survei dari alamat ini; coba lagi nanti."
        ),
        "The innovation carries personal data, which publik never publishes (UU 14/2008 Pasal 17(h)).": (
            "Inovasi ini memuat data pribadi, yang tidak pernah diterbitkan oleh publik (UU 14/2008 Pasal 17 huruf h)."
        ),
        "The event carries personal data, which publik never accepts (UU 14/2008 Pasal 17(h)).": (
            "Peristiwa ini memuat data pribadi, yang tidak pernah diterima oleh publik (UU 14/2008 Pasal 17 huruf h)."
        ),
        "Unknown event type {type!r}": "Jenis peristiwa {type!r} tidak dikenal",
        "The event data is malformed.": "Format data peristiwa tidak valid.",
        "The unit registry (kinerja) cannot be reached; retry shortly.": (
            "Daftar unit (kinerja) tidak dapat dihubungi; coba lagi sesaat lagi."
        ),
        "The unit registry (kinerja) answered {status_code}; retry shortly.": (
            "Daftar unit (kinerja) menjawab {status_code}; coba lagi sesaat lagi."
        ),
        "The unit registry (kinerja) answered something unexpected.": (
            "Daftar unit (kinerja) memberikan jawaban yang tidak terduga."
        ),
    },
)
"""publik's catalogue (types and messages)."""
