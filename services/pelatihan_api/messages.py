"""pelatihan's message catalogue: its problem types and the details it raises, in English and Bahasa
Indonesia, on top of the shared catalogue (services/common/messages.py). docs/errors.md is generated from it."""

from __future__ import annotations

from services.common.i18n import ProblemType
from services.common.messages import COMMON

MESSAGES = COMMON.extend(
    "pelatihan",
    [
        ProblemType(
            "enrolment-window-closed",
            409,
            "Enrolment window closed",
            "Masa pendaftaran tidak dibuka",
            "The session's enrolment window is not open now (not yet, or no longer).",
            "Enrol between the times the detail gives; choose another session otherwise.",
        ),
        ProblemType(
            "not-eligible",
            409,
            "Not eligible",
            "Tidak memenuhi syarat",
            "The employee does not meet the session's rules (position type, minimum rank, admitted units).",
            "Do not retry; the detail lists each rule that is not met. Choose another session.",
        ),
        ProblemType(
            "already-enrolled",
            409,
            "Already enrolled",
            "Sudah terdaftar",
            "The employee already holds a live enrolment in this session (one per employee and session).",
            "Use the existing enrolment (`GET /v1/sessions/{id}/enrolments`); cancel it first to enrol again.",
        ),
        ProblemType(
            "invalid-state",
            409,
            "Enrolment state does not allow this",
            "Status pendaftaran tidak memungkinkan tindakan ini",
            "The enrolment's status does not allow this step (approving one that is not pending, say).",
            "Read the enrolment again; act only as its current status allows.",
        ),
        ProblemType(
            "unknown-employee",
            404,
            "Unknown employee",
            "Pegawai tidak dikenal",
            "kinerja, which keeps the register of employees, does not know this NIP.",
            "Check the NIP; an employee must be registered in kinerja before enrolling.",
        ),
        ProblemType(
            "kinerja-unavailable",
            503,
            "kinerja unavailable",
            "kinerja tidak tersedia",
            "pelatihan needed kinerja (the employee register, the reporting line) and could not ask it; "
            "nothing was decided.",
            "Retry after the seconds `Retry-After` gives.",
        ),
        ProblemType(
            "changed-meanwhile",
            409,
            "Changed meanwhile",
            "Data berubah sementara itu",
            "What the request relied on changed while kinerja was being asked.",
            "Read the session or enrolment again and retry the request.",
        ),
    ],
    {},
)
"""pelatihan's catalogue (types and messages)."""
