"""SIASN reference ids the kinerjaperiodik payload needs (domain.md §8.2, §11.4).

``penilaiGolongan`` is an id of SIASN's ``golonganPns`` reference table, not the rank text.

Source: the SIASN reference table ``golonganPns`` as bundled in the SDK black-coffee04/ws-siasn-php
(``src/Data/Referensi/golonganPns.json.gz``; the SDK's kinerjaperiodik example says
``"penilaiGolongan" => "referensi golonganPns"``). The gzip file could not be read from here; the ids below are
BKN's two-digit golongan codes (first digit the golongan I..IV, second the ruang a..e), the same table that
third-party SIASN/SAPK importers map ``'11' => 'I/A'`` … ``'45' => 'IV/E'`` (secondary, consistent across
several public integrations). Check against the instansi's own ``/referensi`` answer before the first push.

PPPK golongan I..XVII: no public source for their SIASN reference ids was found, so a PPPK penilai gets no
``penilaiGolongan`` (null) and the export says so (``unmapped_penilai_golongan``) instead of guessing.
"""

from __future__ import annotations

from types import MappingProxyType

GOLONGAN_PNS_ID = MappingProxyType(
    {
        "I/a": "11", "I/b": "12", "I/c": "13", "I/d": "14",
        "II/a": "21", "II/b": "22", "II/c": "23", "II/d": "24",
        "III/a": "31", "III/b": "32", "III/c": "33", "III/d": "34",
        "IV/a": "41", "IV/b": "42", "IV/c": "43", "IV/d": "44", "IV/e": "45",
    }
)  # fmt: skip

PERIODIK_BULANAN = 1
PERIODIK_TRIWULAN = 2
