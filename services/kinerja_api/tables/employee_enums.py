"""Value sets of the registry (api-contract §3; domain.md §5.2-5.3). Pure, shared by schemas and the import."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from services.common.i18n import msg


class PositionType(StrEnum):
    """Jabatan type: JPT, the three JA levels, or JF (UU 20/2023; domain.md §5.3)."""

    JPT = "JPT"
    ADMINISTRATOR = "ADMINISTRATOR"
    PENGAWAS = "PENGAWAS"
    PELAKSANA = "PELAKSANA"
    FUNGSIONAL = "FUNGSIONAL"


class Employment(StrEnum):
    """PNS (civil servant) or PPPK (government employee on contract)."""

    PNS = "PNS"
    PPPK = "PPPK"


class Rank(StrEnum):
    """Golongan/ruang: I/a..IV/e for PNS (17 values — there is no I/e, II/e or III/e, domain.md §5.2),
    golongan I..XVII for PPPK (Perpres 98/2020)."""

    I_A = "I/a"
    I_B = "I/b"
    I_C = "I/c"
    I_D = "I/d"
    II_A = "II/a"
    II_B = "II/b"
    II_C = "II/c"
    II_D = "II/d"
    III_A = "III/a"
    III_B = "III/b"
    III_C = "III/c"
    III_D = "III/d"
    IV_A = "IV/a"
    IV_B = "IV/b"
    IV_C = "IV/c"
    IV_D = "IV/d"
    IV_E = "IV/e"
    PPPK_I = "I"
    PPPK_II = "II"
    PPPK_III = "III"
    PPPK_IV = "IV"
    PPPK_V = "V"
    PPPK_VI = "VI"
    PPPK_VII = "VII"
    PPPK_VIII = "VIII"
    PPPK_IX = "IX"
    PPPK_X = "X"
    PPPK_XI = "XI"
    PPPK_XII = "XII"
    PPPK_XIII = "XIII"
    PPPK_XIV = "XIV"
    PPPK_XV = "XV"
    PPPK_XVI = "XVI"
    PPPK_XVII = "XVII"

    @property
    def is_pns(self) -> bool:
        """True for a PNS golongan/ruang (it contains a slash)."""
        return "/" in self.value


PNS_RANKS = tuple(r for r in Rank if r.is_pns)
PPPK_RANKS = tuple(r for r in Rank if not r.is_pns)


def rank_mismatch(rank: Rank, employment: Employment) -> str | None:
    """Why ``rank`` does not fit ``employment``, or None when it does."""
    if employment is Employment.PNS and not rank.is_pns:
        return msg("rank {rank} is a PPPK golongan; a PNS has a golongan/ruang I/a..IV/e", rank=rank.value)
    if employment is Employment.PPPK and rank.is_pns:
        return msg("rank {rank} is a PNS golongan/ruang; a PPPK has a golongan I..XVII", rank=rank.value)
    return None


class Jenjang(StrEnum):
    """Functional level (jenjang jabatan fungsional): keterampilan Pemula..Penyelia, keahlian Ahli Pertama..Ahli
    Utama (domain.md §5.3, §11.4). Held on the assignment with its effective dates; only a JF has one."""

    PEMULA = "PEMULA"
    TERAMPIL = "TERAMPIL"
    MAHIR = "MAHIR"
    PENYELIA = "PENYELIA"
    AHLI_PERTAMA = "AHLI_PERTAMA"
    AHLI_MUDA = "AHLI_MUDA"
    AHLI_MADYA = "AHLI_MADYA"
    AHLI_UTAMA = "AHLI_UTAMA"


# SIASN's person id ("ID SAPK/SIASN", domain.md §11.4) is an Oracle GUID: 32 hexadecimal digits, sometimes
# written in the dashed 8-4-4-4-12 form. Anything else is a typo (often a NIP pasted into the wrong column).
SIASN_ID_PATTERN = (
    r"^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$"
)
_SIASN_ID = re.compile(SIASN_ID_PATTERN)


def siasn_id_problem(value: str) -> str | None:
    """Why ``value`` is not a SIASN person id, or None when it is one."""
    if _SIASN_ID.fullmatch(value):
        return None
    return msg(
        "siasn_id {value} is not a SIASN person id (32 hexadecimal digits, optionally dashed 8-4-4-4-12)",
        value=value[:64],
    )


def jenjang_problem(jenjang: Jenjang | None, position_type: PositionType) -> str | None:
    """Why a jenjang does not fit the position type (only a JF has one), or None."""
    if jenjang is not None and position_type is not PositionType.FUNGSIONAL:
        return msg(
            "jenjang {jenjang} is a functional level; position_type {position_type} has none",
            jenjang=jenjang.value,
            position_type=position_type.value,
        )
    return None


def contract_problem(employment: Employment, start: date | None, end: date | None) -> str | None:
    """Why contract dates do not fit (only a PPPK has a contract; the end is after the start), or None."""
    if employment is Employment.PNS and (start is not None or end is not None):
        return msg("contract_start and contract_end are for PPPK only; a PNS has no contract")
    if (start is None) != (end is None):
        return msg("contract_start and contract_end go together: give both or neither")
    if start is not None and end is not None and end < start:
        return msg(
            "contract_end {end} is before contract_start {start}",
            end=end.isoformat(),
            start=start.isoformat(),
        )
    return None
