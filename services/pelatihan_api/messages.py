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
            "too-early",
            409,
            "Too early",
            "Belum waktunya",
            "The day being recorded has not come yet on the province clock: attendance is taken on or after "
            "the day, results once the session has reached its last day.",
            "Record it on or after the day the detail gives; nothing is stored before then.",
        ),
        ProblemType(
            "schedule-locked",
            409,
            "Schedule locked",
            "Jadwal terkunci",
            "The session has started: its dates and training days (and the JP each day carries) no longer "
            "change, since attendance is credited against them.",
            "Do not retry; record attendance on the scheduled days. A different run needs a new session.",
        ),
        ProblemType(
            "no-attended-day",
            409,
            "No attended day",
            "Tidak ada hari yang dihadiri",
            "A pass in a klasikal session needs the participant present on at least one training day.",
            "Record the days the participant attended (`POST /v1/sessions/{id}/attendance`), then the result; "
            "or record a fail.",
        ),
        ProblemType(
            "jp-cap-exceeded",
            409,
            "JP cap exceeded",
            "Batas JP terlampaui",
            "The learning path's verified JP for the year, with this claim, would pass the path's cap "
            "(`GET /v1/outside-learning/caps`).",
            "Claim fewer JP, or ask an admin whether the cap should change; do not retry as it is.",
        ),
        ProblemType(
            "already-credited",
            409,
            "Already credited",
            "Sudah diakui",
            "This provider's certificate number has already been credited to a ledger.",
            "Do not claim the same certificate twice; check the claims already verified.",
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
    {
        # Certificates, institutions, programmes.
        "No such certificate.": "Sertifikat tidak ditemukan.",
        "The certificate is already revoked.": "Sertifikat ini sudah dicabut.",
        "An institution named {name!r} already exists.": "Lembaga dengan nama {name!r} sudah ada.",
        "Unknown institution.": "Lembaga tidak dikenal.",
        # Sessions.
        "No such session.": "Sesi tidak ditemukan.",
        "ends_on is before starts_on": "ends_on lebih awal daripada starts_on",
        "the enrolment window closes before it opens": "masa pendaftaran ditutup sebelum dibuka",
        "the enrolment window closes after the session starts": "masa pendaftaran ditutup setelah sesi dimulai",
        "min_rank must be one of {ranks}": "min_rank harus salah satu dari {ranks}",
        "no such programme": "program tidak ditemukan",
        "capacity {capacity} is below the {seats_taken} seats already confirmed.": (
            "Kapasitas {capacity} lebih kecil daripada {seats_taken} kursi yang sudah dikonfirmasi."
        ),
        "The session still has live enrolments; cancel or reject them first.": (
            "Sesi ini masih memiliki pendaftaran aktif; batalkan atau tolak pendaftaran tersebut terlebih dahulu."
        ),
        "{key} cannot be null": "{key} tidak boleh null",
        "a training day is listed twice": "satu hari pelatihan tercantum dua kali",
        "every training day must lie between starts_on and ends_on": (
            "setiap hari pelatihan harus berada di antara starts_on dan ends_on"
        ),
        "give jp for every training day or for none": "cantumkan jp untuk setiap hari pelatihan atau tidak sama sekali",
        "the days' JP sum to {total}, not the programme's {jp}": (
            "jumlah JP hari-hari tersebut {total}, bukan {jp} sesuai program"
        ),
        "The session started on {starts_on}; its dates and training days can no longer change.": (
            "Sesi dimulai pada {starts_on}; tanggal dan hari pelatihannya tidak dapat diubah lagi."
        ),
        "The session changed since you read it; read it again.": "Sesi ini berubah sejak Anda membacanya; baca ulang.",
        "Send the session's ETag in If-Match.": "Kirim ETag sesi ini di header If-Match.",
        # Enrolments.
        "No such enrolment.": "Pendaftaran tidak ditemukan.",
        "Only the employee, their direct supervisor or a training admin may ask for a seat.": (
            "Hanya pegawai yang bersangkutan, atasan langsungnya, atau admin pelatihan yang dapat mendaftarkan."
        ),
        "Only the employee, their direct supervisor or a training admin may list these.": (
            "Hanya pegawai yang bersangkutan, atasan langsungnya, atau admin pelatihan yang dapat melihat daftar ini."
        ),
        "Enrolment is open from {enrol_opens_at} to {enrol_closes_at}.": (
            "Pendaftaran dibuka dari {enrol_opens_at} sampai {enrol_closes_at}."
        ),
        "{nip} already holds a live enrolment in this session.": "{nip} sudah memiliki pendaftaran aktif di sesi ini.",
        "An employee cannot approve or reject their own enrolment.": (
            "Pegawai tidak dapat menyetujui atau menolak pendaftarannya sendiri."
        ),
        "Only the employee's direct supervisor (per kinerja, today) may decide.": (
            "Hanya atasan langsung pegawai (menurut kinerja, per hari ini) yang dapat memutuskan."
        ),
        "The enrolment is {status}; only PENDING_APPROVAL can be approved.": (
            "Status pendaftaran {status}; hanya yang berstatus PENDING_APPROVAL yang dapat disetujui."
        ),
        "The enrolment is {status}; it can no longer be rejected.": (
            "Status pendaftaran {status}; pendaftaran ini tidak dapat ditolak lagi."
        ),
        "The enrolment is {status}; it can no longer be cancelled.": (
            "Status pendaftaran {status}; pendaftaran ini tidak dapat dibatalkan lagi."
        ),
        "Not eligible: {reasons}.": "Tidak memenuhi syarat: {reasons}.",
        "position type {position_type} is not among {allowed}": (
            "jenis jabatan {position_type} tidak termasuk {allowed}"
        ),
        "rank {rank} is below {min_rank}": "golongan {rank} lebih rendah daripada {min_rank}",
        "the employee's unit is not admitted to this session": "unit kerja pegawai tidak termasuk peserta sesi ini",
        "kinerja knows no employee {nip}.": "kinerja tidak mengenal pegawai {nip}.",
        # Attendance, results, feedback.
        "The day is outside the session.": "Tanggal tersebut berada di luar masa sesi.",
        "The day is not one of the session's training days.": "Tanggal tersebut bukan hari pelatihan sesi ini.",
        "{nip} was present on none of the session's training days; a pass needs at least one.": (
            "{nip} tidak hadir pada satu pun hari pelatihan sesi ini; kelulusan memerlukan paling sedikit satu."
        ),
        "Some NIPs hold no confirmed seat in this session.": (
            "Sebagian NIP tidak memiliki kursi yang dikonfirmasi di sesi ini."
        ),
        "The enrolment is {status}; only CONFIRMED participants get a result.": (
            "Status pendaftaran {status}; hanya peserta berstatus CONFIRMED yang mendapat hasil."
        ),
        "Attendance for {on} can be recorded from that day on; today is {today}.": (
            "Kehadiran untuk tanggal {on} baru dapat dicatat mulai hari itu; hari ini {today}."
        ),
        "Results can be recorded once the session has reached its last day ({ends_on}); today is {today}.": (
            "Hasil baru dapat dicatat setelah sesi mencapai hari terakhirnya ({ends_on}); hari ini {today}."
        ),
        "Only participants who attended may give feedback.": "Hanya peserta yang hadir yang dapat memberi umpan balik.",
        "You already gave feedback on this session.": "Anda sudah memberi umpan balik untuk sesi ini.",
        # JP ledger and recommendations.
        "Only the employee, their direct supervisor or an admin may read this ledger.": (
            "Hanya pegawai yang bersangkutan, atasan langsungnya, atau admin yang dapat membaca catatan JP ini."
        ),
        "Only the employee, their direct supervisor or an admin may see these.": (
            "Hanya pegawai yang bersangkutan, atasan langsungnya, atau admin yang dapat melihat ini."
        ),
        # Learning from outside.
        "{path} may add at most {cap} JP to a year; {used} JP are verified for {year}, so {jp} more would exceed it.": (
            "{path} paling banyak menambah {cap} JP setahun; {used} JP sudah diverifikasi untuk {year}, sehingga "
            "{jp} JP lagi akan melampauinya."
        ),
        "Certificate {number} of {provider} was already credited.": (
            "Sertifikat {number} dari {provider} sudah pernah diakui."
        ),
        "Only an employee may claim learning, for themself.": (
            "Hanya pegawai yang dapat mengajukan pembelajaran, untuk dirinya sendiri."
        ),
        "Learning can be claimed once it has ended; today is {today}.": (
            "Pembelajaran dapat diajukan setelah selesai; hari ini {today}."
        ),
        "No such claim.": "Pengajuan tidak ditemukan.",
        "An employee cannot decide on their own claim.": "Pegawai tidak dapat memutuskan pengajuannya sendiri.",
        "The claim is {status}; only CLAIMED can be verified.": (
            "Status pengajuan {status}; hanya yang berstatus CLAIMED yang dapat diverifikasi."
        ),
        "The claim is {status}; only CLAIMED can be rejected.": (
            "Status pengajuan {status}; hanya yang berstatus CLAIMED yang dapat ditolak."
        ),
        "The claim is {status}; only VERIFIED can be revoked.": (
            "Status pengajuan {status}; hanya yang berstatus VERIFIED yang dapat dicabut."
        ),
        "The certificate was credited meanwhile.": "Sertifikat tersebut sudah diakui sementara itu.",
        "A reason is required.": "Alasan wajib diisi.",
        # Talking to kinerja; events.
        "kinerja cannot be reached; the request was not decided. Retry shortly.": (
            "kinerja tidak dapat dihubungi; permintaan belum diputuskan. Coba lagi sesaat lagi."
        ),
        "kinerja refused pelatihan's service credentials; the request was not decided.": (
            "kinerja menolak kredensial layanan pelatihan; permintaan belum diputuskan."
        ),
        "kinerja answered with an unexpected employee document.": (
            "kinerja menjawab dengan data pegawai yang tidak terduga."
        ),
        "kinerja answered with an unexpected supervisor document.": (
            "kinerja menjawab dengan data atasan yang tidak terduga."
        ),
        "The {what} changed while kinerja was being asked; read it again and retry.": (
            "Data {what} berubah selagi kinerja ditanyai; baca ulang lalu coba lagi."
        ),
        "session": "sesi",
        "enrolment": "pendaftaran",
        "The event's data is invalid.": "Data peristiwa tidak valid.",
        "pelatihan does not accept events of type {type!r}.": "pelatihan tidak menerima peristiwa berjenis {type!r}.",
    },
)
"""pelatihan's catalogue (types and messages)."""
