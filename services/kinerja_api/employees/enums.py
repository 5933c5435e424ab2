"""Value sets of the registry (api-contract §3; domain.md §5.2-5.3). Pure, shared by schemas and the import."""

from __future__ import annotations

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
