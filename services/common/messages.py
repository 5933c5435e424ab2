"""The shared message catalogue: the generic problem types every app answers with, and the details raised
by the shared kernel (auth, pagination, reports, the edge middleware, the crash handler).

Every app's own catalogue (``services/<app>/messages.py``, ``gateway/messages.py``) extends this one.
Indonesian follows Ejaan yang Disempurnakan and the vocabulary of BKN/KemenPAN-RB documents; field and
parameter names (``cursor``, ``If-Match``) stay as the API spells them.
"""

from __future__ import annotations

from services.common.i18n import Catalogue, ProblemType

_GENERIC = [
    ProblemType(
        "bad-request",
        400,
        "Bad request",
        "Permintaan tidak dapat dipahami",
        "The request cannot be understood as sent.",
        "Fix the request as the detail says; repeating it unchanged fails again.",
    ),
    ProblemType(
        "unauthorized",
        401,
        "Unauthorized",
        "Autentikasi diperlukan",
        "No bearer token, or one that is malformed, expired, or not signed by a current key.",
        "Get a new token from `POST /auth/token` and send it as `Authorization: Bearer <token>`.",
    ),
    ProblemType(
        "forbidden",
        403,
        "Forbidden",
        "Tidak diizinkan",
        "The caller is known but their roles do not allow this action.",
        "Do not retry with the same token; ask an admin for the role the detail names.",
    ),
    ProblemType(
        "not-found",
        404,
        "Not found",
        "Tidak ditemukan",
        "Nothing exists at this address, or nothing the caller may see (both answer 404).",
        "Check the identifier; do not retry unchanged.",
    ),
    ProblemType(
        "method-not-allowed",
        405,
        "Method not allowed",
        "Metode tidak diizinkan",
        "The path exists but does not take this HTTP method.",
        "Use a method the `Allow` header lists.",
    ),
    ProblemType(
        "not-acceptable",
        406,
        "Not acceptable",
        "Format tidak dapat diberikan",
        "The `Accept` header allows none of the media types this resource is served as.",
        "Accept one of the media types the detail lists (or `*/*`), or use `?format=`.",
    ),
    ProblemType(
        "conflict",
        409,
        "Conflict",
        "Bertentangan dengan keadaan data",
        "The request is well formed but conflicts with the current state of the resource.",
        "Read the resource again, and change the request (or the resource) as the detail says.",
    ),
    ProblemType(
        "precondition-failed",
        412,
        "Precondition failed",
        "Prasyarat tidak terpenuhi",
        "The `If-Match` ETag is not the resource's current one: someone changed it since it was read.",
        "GET the resource again, reapply the change to the fresh copy, and send it with the new ETag.",
    ),
    ProblemType(
        "content-too-large",
        413,
        "Content too large",
        "Isi permintaan terlalu besar",
        "The request body is larger than this path accepts.",
        "Send a smaller body (split an import into several files).",
    ),
    ProblemType(
        "unsupported-media-type",
        415,
        "Unsupported media type",
        "Jenis media tidak didukung",
        "The body's `Content-Type` is not one this path reads.",
        "Send the body with the media type the detail names.",
    ),
    ProblemType(
        "unprocessable-content",
        422,
        "Unprocessable content",
        "Isi permintaan tidak dapat diproses",
        "The body or parameters are well formed but cannot be processed.",
        "Fix the request as the detail says.",
    ),
    ProblemType(
        "precondition-required",
        428,
        "Precondition required",
        "Prasyarat diperlukan",
        "This change needs an `If-Match` header so it cannot overwrite someone else's change.",
        "GET the resource, then send the change with `If-Match: <its ETag>`.",
    ),
    ProblemType(
        "request-timeout",
        408,
        "Request timeout",
        "Waktu pengiriman permintaan habis",
        "The request body did not arrive completely within the gateway's deadline; nothing was forwarded.",
        "Send the request again over a faster or steadier connection; large files may need a retry.",
    ),
    ProblemType(
        "too-many-requests",
        429,
        "Too many requests",
        "Terlalu banyak permintaan",
        "The caller sent more requests than its limit allows.",
        "Wait the seconds `Retry-After` gives, then retry; slow down.",
    ),
    ProblemType(
        "internal-server-error",
        500,
        "Internal server error",
        "Kesalahan internal server",
        "An unexpected error; nothing about it is shown to the caller.",
        "Retry later; if it persists, report the `request_id` to the operators.",
    ),
    ProblemType(
        "bad-gateway",
        502,
        "Bad gateway",
        "Jawaban layanan tidak valid",
        "The service behind the gateway sent an invalid answer.",
        "Retry later; report the `request_id` if it persists.",
    ),
    ProblemType(
        "service-unavailable",
        503,
        "Service unavailable",
        "Layanan tidak tersedia",
        "The service, its database, or a service it depends on is unavailable for now.",
        "Retry after the seconds `Retry-After` gives, with backoff. Under overload the refusal of a request on a "
        "new connection may close it (`Connection: close`): retry on a new connection, as HTTP clients do.",
    ),
    ProblemType(
        "gateway-timeout",
        504,
        "Gateway timeout",
        "Layanan tidak menjawab tepat waktu",
        "The service behind the gateway did not answer in time; the change may or may not have happened.",
        "Read the resource to see whether the change happened before retrying it.",
    ),
]

GENERIC: dict[int, ProblemType] = {t.status: t for t in _GENERIC}
"""The generic type of each status: what a problem without a more specific type is answered as."""

COMMON = Catalogue(
    "common",
    {
        t.slug: t
        for t in [
            *_GENERIC,
            ProblemType(
                "validation-error",
                422,
                "Invalid request",
                "Permintaan tidak valid",
                "The body or the parameters break the API's rules; `errors` lists each location and why.",
                "Fix every location `errors` lists, then send the request again.",
            ),
        ]
    },
    {
        # The edge, the crash handler, Starlette's own answers.
        "The request is malformed; see errors.": "Permintaan tidak valid; lihat daftar errors.",
        # The period grammar (services/common/periods.py).
        "period {code!r} is not one of: {forms}": "periode {code!r} bukan salah satu dari: {forms}",
        "period {code!r}: year out of range 2000-2100": "periode {code!r}: tahun di luar rentang 2000-2100",
        "period index {index} out of range for {kind}": "nomor periode {index} di luar rentang untuk {kind}",
        "The body is larger than {limit} bytes.": "Isi permintaan melebihi {limit} bita.",
        # Ambiguous body framing (request smuggling), refused at the edge.
        "The request has both Content-Length and Transfer-Encoding.": (
            "Permintaan memuat Content-Length sekaligus Transfer-Encoding."
        ),
        "Transfer-Encoding must be exactly 'chunked'.": "Transfer-Encoding harus tepat 'chunked'.",
        "The request has more than one Content-Length.": "Permintaan memuat lebih dari satu Content-Length.",
        "The Content-Length is not a number.": "Content-Length bukan bilangan.",
        "The database is unavailable; retry shortly.": "Basis data sedang tidak tersedia; coba lagi sesaat lagi.",
        "A value cannot be stored (for example a NUL character in a text).": (
            "Sebuah nilai tidak dapat disimpan (misalnya karakter NUL di dalam teks)."
        ),
        "A dependency timed out.": "Layanan yang dibutuhkan tidak menjawab tepat waktu.",
        "The service is busy; retry after {seconds} s.": "Layanan sedang sibuk; coba lagi setelah {seconds} detik.",
        "An unexpected error occurred.": "Terjadi kesalahan yang tidak terduga.",
        "Not found.": "Tidak ditemukan.",
        "Not Found": "Tidak ditemukan",
        "Method Not Allowed": "Metode tidak diizinkan",
        # Every app's audit routes (services/common/changes/api.py).
        "entity_id needs entity": "entity_id memerlukan entity",
        # Tokens and roles (services/common/auth.py).
        "Missing or invalid bearer token": "Token bearer tidak ada atau tidak valid",
        "Malformed token": "Format token tidak valid",
        "Token algorithm not accepted": "Algoritma token tidak diterima",
        "Token has no key id": "Token tidak memiliki ID kunci (kid)",
        "Token signed by an unknown key": "Token ditandatangani dengan kunci yang tidak dikenal",
        "Invalid or expired token": "Token tidak valid atau sudah kedaluwarsa",
        "The token was revoked; sign in again.": "Token telah dicabut; silakan masuk kembali.",
        "Token carries no roles": "Token tidak memuat peran apa pun",
        "Authorization header must be 'Bearer <token>'": "Header Authorization harus berbentuk 'Bearer <token>'",
        "This action needs one of the roles: {roles}": "Tindakan ini memerlukan salah satu peran berikut: {roles}",
        # Conditional requests (services/common/conditional.py).
        "send If-Match with the ETag you read, so no change is overwritten": (
            "kirim If-Match berisi ETag yang Anda baca, agar tidak ada perubahan yang tertimpa"
        ),
        "the resource changed since you read it; read it again and retry": (
            "sumber daya ini berubah sejak Anda membacanya; baca ulang lalu coba lagi"
        ),
        # Lists, change logs, events, report formats.
        "cursor is not valid": "Nilai cursor tidak valid",
        "This answer carries people's NIPs or names: it needs the scope {scope}, which an admin "
        "grants to the API client (docs/integrators.md, Scopes).": (
            "Jawaban ini memuat NIP atau nama orang: diperlukan scope {scope}, yang diberikan admin kepada "
            "klien API (docs/integrators.md, Scopes)."
        ),
        "{name} does not know event type {event_type}": "{name} tidak mengenal jenis peristiwa {event_type}",
        "{name} does not know version {version} of {event_type} (it knows versions {known})": (
            "{name} tidak mengenal versi {version} dari {event_type} (versi yang dikenal: {known})"
        ),
        "the data of {event_type} v{version} does not fit its model": (
            "Data peristiwa {event_type} v{version} tidak sesuai dengan modelnya"
        ),
        "This report is available as {json}, {csv} or {xlsx}; the Accept header allows none of them.": (
            "Laporan ini tersedia sebagai {json}, {csv}, atau {xlsx}; header Accept tidak mengizinkan satu pun."
        ),
        "format={format} asks for {media}, which the Accept header does not allow.": (
            "format={format} meminta {media}, yang tidak diizinkan oleh header Accept."
        ),
    },
)
"""The shared catalogue; each app's extends it."""
