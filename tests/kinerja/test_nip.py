"""Every NIP (and NI PPPK) rule, on good and bad examples (domain.md §5.1)."""

from __future__ import annotations

from datetime import date

import pytest

from services.kinerja_api.nip import NipError, format_nip, parse_ni_pppk, parse_nip, validate_identifier

TODAY = date(2026, 11, 28)


def test_good_nip_parts() -> None:
    parts = parse_nip("198609262015051001", today=TODAY)
    assert parts.birth_date == date(1986, 9, 26)
    assert parts.appointed == date(2015, 5, 1)
    assert parts.sex == 1
    assert parts.sequence == 1
    assert format_nip("198609262015051001") == "19860926 201505 1 001"


@pytest.mark.parametrize(
    "nip",
    [
        "198609262015052001",  # female
        "198609262015051999",  # highest sequence
        "194001012000011001",  # oldest birth year accepted
        "200001012020011001",  # appointed at 20
        "198002292005011001",  # born on 29 February of a leap year
        "200811012026111001",  # born 17 years ago, appointed this month
    ],
)
def test_good_nips(nip: str) -> None:
    parse_nip(nip, today=TODAY)


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("19860926201505100", "exactly 18 digits"),
        ("1986092620150510011", "exactly 18 digits"),
        ("19860926 201505100", "exactly 18 digits"),
        ("1986092620150510a1", "exactly 18 digits"),
        ("١٩٨٦٠٩٢٦٢٠١٥٠٥١٠٠١", "exactly 18 digits"),  # non-ASCII digits
        ("198613312015051001", "NIP birth date 19861331 is not a real date"),
        ("198602302015051001", "NIP birth date 19860230 is not a real date"),
        ("198102292005011001", "NIP birth date 19810229 is not a real date"),
        ("198609002015051001", "NIP birth date 19860900 is not a real date"),
        ("193912312000011001", "NIP birth date 1939-12-31 is out of range"),
        ("201001012026011001", "NIP birth date 2010-01-01 is out of range"),
        ("198609262015131001", "NIP appointment month (TMT) 201513 is not a real month"),
        ("198609262015001001", "NIP appointment month (TMT) 201500 is not a real month"),
        ("198609262027011001", "NIP appointment month (TMT) 202701 is in the future"),
        ("198609262026121001", "NIP appointment month (TMT) 202612 is in the future"),
        ("198609262000011001", "NIP appointment month (TMT) 200001 is before the holder turned 17"),
        ("198609262015053001", "NIP sex digit (position 15) must be 1 or 2, got 3"),
        ("198609262015050001", "NIP sex digit (position 15) must be 1 or 2, got 0"),
        ("198609262015051000", "NIP sequence number (positions 16-18) must be 001-999, got 000"),
    ],
)
def test_bad_nips_say_which_part(nip: str, message: str) -> None:
    with pytest.raises(NipError) as caught:
        parse_nip(nip, today=TODAY)
    assert message in str(caught.value)


def test_good_ni_pppk() -> None:
    parts = parse_ni_pppk("199001012021211001", today=TODAY)
    assert parts.birth_date == date(1990, 1, 1)
    assert parts.appointed == date(2021, 1, 1)
    assert (parts.sex, parts.sequence) == (1, 1)
    # The PPPK layout is accepted only for PPPK; as a PNS NIP its "TMT" 202121 is no month.
    validate_identifier("199001012021211001", "PPPK", today=TODAY)
    with pytest.raises(NipError, match="not a real month"):
        validate_identifier("199001012021211001", "PNS", today=TODAY)


@pytest.mark.parametrize(
    ("ni", "message"),
    [
        ("199013012021211001", "NI PPPK birth date 19901301 is not a real date"),
        ("199001012027211001", "NI PPPK appointment year (TMT) 2027 is in the future"),
        ("199001012015211001", "NI PPPK appointment year (TMT) 2015 is before the first PPPK"),
        ("201001012024211001", "NI PPPK birth date 2010-01-01 is out of range"),
        ("199001012021311001", "NI PPPK code (position 13) must be 2, got 3"),
        ("199001012021215001", "NI PPPK sex digit (position 15) must be 1 or 2, got 5"),
        ("199001012021211000", "NI PPPK sequence number (positions 16-18) must be 001-999, got 000"),
        ("19900101202121100", "NI PPPK must be exactly 18 digits"),
    ],
)
def test_bad_ni_pppk(ni: str, message: str) -> None:
    with pytest.raises(NipError) as caught:
        parse_ni_pppk(ni, today=TODAY)
    assert message in str(caught.value)


def test_pppk_tmt_year_not_before_age_17() -> None:
    # Born 2005: turned 17 in 2022, so a 2021 appointment is impossible.
    with pytest.raises(NipError, match="before the holder turned 17"):
        parse_ni_pppk("200501012021211001", today=TODAY)
