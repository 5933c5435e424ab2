"""Deterministic sample data: valid NIPs, Indonesian names and employee CSVs, for the demo seed, the tests
and the import benchmark. Never used for real data."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

FIRST_MALE = (
    "Ahmad", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Kurniawan", "Rahmat", "Rudi", "Slamet",
    "Teguh", "Wahyu", "Yusuf", "Zulkifli", "Agus", "Bambang", "Darmawan", "Firmansyah", "Hasan", "Iwan",
    "Mulyadi", "Nofri", "Rizki", "Sugeng", "Syahrial", "Taufik", "Zainal", "Arief",
)  # fmt: skip
FIRST_FEMALE = (
    "Ani", "Dewi", "Eka", "Fitri", "Indah", "Lestari", "Maya", "Nurul", "Putri", "Rina", "Sari", "Siti",
    "Sri", "Wulan", "Yuliana", "Ratna", "Desi", "Novita", "Rahmawati", "Suryani", "Herlina", "Mega",
    "Oktaviani", "Puspita", "Yeni", "Meri", "Elvira", "Nining", "Rosmalinda", "Lia",
)  # fmt: skip
LAST = (
    "Saputra", "Hidayat", "Pratama", "Wijaya", "Nasution", "Siregar", "Harahap", "Lubis", "Gunawan",
    "Setiawan", "Kurniawati", "Susanti", "Rahman", "Hakim", "Syahputra", "Ramadhan", "Permana", "Utami",
    "Anggraini", "Maharani", "Febrianti", "Wahyuni", "Effendi", "Sembiring", "Rejang", "Serawai",
    "Marlina", "Yulianti", "Sumantri", "Fadillah",
)  # fmt: skip
TITLES_PRE = ("", "", "", "", "Drs. ", "Dr. ", "Ir. ", "H. ", "Hj. ")
TITLES_POST = (
    "",
    "",
    "",
    ", S.E.",
    ", S.H.",
    ", S.Kom.",
    ", S.Sos.",
    ", M.Si.",
    ", S.Pd.",
    ", S.T.",
    ", M.M.",
)

CSV_HEADER = "nip,name,unit_code,position,position_type,rank,employment,supervisor_nip,active\n"


def make_nip(
    rng: random.Random, *, sex: int, birth_from: int = 1965, birth_to: int = 1998, seq: int = 1
) -> str:
    """A valid PNS NIP: a real birth date, a TMT month between age 22 and today, the sex digit."""
    born = date(birth_from, 1, 1) + timedelta(
        days=rng.randrange((date(birth_to, 12, 31) - date(birth_from, 1, 1)).days)
    )
    first = max(born.year + 22, 1990)
    year = rng.randint(first, min(first + 12, 2025))
    month = rng.randint(1, 12)
    return f"{born:%Y%m%d}{year:04d}{month:02d}{sex}{seq:03d}"


def make_ni_pppk(rng: random.Random, *, sex: int, seq: int = 1) -> str:
    """A NI PPPK in the (unverified) layout nip.py accepts: birth date, TMT year, 2, round, sex, sequence."""
    born = date(1975, 1, 1) + timedelta(days=rng.randrange(8000))
    year = rng.choice((2021, 2022, 2023, 2024))
    return f"{born:%Y%m%d}{year:04d}2{rng.randint(1, 3)}{sex}{seq:03d}"


def make_name(rng: random.Random, sex: int) -> str:
    """An Indonesian name, sometimes with academic or hajj titles."""
    first = rng.choice(FIRST_MALE if sex == 1 else FIRST_FEMALE)
    pre = rng.choice(TITLES_PRE)
    if (sex == 1 and pre == "Hj. ") or (sex == 2 and pre == "H. "):
        pre = ""
    return f"{pre}{first} {rng.choice(LAST)}{rng.choice(TITLES_POST)}"


def numbered_nip(i: int) -> str:
    """A valid, unique NIP for every ``i`` below 1,350,000 (for large generated files)."""
    born = date(1965, 1, 1) + timedelta(days=i % 9000)
    year = 2010 + (i // 9000) % 15
    month = i % 12 + 1
    seq = i // 135000 + 1
    return f"{born:%Y%m%d}{year:04d}{month:02d}{1 + i % 2}{seq:03d}"


def employees_csv(n: int, unit_code: str, *, seed: int = 2026, name_suffix: str = "") -> str:
    """A CSV of ``n`` employees in one unit: a head, ~1% administrators under them, ~10% pengawas
    under those, and staff under the pengawas — a valid reporting line throughout."""
    rng = random.Random(seed)
    nips = [numbered_nip(i) for i in range(n)]
    n_admin = max(1, n // 100)
    n_pengawas = max(1, n // 10)
    out = io.StringIO()
    out.write(CSV_HEADER)
    for i, nip in enumerate(nips):
        sex = int(nip[14])
        if i == 0:
            ptype, rank, pos, sup = "JPT", "IV/c", "Kepala Badan", ""
        elif i <= n_admin:
            ptype, rank, pos, sup = "ADMINISTRATOR", "IV/a", "Kepala Bidang", nips[0]
        elif i <= n_admin + n_pengawas:
            ptype, rank, pos, sup = "PENGAWAS", "III/d", "Kepala Sub Bidang", nips[1 + i % n_admin]
        else:
            ptype = rng.choice(("PELAKSANA", "FUNGSIONAL"))
            rank = rng.choice(("II/c", "II/d", "III/a", "III/b", "III/c"))
            pos = "Analis Kepegawaian" if ptype == "FUNGSIONAL" else "Pengadministrasi Umum"
            sup = nips[1 + n_admin + i % n_pengawas]
        name = make_name(rng, sex) + name_suffix
        out.write(f'{nip},"{name}",{unit_code},{pos},{ptype},{rank},PNS,{sup},true\n')
    return out.getvalue()
