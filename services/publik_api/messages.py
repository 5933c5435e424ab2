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
        ProblemType(
            "form-already-used",
            409,
            "Survey form already used",
            "Formulir survei sudah dipakai",
            "The survey form token (`POST /v1/surveys/form-token`) already brought an answer; one token carries "
            "one answer.",
            "Open a new form (ask for a new token) to answer again.",
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
        "The service carries personal data, which publik never publishes (UU 14/2008 Pasal 17(h)).": (
            "Layanan ini memuat data pribadi, yang tidak pernah diterbitkan oleh publik (UU 14/2008 Pasal 17 huruf h)."
        ),
        "The statement carries personal data, which publik never publishes (UU 14/2008 Pasal 17(h)).": (
            "Pernyataan ini memuat data pribadi, yang tidak pernah diterbitkan oleh publik "
            "(UU 14/2008 Pasal 17 huruf h)."
        ),
        "No service {service_id}": "Layanan {service_id} tidak ditemukan",
        "No service {service_id} in unit {unit_id}": "Layanan {service_id} tidak ada di unit {unit_id}",
        "The service is not one of the unit's active services.": "Layanan ini bukan layanan aktif unit tersebut.",
        "The unit already has a service named {name!r}.": "Unit ini sudah memiliki layanan bernama {name!r}.",
        "{key} cannot be null": "{key} tidak boleh null",
        "Survey answers or innovations name this service; deactivate it instead.": (
            "Jawaban survei atau inovasi menyebut layanan ini; nonaktifkan saja layanan ini."
        ),
        "A unit admin reads only their own unit's comments.": (
            "Admin unit hanya dapat membaca komentar unitnya sendiri."
        ),
        "No comment {comment_id}": "Komentar {comment_id} tidak ditemukan",
        "{code} is not an SKM period of the province.": "{code} bukan periode SKM provinsi.",
        "The period {code} exists.": "Periode {code} sudah ada.",
        "{year} already runs its SKM by semester.": "SKM tahun {year} sudah berjalan per semester.",
        "{year} already runs its SKM by year.": "SKM tahun {year} sudah berjalan per tahun.",
        "No SKM period {code}": "Periode SKM {code} tidak ditemukan",
        "The survey form token is not valid.": "Token formulir survei tidak valid.",
        "This survey form was already answered; open a new form to answer again.": (
            "Formulir survei ini sudah diisi; buka formulir baru untuk mengisi lagi."
        ),
        "No innovation {item_id}": "Inovasi {item_id} tidak ditemukan",
        "The innovation names no service; the admin can link it to one.": (
            "Inovasi ini tidak menyebut layanan; admin dapat menautkannya ke salah satu layanan."
        ),
    },
)
"""publik's catalogue (types and messages)."""
