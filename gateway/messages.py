"""The gateway's message catalogue: the details of its own problems (accounts, API clients, webhooks, the
proxy and the rate limiter) in Bahasa Indonesia, on top of the shared catalogue (services/common/messages.py).

``/auth/token`` errors are RFC 6749 documents, not problems: their ``error`` codes are machine-readable and
their ``error_description`` stays English (docs/errors.md says why), so they are not listed here.
"""

from __future__ import annotations

from services.common.messages import COMMON

MESSAGES = COMMON.extend(
    "gateway",
    [],
    {
        # Accounts and API clients (gateway/identity/service.py).
        "An account named {username!r} already exists.": "Akun dengan nama {username!r} sudah ada.",
        "No account named {username!r}.": "Tidak ada akun dengan nama {username!r}.",
        "Admins cannot disable their own account or drop their own admin role.": (
            "Admin tidak dapat menonaktifkan akunnya sendiri atau melepaskan peran admin miliknya sendiri."
        ),
        "role pegawai needs a nip": "peran pegawai memerlukan nip",
        "role mitra needs an institution_id": "peran mitra memerlukan institution_id",
        "No API client {client_id!r}.": "Tidak ada klien API {client_id!r}.",
        "API client {client_id!r} is revoked; register a new one.": (
            "Klien API {client_id!r} sudah dicabut; daftarkan klien baru."
        ),
        # Webhooks (gateway/webhooks/).
        "No webhook event is made from {type!r}.": "Tidak ada peristiwa webhook yang dibuat dari {type!r}.",
        "{type} needs the data fields {missing}.": "{type} memerlukan kolom data {missing}.",
        "No webhook endpoint {endpoint_id}.": "Tidak ada endpoint webhook {endpoint_id}.",
        "No active API client {client_id}.": "Tidak ada klien API aktif {client_id}.",
        "The endpoint is paused; activate it before replaying.": (
            "Endpoint sedang dijeda; aktifkan terlebih dahulu sebelum mengirim ulang."
        ),
        "from_cursor is not valid": "Nilai from_cursor tidak valid",
        "Webhook URLs must use https.": "URL webhook harus menggunakan https.",
        "Webhook URLs must not carry credentials.": "URL webhook tidak boleh memuat kredensial.",
        "The URL has no host.": "URL tidak memiliki host.",
        "Webhook URLs must not carry a fragment.": "URL webhook tidak boleh memuat fragmen.",
        "The URL is malformed.": "Format URL tidak valid.",
        "The host {host!r} does not resolve.": "Host {host!r} tidak dapat di-resolve.",
        "The host {host!r} resolves to a loopback, private, link-local or reserved address.": (
            "Host {host!r} mengarah ke alamat loopback, privat, link-local, atau yang dicadangkan."
        ),
        # The composed unit scorecard (gateway/reports/): the services' own details, already in the language.
        "{service}: {detail}": "{service}: {detail}",
        "No service could answer: {reasons}": "Tidak ada layanan yang dapat menjawab: {reasons}",
        # The proxy (gateway/proxy.py) and the rate limiter (gateway/ratelimit.py).
        "No healthy instance of {name} is available.": "Tidak ada instans {name} yang sehat saat ini.",
        "{name} is unavailable; retry shortly.": "{name} sedang tidak tersedia; coba lagi sesaat lagi.",
        "{name} dropped the request; retry shortly.": "{name} memutus permintaan; coba lagi sesaat lagi.",
        "{name} did not answer in time.": "{name} tidak menjawab tepat waktu.",
        "{name} sent an invalid response.": "{name} mengirim jawaban yang tidak valid.",
        "Too many uploads in progress from this address; retry shortly.": (
            "Terlalu banyak unggahan yang sedang berlangsung dari alamat ini; coba lagi sesaat lagi."
        ),
        "The request body did not arrive within {seconds:g} s.": (
            "Isi permintaan tidak diterima seluruhnya dalam {seconds:g} detik."
        ),
        "Too many requests from this address; retry later.": (
            "Terlalu banyak permintaan dari alamat ini; coba lagi nanti."
        ),
        "This API client's rate limit is used up; retry later.": (
            "Batas laju permintaan klien API ini sudah habis; coba lagi nanti."
        ),
        "Too many requests with this account's tokens; retry later.": (
            "Terlalu banyak permintaan dengan token akun ini; coba lagi nanti."
        ),
        "{client_id!r} is one of the services' own API clients; revoking it stops the services from "
        'calling each other. Send {{"confirm": "{client_id}"}} to revoke it anyway.': (
            "{client_id!r} adalah salah satu klien API milik layanan sendiri; mencabutnya membuat layanan "
            'tidak dapat saling memanggil. Kirim {{"confirm": "{client_id}"}} untuk tetap mencabutnya.'
        ),
    },
)
"""The gateway's catalogue (types and messages)."""
