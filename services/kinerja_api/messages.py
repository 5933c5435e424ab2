"""kinerja's message catalogue: its problem types and the details it raises, in English and Bahasa
Indonesia, on top of the shared catalogue (services/common/messages.py). docs/errors.md is generated from it.

Terms follow PermenPANRB 6/2022 and BKN usage: SKP, RHK (hasil kerja), atasan langsung, predikat, keberatan.
"""

from __future__ import annotations

from services.common.i18n import ProblemType
from services.common.messages import COMMON

_REREAD = "Read the resource again and act as its current state allows."

_TYPES = [
    # Units and employees.
    ProblemType(
        "unit-not-found",
        404,
        "Unit not found",
        "Unit kerja tidak ditemukan",
        "No organisation unit with that id.",
        "Check the unit id (`GET /v1/units`).",
    ),
    ProblemType(
        "unit-code-taken",
        409,
        "Unit code taken",
        "Kode unit sudah dipakai",
        "Another unit already has this code.",
        "Choose another code, or use the existing unit.",
    ),
    ProblemType(
        "parent-unit-not-found",
        422,
        "Parent unit not found",
        "Unit induk tidak ditemukan",
        "`parent_id` names no unit.",
        "Create the parent unit first, or fix `parent_id`.",
    ),
    ProblemType(
        "employee-not-found",
        404,
        "Employee not found",
        "Pegawai tidak ditemukan",
        "No employee with that NIP, or none the caller may see.",
        "Check the NIP.",
    ),
    ProblemType(
        "employee-exists",
        409,
        "Employee already exists",
        "Pegawai sudah terdaftar",
        "An employee with this NIP is already registered.",
        "Update the existing employee with `PATCH` instead.",
    ),
    ProblemType(
        "annual-result-not-final",
        409,
        "Annual result not final",
        "Hasil evaluasi tahunan belum final",
        "Credit points and the evaluation document follow the FINAL annual result (credit points also need a "
        "functional level held during the year); the detail names what is missing.",
        "Finalise the annual evaluation (or record the employee's `jenjang`) and ask again.",
    ),
    ProblemType(
        "siasn-id-taken",
        409,
        "SIASN id taken",
        "ID SIASN sudah dipakai",
        "Another employee already carries this SIASN person id.",
        "Check both records; a person has one SIASN id and one employee record.",
    ),
    ProblemType(
        "unknown-reference",
        422,
        "Unknown reference",
        "Rujukan tidak dikenal",
        "The body names a unit or a supervisor that does not exist.",
        "Fix the field `errors` points at; create the unit or employee first.",
    ),
    ProblemType(
        "self-supervision",
        422,
        "Own supervisor",
        "Atasan diri sendiri",
        "An employee cannot be their own supervisor.",
        "Name another employee as `supervisor_nip`.",
    ),
    ProblemType(
        "reporting-cycle",
        409,
        "Cycle in the reporting line",
        "Garis atasan melingkar",
        "The new supervisor reports (directly or not) to this employee, which would close a cycle.",
        "Fix the reporting line from the top down; the detail shows the cycle.",
    ),
    ProblemType(
        "inactive-supervisor",
        409,
        "Inactive supervisor",
        "Atasan tidak aktif",
        "The named supervisor is no longer active.",
        "Choose an active supervisor.",
    ),
    ProblemType(
        "has-active-reports",
        409,
        "Still supervises active employees",
        "Masih membawahi pegawai aktif",
        "The employee cannot be deactivated while active employees report to them.",
        "Give the listed employees another supervisor first.",
    ),
    ProblemType(
        "stale-etag",
        412,
        "Stale ETag",
        "ETag sudah usang",
        "`If-Match` does not match the current ETag: the resource changed since it was read.",
        "GET it again, reapply the change, and send it with the new ETag.",
    ),
    ProblemType(
        "bad-effective-date",
        422,
        "Invalid effective date",
        "Tanggal berlaku tidak valid",
        "`effective_on` is in the future or before the current assignment began.",
        "Record the change on the day it happens, within the current assignment.",
    ),
    ProblemType(
        "import-rejected",
        422,
        "Import rejected",
        "Impor ditolak",
        "At least one CSV line is invalid; nothing was imported. `errors` lists `{line, msg}`.",
        "Fix every listed line and send the whole file again.",
    ),
    ProblemType(
        "malformed-csv",
        400,
        "Malformed CSV",
        "Format CSV tidak valid",
        "The body is not a CSV of the expected shape (encoding, header).",
        "Save the file as UTF-8 CSV with exactly the documented header, then retry.",
    ),
    ProblemType(
        "unsupported-media-type",
        415,
        "Unsupported media type",
        "Jenis media tidak didukung",
        "The import takes `text/csv` only.",
        "Send the file with `Content-Type: text/csv`.",
    ),
    ProblemType(
        "period-result-final",
        409,
        "Period result is final",
        "Hasil periode sudah final",
        "A reporting-line change dated inside a period whose result is FINAL.",
        "An admin reopens that result with a reason first, then records the change.",
    ),
    # SKP.
    ProblemType(
        "skp-not-found",
        404,
        "SKP not found",
        "SKP tidak ditemukan",
        "No SKP with that id, or none the caller may see.",
        "Check the id (`GET /v1/skp?nip=&year=`).",
    ),
    ProblemType(
        "skp-result-not-found",
        404,
        "SKP result not found",
        "Hasil kerja SKP tidak ditemukan",
        "No result with that id in this SKP.",
        "Read the SKP again for its result ids.",
    ),
    ProblemType(
        "realization-not-found",
        404,
        "Realisation not found",
        "Realisasi tidak ditemukan",
        "No realisation with that id, or none the caller may see.",
        "Check the id.",
    ),
    ProblemType(
        "unknown-employee",
        422,
        "Unknown employee",
        "Pegawai tidak dikenal",
        "The SKP would belong to an employee who is not registered or not active.",
        "Name a registered, active employee's NIP.",
    ),
    ProblemType(
        "skp-closed",
        409,
        "SKP closed",
        "SKP sudah ditutup",
        "The employee moved to another position; this SKP stays readable but frozen.",
        "Work on the SKP of the new position (`GET /v1/skp?nip=&year=`).",
    ),
    ProblemType(
        "parent-result-not-current",
        422,
        "Supervisor's result not current",
        "Hasil kerja atasan tidak berlaku",
        "`parent_result_id` belongs to a supervisor's SKP that does not cover the day the result is added.",
        "Name a result of the SKP your supervisor holds today.",
    ),
    ProblemType(
        "skp-exists",
        409,
        "SKP already exists",
        "SKP sudah ada",
        "The employee already has an SKP for that year and position.",
        "Work on the existing SKP.",
    ),
    ProblemType(
        "skp-frozen",
        409,
        "SKP approved and frozen",
        "SKP sudah disetujui dan dikunci",
        "An approved SKP can no longer change.",
        "Report realisations against it; do not edit it.",
    ),
    ProblemType(
        "skp-wrong-status",
        409,
        "SKP status does not allow this",
        "Status SKP tidak memungkinkan tindakan ini",
        "The SKP's status does not allow this step (editing a submitted SKP, approving a draft).",
        _REREAD,
    ),
    ProblemType(
        "skp-incomplete",
        409,
        "SKP incomplete",
        "SKP belum lengkap",
        "An SKP needs at least one main (UTAMA) result with an indicator before submission.",
        "Add a main result with an indicator, then submit.",
    ),
    ProblemType(
        "skp-full",
        409,
        "SKP full",
        "SKP sudah penuh",
        "The SKP already holds the maximum number of results.",
        "Remove or merge results before adding one.",
    ),
    ProblemType(
        "not-skp-owner",
        403,
        "Not the SKP's owner",
        "Bukan pemilik SKP",
        "Only the employee whose SKP it is may do this.",
        "Act with the owner's own account.",
    ),
    ProblemType(
        "not-direct-supervisor",
        403,
        "Not the direct supervisor",
        "Bukan atasan langsung",
        "Only the employee's direct supervisor (for the period concerned) may do this.",
        "Ask the supervisor of record; the detail names them where it can.",
    ),
    ProblemType(
        "parent-result-required",
        422,
        "Supervisor's result required",
        "Hasil kerja atasan wajib dirujuk",
        "A non-JPT main result must name the supervisor's result it supports (`parent_result_id`).",
        "Pick a result of your direct supervisor's approved SKP of the same year.",
    ),
    ProblemType(
        "parent-result-unknown",
        422,
        "Unknown supervisor's result",
        "Hasil kerja atasan tidak dikenal",
        "`parent_result_id` names no result at all.",
        "Pick an existing result of your supervisor's SKP.",
    ),
    ProblemType(
        "parent-result-not-supervisors",
        422,
        "Not the direct supervisor's result",
        "Bukan hasil kerja atasan langsung",
        "`parent_result_id` belongs to someone else's SKP than the direct supervisor's.",
        "Pick a result of your direct supervisor's SKP.",
    ),
    ProblemType(
        "parent-result-wrong-year",
        422,
        "Supervisor's result of another year",
        "Hasil kerja atasan dari tahun lain",
        "`parent_result_id` belongs to the supervisor's SKP of another year.",
        "Pick a result of the supervisor's SKP for this SKP's year.",
    ),
    ProblemType(
        "parent-skp-not-approved",
        409,
        "Supervisor's SKP not approved",
        "SKP atasan belum disetujui",
        "The supervisor's SKP holding `parent_result_id` is not approved yet.",
        "Wait until the supervisor's SKP is approved, then add the result.",
    ),
    ProblemType(
        "result-shape",
        422,
        "Result does not fit the position",
        "Bentuk hasil kerja tidak sesuai jabatan",
        "A JPT result needs a perspective and no parent; a non-JPT result takes no perspective.",
        "Fix the fields `errors` points at.",
    ),
    ProblemType(
        "skp-not-approved",
        409,
        "SKP not approved",
        "SKP belum disetujui",
        "Realisations are reported against an approved SKP only.",
        "Have the SKP approved first.",
    ),
    ProblemType(
        "bad-period",
        422,
        "Invalid period",
        "Periode tidak valid",
        "The period is not `YYYY`, `YYYY-Qn` or `YYYY-MM`, or not one this resource allows.",
        "Send a period of the form the detail gives.",
    ),
    ProblemType(
        "unknown-indicator",
        422,
        "Unknown indicator",
        "Indikator tidak dikenal",
        "`indicator_id` is not an indicator of this SKP.",
        "Read the SKP for its indicator ids.",
    ),
    # Evaluations.
    ProblemType(
        "evaluation-not-found",
        404,
        "Evaluation not found",
        "Evaluasi tidak ditemukan",
        "No evaluation with that id, or none the caller may see.",
        "Check the id.",
    ),
    ProblemType(
        "objection-not-found",
        404,
        "Objection not found",
        "Keberatan tidak ditemukan",
        "No objection with that id on this evaluation, or none the caller may see.",
        "Check the ids.",
    ),
    ProblemType(
        "evaluation-part-not-found",
        404,
        "Evaluation part not found",
        "Bagian evaluasi tidak ditemukan",
        "No part with that id in this period result.",
        "List the parts at `/v1/evaluations/{id}/parts`.",
    ),
    ProblemType(
        "self-evaluation",
        403,
        "Self-evaluation",
        "Menilai diri sendiri",
        "Nobody evaluates themselves; the direct supervisor does.",
        "Ask your direct supervisor.",
    ),
    ProblemType(
        "not-allowed",
        403,
        "Not allowed",
        "Tidak diizinkan",
        "The caller's part in this evaluation does not allow this step.",
        "Let the person the detail names take the step.",
    ),
    ProblemType(
        "left-the-service",
        403,
        "Left the service",
        "Sudah tidak aktif",
        "The acting employee is no longer active and cannot act on evaluations.",
        "An admin closes what they left open.",
    ),
    ProblemType(
        "evaluation-exists",
        409,
        "Evaluation already exists",
        "Evaluasi sudah ada",
        "The period result (or this part of it) exists already.",
        "Use the existing one; the detail gives its address.",
    ),
    ProblemType(
        "evaluation-locked",
        409,
        "Evaluation locked",
        "Evaluasi terkunci",
        "The evaluation (or part) is FINAL and locked.",
        "An admin reopens it with a reason if it must change.",
    ),
    ProblemType(
        "evaluation-incomplete",
        409,
        "Evaluation incomplete",
        "Evaluasi belum lengkap",
        "Ratings are missing; the evaluation cannot be finalised.",
        "Set the ratings the detail names, then finalise.",
    ),
    ProblemType(
        "wrong-state",
        409,
        "State does not allow this",
        "Status tidak memungkinkan tindakan ini",
        "The evaluation or objection is not in a state that allows this step.",
        _REREAD,
    ),
    ProblemType(
        "no-supervision-in-period",
        409,
        "No assignment in the period",
        "Tidak ada penugasan dalam periode",
        "The employee has no recorded assignment during the period.",
        "Record the employee's assignment (reporting line) for the period first.",
    ),
    ProblemType(
        "stale-evaluation",
        412,
        "Stale evaluation",
        "Evaluasi sudah berubah",
        "`If-Match` does not match the evaluation's current ETag.",
        "GET it again, reapply the change, and send it with the new ETag.",
    ),
    ProblemType(
        "if-match-required",
        428,
        "If-Match required",
        "Header If-Match wajib",
        "Changing an evaluation needs `If-Match` with its current ETag.",
        "GET the evaluation and send the change with `If-Match: <ETag>`.",
    ),
    ProblemType(
        "evaluation-parts-open",
        409,
        "Evaluation parts still open",
        "Bagian evaluasi masih terbuka",
        "A part written by an earlier supervisor is still DRAFT.",
        "Its author finalises it, or an admin closes it with a reason; then finalise.",
    ),
    ProblemType(
        "reporting-line-changed",
        409,
        "Reporting line changed",
        "Garis atasan berubah",
        "The employee's reporting line changed during the period since the result was opened.",
        "The supervisor of record for the period takes over; read the result again.",
    ),
    ProblemType(
        "penilai-rank-required",
        409,
        "Pejabat penilai rank required",
        "Pejabat penilai harus berjabatan minimal pengawas",
        "Approving an SKP or finalising a result or a part needs a JPT, ADMINISTRATOR or PENGAWAS position, or a delegation recorded by the admin (PP 30/2019).",
        "An admin records the PPK's delegation at `POST /v1/penilai-delegations`, or corrects the reporting line so a pejabat pengawas or higher is the direct supervisor.",
    ),
    ProblemType(
        "penilai-delegation-not-found",
        404,
        "Penilai delegation not found",
        "Pendelegasian pejabat penilai tidak ditemukan",
        "No penilai delegation with that id.",
        "List the delegations (`GET /v1/penilai-delegations`).",
    ),
    ProblemType(
        "evaluation-needs-approved-skp",
        409,
        "No approved SKP covers the evaluation",
        "Belum ada SKP disetujui untuk periode evaluasi",
        "Finalising a periodic result or a part needs approved SKPs covering every day of its dates.",
        "The employee submits the SKP of the position held and the direct supervisor approves it; then rate its main results and finalise.",
    ),
    ProblemType(
        "rating-contradicts-main-results",
        409,
        "Result rating contradicts the main results",
        "Rating hasil kerja bertentangan dengan hasil kerja utama",
        "A result rating DI_ATAS_EKSPEKTASI needs no main (UTAMA) result rated DI_BAWAH_EKSPEKTASI.",
        "Lower the overall result rating, or correct the rating of the main result.",
    ),
    ProblemType(
        "rating-reason-required",
        409,
        "Written reason required",
        "Alasan tertulis wajib",
        "A DI_BAWAH_EKSPEKTASI rating, or a behaviour rating departing from the median of the seven BerAKHLAK levels, needs a written reason.",
        "Write `result_reason` or `behavior_reason` (PATCH the evaluation), or change the rating.",
    ),
    ProblemType(
        "rating-departs-from-org-predikat",
        409,
        "Unit head's rating departs from the organisation predikat",
        "Rating kepala unit tidak sesuai predikat organisasi",
        "The result rating of a unit's head follows the unit's organisation predikat for the period: ISTIMEWA gives DI_ATAS_EKSPEKTASI, BAIK gives SESUAI_EKSPEKTASI, BUTUH_PERBAIKAN, KURANG and SANGAT_KURANG give DI_BAWAH_EKSPEKTASI (SE 3/2023 step 3).",
        "Set the rating the message names, or ask the admin to record why not (`PUT /v1/evaluations/{id}/org-alignment-exception`).",
    ),
    ProblemType(
        "objection-exists",
        409,
        "Objection already lodged",
        "Keberatan sudah diajukan",
        "One objection per result (PP 30/2019 Pasal 59); the atasan's decision on it is final.",
        "Read the decision (`GET /v1/objections/{id}`).",
    ),
    ProblemType(
        "objection-window-closed",
        409,
        "Objection window closed",
        "Batas waktu keberatan terlewati",
        "An objection is lodged within the year's objection days (14 by default) of finalisation.",
        "Nothing to do through the API; the BKD admin sets the days of a year at `PUT /v1/calendar/{year}/rules`.",
    ),
    ProblemType(
        "cadence-locked",
        409,
        "Cadence locked",
        "Siklus evaluasi periodik terkunci",
        "A year's periodic cadence (monthly or quarterly) is fixed once the year has started on the province "
        "clock or once it has evaluations.",
        "Set the cadence of a year before 1 January of that year; other rules of the year can still change.",
    ),
    ProblemType(
        "period-not-in-cadence",
        409,
        "Period not in the year's cadence",
        "Periode tidak sesuai siklus tahun",
        "A month (`YYYY-MM`) belongs to a monthly year, a quarter (`YYYY-Qn`) to a quarterly one "
        "(`GET /v1/calendar/{year}/rules` gives the year's `cadence`).",
        "Use a period of the year's cadence, or the annual period `YYYY`.",
    ),
    ProblemType(
        "period-not-ended",
        409,
        "Period not ended",
        "Periode belum berakhir",
        "A period is evaluated after it has run: a periodic result (and a part) is finalised from the last day of "
        "its quarter or month (of its stretch), the annual result from 31 December or the earlier day the admin set for "
        "the year (province dates, WIB).",
        "Finalise on or after the date the message names; for the annual results the BKD admin may set an earlier "
        'day at `PUT /v1/calendar/{year}/rules {"annual_final_from": …}`.',
    ),
    ProblemType(
        "objection-decision-ratings",
        422,
        "Decision ratings missing or not allowed",
        "Rating keputusan keberatan tidak sesuai",
        "Accepting an objection sets result_rating and/or behavior_rating; rejecting keeps them.",
        "Send the ratings with `accept: true`, none with `accept: false`.",
    ),
]

MESSAGES = COMMON.extend(
    "kinerja",
    _TYPES,
    {
        # Units.
        "no unit with id {unit_id}": "tidak ada unit kerja dengan id {unit_id}",
        "no unit {unit_id}": "unit kerja {unit_id} tidak ditemukan",
        "unit {unit_id} does not exist": "unit kerja {unit_id} tidak ada",
        "parent unit {parent_id} does not exist": "unit induk {parent_id} tidak ada",
        "a unit with code {code!r} already exists": "unit kerja dengan kode {code!r} sudah ada",
        # Employees and the reporting line.
        "no employee with NIP {nip}": "tidak ada pegawai dengan NIP {nip}",
        "no employee {nip}": "pegawai {nip} tidak ditemukan",
        "no active employee with NIP {nip}": "tidak ada pegawai aktif dengan NIP {nip}",
        "an employee with NIP {nip} already exists": "pegawai dengan NIP {nip} sudah terdaftar",
        "no reporting line recorded for NIP {nip} on {day}": (
            "tidak ada garis atasan yang tercatat untuk NIP {nip} pada {day}"
        ),
        "employee {nip} cannot be their own supervisor": "pegawai {nip} tidak dapat menjadi atasannya sendiri",
        "supervisor {supervisor_nip} is not a known employee": "atasan {supervisor_nip} bukan pegawai yang terdaftar",
        "supervisor {supervisor_nip} is inactive; choose an active supervisor": (
            "atasan {supervisor_nip} tidak aktif; pilih atasan yang aktif"
        ),
        "making {supervisor_nip} the supervisor of {nip} would close a cycle in the reporting line: {line}": (
            "menjadikan {supervisor_nip} atasan {nip} akan membuat garis atasan melingkar: {line}"
        ),
        "employee {nip} still supervises {count} active employee(s) ({some}{more}); reassign them before deactivating": (
            "pegawai {nip} masih membawahi {count} pegawai aktif ({some}{more}); pindahkan mereka ke atasan lain "
            "sebelum menonaktifkan"
        ),
        "effective_on {day} is in the future; record a change on or after the day it happens": (
            "effective_on {day} berada di masa depan; catat perubahan pada atau setelah hari terjadinya"
        ),
        "effective_on {since} is before the current assignment began ({valid_from}); history is closed, not rewritten": (
            "effective_on {since} lebih awal daripada awal penugasan saat ini ({valid_from}); riwayat yang sudah "
            "ditutup tidak ditulis ulang"
        ),
        "the change is dated {since}, inside {final}, whose result for {nip} is FINAL; an admin reopens that result with a reason first (POST /v1/evaluations/{{id}}/reopen)": (
            "perubahan bertanggal {since}, di dalam {final}, yang hasilnya untuk {nip} sudah FINAL; admin membuka "
            "kembali hasil tersebut dengan alasan terlebih dahulu (POST /v1/evaluations/{{id}}/reopen)"
        ),
        "employee {nip} changed since you read it (now {etag}); read it again and retry": (
            "data pegawai {nip} berubah sejak Anda membacanya (kini {etag}); baca ulang lalu coba lagi"
        ),
        "rank {rank} is a PPPK golongan; a PNS has a golongan/ruang I/a..IV/e": (
            "golongan {rank} adalah golongan PPPK; PNS memiliki golongan/ruang I/a..IV/e"
        ),
        "rank {rank} is a PNS golongan/ruang; a PPPK has a golongan I..XVII": (
            "golongan {rank} adalah golongan/ruang PNS; PPPK memiliki golongan I..XVII"
        ),
        # NIP and NI PPPK rules (services/kinerja_api/nip.py); the label is "NIP" or "NI PPPK" in both languages.
        "{label} must be a string of {length} digits": "{label} harus berupa teks {length} digit",
        "{label} must be exactly {length} digits without spaces, got {value!r}": (
            "{label} harus tepat {length} digit tanpa spasi, yang diterima: {value!r}"
        ),
        "{label} birth date {raw} is not a real date": "tanggal lahir pada {label}, {raw}, bukan tanggal yang valid",
        "{label} birth date {born} is out of range ({min_year}-01-01 .. {latest})": (
            "tanggal lahir pada {label}, {born}, di luar rentang ({min_year}-01-01 .. {latest})"
        ),
        "{label} sex digit (position 15) must be 1 or 2, got {raw}": (
            "digit jenis kelamin pada {label} (posisi 15) harus 1 atau 2, yang diterima: {raw}"
        ),
        "{label} sequence number (positions 16-18) must be 001-999, got 000": (
            "nomor urut pada {label} (posisi 16-18) harus 001-999, yang diterima: 000"
        ),
        "NIP appointment month (TMT) {tmt} is not a real month": "bulan pengangkatan (TMT) pada NIP, {tmt}, bukan bulan yang valid",
        "NIP appointment month (TMT) {tmt} is in the future": "bulan pengangkatan (TMT) pada NIP, {tmt}, berada di masa depan",
        "NIP appointment month (TMT) {tmt} is before the holder turned {min_age} (born {born})": (
            "bulan pengangkatan (TMT) pada NIP, {tmt}, sebelum pemiliknya berusia {min_age} tahun (lahir {born})"
        ),
        "NI PPPK appointment year (TMT) {year} is in the future": (
            "tahun pengangkatan (TMT) pada NI PPPK, {year}, berada di masa depan"
        ),
        "NI PPPK appointment year (TMT) {year} is before the first PPPK ({first_year})": (
            "tahun pengangkatan (TMT) pada NI PPPK, {year}, lebih awal daripada PPPK pertama ({first_year})"
        ),
        "NI PPPK appointment year (TMT) {year} is before the holder turned {min_age}": (
            "tahun pengangkatan (TMT) pada NI PPPK, {year}, sebelum pemiliknya berusia {min_age} tahun"
        ),
        "NI PPPK code (position 13) must be 2, got {digit}": (
            "kode NI PPPK (posisi 13) harus 2, yang diterima: {digit}"
        ),
        # The CSV import.
        "send the file as text/csv (got {media})": "kirim berkas sebagai text/csv (yang diterima: {media})",
        "no content type": "tanpa Content-Type",
        "the file is empty; expected the header {columns}": "berkas kosong; header yang diharapkan: {columns}",
        "the file has a header but no employees": "berkas memiliki header tetapi tidak memuat pegawai",
        "line 1: the header must be exactly {columns} (or unit_id instead of unit_code), optionally followed by any of {optional}; got {names}": (
            "baris 1: header harus persis {columns} (atau unit_id sebagai pengganti unit_code), boleh diikuti "
            "kolom {optional}; yang diterima: {names}"
        ),
        # Issue 17: jenjang, PPPK contract, SIASN person id.
        "siasn_id {value} is not a SIASN person id (32 hexadecimal digits, optionally dashed 8-4-4-4-12)": (
            "siasn_id {value} bukan ID orang SIASN (32 digit heksadesimal, boleh dengan tanda hubung 8-4-4-4-12)"
        ),
        "jenjang {jenjang} is a functional level; position_type {position_type} has none": (
            "jenjang {jenjang} adalah jenjang jabatan fungsional; position_type {position_type} tidak memilikinya"
        ),
        "contract_start and contract_end are for PPPK only; a PNS has no contract": (
            "contract_start dan contract_end hanya untuk PPPK; PNS tidak memiliki perjanjian kerja"
        ),
        "contract_start and contract_end go together: give both or neither": (
            "contract_start dan contract_end harus diisi bersama: isi keduanya atau kosongkan keduanya"
        ),
        "contract_end {end} is before contract_start {start}": (
            "contract_end {end} lebih awal daripada contract_start {start}"
        ),
        "{nip} has no annual result for {year}; the supervisor evaluates and finalises it first": (
            "{nip} belum memiliki hasil evaluasi tahunan {year}; atasan mengevaluasi dan memfinalkannya lebih dulu"
        ),
        "the annual result {year} of {nip} is {status}, not FINAL; the supervisor finalises it first": (
            "hasil evaluasi tahunan {year} untuk {nip} berstatus {status}, belum FINAL; atasan memfinalkannya lebih dulu"
        ),
        "{nip} held no functional level (jenjang) in {year}; record it on the employee first": (
            "{nip} tidak menduduki jenjang jabatan fungsional pada {year}; catat jenjangnya pada data pegawai lebih dulu"
        ),
        "no evaluation document for NIP {nip} and year {year}": (
            "tidak ada dokumen evaluasi kinerja untuk NIP {nip} tahun {year}"
        ),
        "siasn_id {siasn_id} already belongs to employee {owner}": (
            "siasn_id {siasn_id} sudah dimiliki pegawai {owner}"
        ),
        "line {line_num}: the CSV is malformed: {error}": "baris {line_num}: format CSV tidak valid: {error}",
        "the body is not UTF-8: byte 0x{byte:02x} at offset {start} (line {line}); save the file as UTF-8 and retry": (
            "isi berkas bukan UTF-8: bita 0x{byte:02x} pada posisi {start} (baris {line}); simpan berkas sebagai "
            "UTF-8 lalu coba lagi"
        ),
        "{count} of {total} lines are invalid; nothing was imported": (
            "{count} dari {total} baris tidak valid; tidak ada yang diimpor"
        ),
        # SKP.
        "no SKP with id {skp_id}": "tidak ada SKP dengan id {skp_id}",
        "SKP {id} changed since you read it (now {etag}); read it again and retry": (
            "SKP {id} berubah sejak Anda membacanya (kini {etag}); baca ulang lalu coba lagi"
        ),
        "SKP {id} has no result {result_id}": "SKP {id} tidak memiliki hasil kerja {result_id}",
        "your token carries no NIP, so there is no SKP you can create": (
            "token Anda tidak memuat NIP, sehingga tidak ada SKP yang dapat Anda buat"
        ),
        "an employee creates only their own SKP": "pegawai hanya dapat membuat SKP miliknya sendiri",
        "name the employee whose SKP this is": "sebutkan pegawai pemilik SKP ini",
        "employee {nip} already has an SKP for {year}": "pegawai {nip} sudah memiliki SKP untuk tahun {year}",
        "employee {nip} already has an SKP for {year} covering the position {position} from {start}": (
            "pegawai {nip} sudah memiliki SKP tahun {year} untuk jabatan {position} sejak {start}"
        ),
        "SKP {id} covered the position {position} until {until}; it is closed and frozen. "
        "The new position has its own SKP": (
            "SKP {id} berlaku untuk jabatan {position} sampai {until}; SKP ini sudah ditutup dan dikunci. "
            "Jabatan yang baru memiliki SKP tersendiri"
        ),
        "parent_result_id {parent} belongs to your supervisor's SKP for {start}..{end}, which does "
        "not cover {day}; name a result of the SKP they hold today": (
            "parent_result_id {parent} termasuk SKP atasan Anda untuk {start}..{end}, yang tidak mencakup "
            "{day}; sebutkan hasil kerja dari SKP yang berlaku bagi atasan Anda hari ini"
        ),
        "no realisations of SKP {id} for {period}": "tidak ada realisasi SKP {id} untuk periode {period}",
        "{count} line(s) change the reporting line inside a period whose result is FINAL; "
        "nothing was imported": (
            "{count} baris mengubah hubungan atasan langsung di dalam periode yang hasilnya sudah FINAL; "
            "tidak ada yang diimpor"
        ),
        "SKP {id} is approved and frozen; it can no longer change": (
            "SKP {id} sudah disetujui dan dikunci; SKP ini tidak dapat diubah lagi"
        ),
        "SKP {id} is already approved and frozen": "SKP {id} sudah disetujui dan dikunci",
        "SKP {id} is {status} and awaits the supervisor's decision; it can change again once returned": (
            "SKP {id} berstatus {status} dan menunggu keputusan atasan; SKP dapat diubah lagi setelah dikembalikan"
        ),
        "SKP {id} is {status}; only a submitted SKP can be {verb}": (
            "SKP {id} berstatus {status}; hanya SKP yang sudah diajukan yang dapat {verb}"
        ),
        "approved": "disetujui",
        "returned": "dikembalikan",
        "SKP {id} is {status}; realisations are reported on an approved SKP": (
            "SKP {id} berstatus {status}; realisasi hanya dilaporkan pada SKP yang sudah disetujui"
        ),
        "only the employee whose SKP it is may change it": "hanya pegawai pemilik SKP yang dapat mengubahnya",
        "only the employee whose SKP it is may submit it": "hanya pegawai pemilik SKP yang dapat mengajukannya",
        "only the employee whose SKP it is reports its realisations": (
            "hanya pegawai pemilik SKP yang dapat melaporkan realisasinya"
        ),
        "only the employee's direct supervisor may approve or return this SKP": (
            "hanya atasan langsung pegawai yang dapat menyetujui atau mengembalikan SKP ini"
        ),
        "only the employee's direct supervisor gives feedback on their realisations": (
            "hanya atasan langsung pegawai yang dapat memberi umpan balik atas realisasinya"
        ),
        "employee {nip} answers to the governor (no supervisor in the reporting line); an admin decides in the governor's name": (
            "atasan pegawai {nip} adalah gubernur (tidak ada atasan dalam garis atasan); admin memutuskan atas nama "
            "gubernur"
        ),
        "an SKP needs at least one main (UTAMA) result with an indicator before submission": (
            "SKP memerlukan sedikitnya satu hasil kerja utama (UTAMA) dengan indikator sebelum diajukan"
        ),
        "an SKP holds at most {max} results": "SKP memuat paling banyak {max} hasil kerja",
        "a JPT result needs a perspective (PENERIMA_LAYANAN, PROSES_BISNIS, PENGUATAN_INTERNAL, ANGGARAN)": (
            "hasil kerja JPT memerlukan perspektif (PENERIMA_LAYANAN, PROSES_BISNIS, PENGUATAN_INTERNAL, ANGGARAN)"
        ),
        "a JPT result (or one of a unit head answering to the governor) carries a perspective, not a parent_result_id": (
            "hasil kerja JPT (atau kepala unit yang atasannya gubernur) memuat perspektif, bukan parent_result_id"
        ),
        "perspective belongs to JPT results; a non-JPT result names parent_result_id and may give an aspect": (
            "perspektif hanya untuk hasil kerja JPT; hasil kerja non-JPT menyebut parent_result_id dan boleh "
            "memuat aspek"
        ),
        "a main (UTAMA) result must name parent_result_id: the result of your direct supervisor {supervisor}'s approved {year} SKP that it supports": (
            "hasil kerja utama (UTAMA) wajib menyebut parent_result_id: hasil kerja dalam SKP {year} atasan langsung "
            "Anda, {supervisor}, yang sudah disetujui dan yang didukungnya"
        ),
        "parent_result_id {parent_result_id} is not a result of any SKP": (
            "parent_result_id {parent_result_id} bukan hasil kerja dari SKP mana pun"
        ),
        "parent_result_id {parent_result_id} belongs to {whose}, not to the SKP of your direct supervisor {supervisor}": (
            "parent_result_id {parent_result_id} termasuk {whose}, bukan SKP atasan langsung Anda {supervisor}"
        ),
        "your own SKP": "SKP Anda sendiri",
        "the SKP of another person ({nip})": "SKP orang lain ({nip})",
        "parent_result_id {parent_result_id} belongs to your supervisor's SKP for {parent_year}; this SKP is for {year}": (
            "parent_result_id {parent_result_id} termasuk SKP atasan Anda untuk tahun {parent_year}; SKP ini untuk "
            "tahun {year}"
        ),
        "your supervisor {supervisor}'s {year} SKP is {status}, not approved yet; a result can only support a result of an approved SKP": (
            "SKP {year} atasan Anda {supervisor} berstatus {status}, belum disetujui; hasil kerja hanya dapat "
            "mendukung hasil kerja dari SKP yang sudah disetujui"
        ),
        "period {period} is not in {year}, the year of this SKP": "periode {period} tidak berada dalam tahun {year}, tahun SKP ini",
        "indicator {indicator_id} is not an indicator of SKP {id}": "indikator {indicator_id} bukan indikator SKP {id}",
        "no realisation with id {realization_id}": "tidak ada realisasi dengan id {realization_id}",
        # Periods and the calendar.
        "the cadence of {year} is fixed: the year has started ({start})": (
            "siklus evaluasi periodik {year} sudah tetap: tahun itu sudah dimulai ({start})"
        ),
        "the cadence of {year} is fixed: {count} evaluation(s) of the year exist": (
            "siklus evaluasi periodik {year} sudah tetap: sudah ada {count} evaluasi pada tahun itu"
        ),
        "{code} is not a period of {year}'s cadence ({cadence}); use {example} or {year}": (
            "{code} bukan periode siklus tahun {year} ({cadence}); gunakan {example} atau {year}"
        ),
        "year out of range 2000-2100": "tahun di luar rentang 2000-2100",
        "period {code} has not started yet (it begins {start})": "periode {code} belum dimulai (dimulai {start})",
        # Evaluations, parts and objections.
        "no evaluation {evaluation_id}": "evaluasi {evaluation_id} tidak ditemukan",
        "the evaluation changed since you read it (now {etag}); read it again and retry": (
            "evaluasi ini berubah sejak Anda membacanya (kini {etag}); baca ulang lalu coba lagi"
        ),
        "no objection {objection_id}": "keberatan {objection_id} tidak ditemukan",
        "no part {part_id} of evaluation {result_id}": "bagian {part_id} dari evaluasi {result_id} tidak ditemukan",
        "employee {acting_nip} is no longer active and cannot act on evaluations": (
            "pegawai {acting_nip} sudah tidak aktif dan tidak dapat bertindak atas evaluasi"
        ),
        "nobody evaluates themselves; your direct supervisor evaluates you": (
            "tidak ada yang menilai dirinya sendiri; atasan langsung Anda yang menilai Anda"
        ),
        "employee {nip} has no recorded assignment during {code}": (
            "pegawai {nip} tidak memiliki penugasan yang tercatat selama {code}"
        ),
        "only a direct supervisor during {code} evaluates {nip}: {who}": (
            "hanya atasan langsung selama {code} yang menilai {nip}: {who}"
        ),
        "the governor (through an admin)": "gubernur (melalui admin)",
        "the governor": "gubernur",
        "{nip} heads the unit, whose organisation predikat for {period} is {org}: the result rating must be {expected}, or an admin records why not (PUT /v1/evaluations/{id}/org-alignment-exception)": (
            "{nip} adalah kepala unit yang predikat organisasinya untuk {period} adalah {org}: rating hasil kerja "
            "harus {expected}, atau admin mencatat alasannya (PUT /v1/evaluations/{id}/org-alignment-exception)"
        ),
        "only an admin records an exception to the organisation predikat": (
            "hanya admin yang mencatat pengecualian terhadap predikat organisasi"
        ),
        "an exception to the organisation predikat is recorded on a DRAFT result, or on a FINAL one with a pending objection": (
            "pengecualian terhadap predikat organisasi dicatat pada hasil berstatus DRAFT, atau pada hasil FINAL "
            "yang keberatannya sedang menunggu putusan"
        ),
        "the {code} result of {nip} already exists: /v1/evaluations/{id} (earlier supervisors add their part at /v1/evaluations/{id}/parts)": (
            "hasil {code} untuk {nip} sudah ada: /v1/evaluations/{id} (atasan sebelumnya menambahkan bagiannya di "
            "/v1/evaluations/{id}/parts)"
        ),
        "the {code} result of {nip} was just opened by another request": (
            "hasil {code} untuk {nip} baru saja dibuka oleh permintaan lain"
        ),
        "only the evaluator changes an evaluation": "hanya penilai yang dapat mengubah evaluasi",
        "the evaluation is FINAL and locked; an admin can reopen it with a reason": (
            "evaluasi sudah FINAL dan terkunci; admin dapat membukanya kembali dengan alasan"
        ),
        "a reopened evaluation was final once; correct it instead of deleting it": (
            "evaluasi yang dibuka kembali pernah final; perbaiki evaluasi tersebut alih-alih menghapusnya"
        ),
        "this result holds parts written by earlier supervisors; it cannot be discarded": (
            "hasil ini memuat bagian yang ditulis oleh atasan sebelumnya; hasil ini tidak dapat dibuang"
        ),
        "set {missing} before finalising": "isi {missing} sebelum finalisasi",
        "the reporting line of {nip} changed during {period} since this result was opened; the supervisor of record at the period's end is now {supervisor}: discard this draft and let them open the result, then add your part": (
            "garis atasan {nip} berubah selama {period} sejak hasil ini dibuka; atasan yang tercatat pada akhir "
            "periode kini {supervisor}: buang draf ini dan biarkan atasan tersebut membuka hasilnya, lalu tambahkan "
            "bagian Anda"
        ),
        "the {period} result cannot be finalised while a part is DRAFT ({listed}); its author finalises it, or an admin closes it with a reason when the author left the service": (
            "hasil {period} tidak dapat difinalisasi selama masih ada bagian berstatus DRAFT ({listed}); penulisnya "
            "memfinalisasi bagian itu, atau admin menutupnya dengan alasan jika penulisnya sudah tidak aktif"
        ),
        "only an admin reopens an evaluation": "hanya admin yang dapat membuka kembali evaluasi",
        "only a FINAL evaluation can be reopened": "hanya evaluasi berstatus FINAL yang dapat dibuka kembali",
        "only the evaluated employee acknowledges an evaluation": (
            "hanya pegawai yang dinilai yang dapat menyatakan telah menerima evaluasi"
        ),
        "only a FINAL evaluation can be acknowledged": (
            "hanya evaluasi berstatus FINAL yang dapat dinyatakan telah diterima"
        ),
        "only the evaluated employee lodges an objection": "hanya pegawai yang dinilai yang dapat mengajukan keberatan",
        "an objection is lodged against a FINAL evaluation": "keberatan diajukan terhadap evaluasi berstatus FINAL",
        "an objection to this evaluation is already waiting for a decision": (
            "keberatan atas evaluasi ini sudah menunggu keputusan"
        ),
        "only the evaluator's own supervisor decides this objection": (
            "hanya atasan dari penilai yang dapat memutuskan keberatan ini"
        ),
        "the objection was already decided ({status})": "keberatan ini sudah diputuskan ({status})",
        "this objection was lodged against an evaluation that is now a part of the period result; it stays as history, read-only: object to the period result instead": (
            "keberatan ini diajukan terhadap evaluasi yang kini menjadi bagian dari hasil periode; keberatan ini "
            "tetap sebagai riwayat dan hanya dapat dibaca: ajukan keberatan terhadap hasil periode"
        ),
        "the {period} result is FINAL; an admin reopens it with a reason before a part is added": (
            "hasil {period} sudah FINAL; admin membukanya kembali dengan alasan sebelum bagian ditambahkan"
        ),
        "only a supervisor of an earlier stretch of {period} assesses a part of this result": (
            "hanya atasan dari rentang penugasan sebelumnya dalam {period} yang menilai bagian dari hasil ini"
        ),
        "none of your stretches of {period} starts on {start_on}: {starts}": (
            "tidak ada rentang penugasan Anda dalam {period} yang dimulai pada {start_on}: {starts}"
        ),
        "the part {start}..{end} of this result exists already": "bagian {start}..{end} dari hasil ini sudah ada",
        "this part was just opened by another request": "bagian ini baru saja dibuka oleh permintaan lain",
        "only the part's author finalises it": "hanya penulis bagian ini yang dapat memfinalisasinya",
        "the part is FINAL and locked": "bagian ini sudah FINAL dan terkunci",
        "only an admin closes a part": "hanya admin yang dapat menutup bagian",
        "the part is FINAL already": "bagian ini sudah FINAL",
        "only the part of an author who left the service is closed by an admin": (
            "admin hanya menutup bagian yang penulisnya sudah tidak aktif"
        ),
        # Anchored ratings (issue 16).
        "no approved SKP of {nip} covers {start}..{end}: the employee submits an SKP for the position held and the direct supervisor approves it before the result is finalised": (
            "belum ada SKP {nip} yang disetujui untuk {start}..{end}: pegawai mengajukan SKP jabatan yang dipegang dan "
            "atasan langsung menyetujuinya sebelum hasil evaluasi difinalisasi"
        ),
        "rate each main (UTAMA) result of the SKP before finalising (main_ratings); not rated yet: {missing}": (
            "beri rating setiap hasil kerja utama SKP sebelum finalisasi (main_ratings); belum dinilai: {missing}"
        ),
        "the result rating DI_ATAS_EKSPEKTASI needs no main result below expectation; rated DI_BAWAH_EKSPEKTASI: {below}": (
            "rating hasil kerja DI_ATAS_EKSPEKTASI mensyaratkan tidak ada hasil kerja utama di bawah ekspektasi; "
            "dinilai DI_BAWAH_EKSPEKTASI: {below}"
        ),
        "a DI_BAWAH_EKSPEKTASI result rating needs a written result_reason": (
            "rating hasil kerja DI_BAWAH_EKSPEKTASI wajib disertai alasan tertulis (result_reason)"
        ),
        "a DI_BAWAH_EKSPEKTASI behaviour rating needs a written behavior_reason": (
            "rating perilaku kerja DI_BAWAH_EKSPEKTASI wajib disertai alasan tertulis (behavior_reason)"
        ),
        "set the level of each of the seven BerAKHLAK values in behavior_notes before finalising; the overall behaviour rating follows from them": (
            "isi level ketujuh nilai BerAKHLAK pada behavior_notes sebelum finalisasi; rating perilaku kerja "
            "mengikuti level-level tersebut"
        ),
        "the behaviour rating {rating} departs from the median of the seven BerAKHLAK levels ({median}); set it to {median} or write behavior_reason": (
            "rating perilaku kerja {rating} berbeda dari median ketujuh level BerAKHLAK ({median}); ubah menjadi "
            "{median} atau tulis alasan (behavior_reason)"
        ),
        "the annual result rating {rating} departs from the year's periodic results ({prefill}); write result_reason": (
            "rating hasil kerja tahunan {rating} berbeda dari hasil evaluasi periodik tahun ini ({prefill}); tulis "
            "alasannya (result_reason)"
        ),
        "the annual behaviour rating {rating} departs from the year's periodic results ({prefill}); write behavior_reason": (
            "rating perilaku kerja tahunan {rating} berbeda dari hasil evaluasi periodik tahun ini ({prefill}); tulis "
            "alasannya (behavior_reason)"
        ),
        # Objections per PP 30/2019 Pasal 59 (issue 16).
        "one objection per result: an objection to this result was already decided, and that decision is final": (
            "satu keberatan untuk satu hasil evaluasi: keberatan atas hasil ini sudah diputus, dan putusannya final"
        ),
        "an objection is lodged within {days} days of finalisation: this result was finalised on {received}, the last day was {last_day}": (
            "keberatan diajukan paling lambat {days} hari sejak finalisasi: hasil ini difinalisasi pada {received}, "
            "hari terakhir adalah {last_day}"
        ),
        "the {period} result can be finalised from {day}, the last day of the period; today is {today}": (
            "hasil {period} dapat difinalisasi mulai {day}, hari terakhir periode; hari ini {today}"
        ),
        "the annual {period} result can be finalised from {day}; today is {today} (the admin may set an earlier day at PUT /v1/calendar/{period}/rules)": (
            "hasil tahunan {period} dapat difinalisasi mulai {day}; hari ini {today} (admin dapat menetapkan tanggal "
            "lebih awal di PUT /v1/calendar/{period}/rules)"
        ),
        "this part can be finalised from {day}, the last day of its stretch; today is {today}": (
            "bagian evaluasi ini dapat difinalisasi mulai {day}, hari terakhir rentangnya; hari ini {today}"
        ),
        "annual_final_from {day} is not a day of {year}: the annual results of {year} are finalised from a day of that year, 31 December at the latest": (
            "annual_final_from {day} bukan tanggal pada tahun {year}: hasil tahunan {year} difinalisasi mulai suatu "
            "tanggal pada tahun itu, paling lambat 31 Desember"
        ),
        "accepting an objection sets the result: send result_rating and/or behavior_rating": (
            "menerima keberatan berarti menetapkan hasil: kirim result_rating dan/atau behavior_rating"
        ),
        "rejecting an objection keeps the ratings: send no rating": (
            "menolak keberatan berarti rating tetap: jangan kirim rating"
        ),
        "the atasan's decision on the objection to this result is final; it is not reopened": (
            "putusan atasan atas keberatan terhadap hasil ini final; hasil ini tidak dibuka kembali"
        ),
        # The penilai's rank and delegations (issue 16).
        "{act} needs a pejabat penilai: {actor} holds a {position} position, not JPT, ADMINISTRATOR or PENGAWAS, and no delegation for {nip} covers {day}; an admin records the PPK's delegation at POST /v1/penilai-delegations, or the reporting line is corrected": (
            "{act} harus oleh pejabat penilai: {actor} berjabatan {position}, bukan JPT, ADMINISTRATOR, atau PENGAWAS, "
            "dan tidak ada pendelegasian untuk {nip} yang berlaku pada {day}; admin mencatat pendelegasian dari PPK di "
            "POST /v1/penilai-delegations, atau garis atasan diperbaiki"
        ),
        "finalising a result": "memfinalisasi hasil evaluasi",
        "finalising a part": "memfinalisasi bagian evaluasi",
        "approving an SKP": "menyetujui SKP",
        "no penilai delegation {id}": "pendelegasian pejabat penilai {id} tidak ditemukan",
        # Reports and the audit trail.
        "{what} is for admins, integrators and the head of the unit": (
            "{what} hanya untuk admin, integrator, dan kepala unit"
        ),
        "the distribution": "distribusi predikat",
        "the compliance report": "laporan kepatuhan",
        "kinerjaperiodik carries periodic (triwulan or bulanan) evaluations; the annual one goes to SIASN's SKP endpoints. Ask for a quarter or a month, e.g. 2026-Q1 or 2026-01.": (
            "kinerjaperiodik memuat evaluasi periodik (triwulanan atau bulanan); evaluasi tahunan dikirim melalui "
            "endpoint SKP SIASN. Mintalah satu triwulan atau satu bulan, misalnya 2026-Q1 atau 2026-01."
        ),
    },
)
"""kinerja's catalogue (types and messages)."""
