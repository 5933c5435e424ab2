"""The JP ledger's "this year" is Bengkulu's (WIB): at 05:00 WIB on 1 January (22:00 UTC the day before) it
is already the new year, at 23:30 WIB on 31 December still the old one."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from services.common import clock
from tests.pelatihan.helpers import (
    Headers,
    at_end,
    enrol_and_approve,
    make_institution,
    make_program,
    make_session,
    nip,
)
from tests.pelatihan.kinerja_standin import StandIn

BOSS = nip(900)


@pytest.fixture(autouse=True)
def real_clock_after() -> Iterator[None]:
    yield
    clock.set_fake_now(None)


@pytest.mark.parametrize(
    ("instant", "year", "jp"),
    [("2027-01-01T05:00:00+07:00", 2027, 12), ("2026-12-31T23:30:00+07:00", 2026, 0)],
)
async def test_the_ledger_defaults_to_the_wib_year(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn, instant: str, year: int, jp: int
) -> None:
    inst = await make_institution(api, h)
    program = await make_program(api, h, inst, jp=12, mode="NONKLASIKAL")
    # A session on 1 January 2027 credits its JP to 2027.
    s = await make_session(api, h, program, starts_on="2027-01-01", ends_on="2027-01-01")
    who = nip(51)
    kinerja.add(who, supervisor_nip=BOSS)
    enrolment = await enrol_and_approve(api, h, s["id"], who, BOSS)
    with at_end(s):
        r = await api.post(
            f"/v1/enrolments/{enrolment['id']}/complete", json={"passed": True}, headers=h.mitra(inst)
        )
    assert r.status_code == 200, r.text

    moved = await api.put("/internal/v1/clock", json={"now": instant}, headers=h.admin())
    assert (moved.status_code, moved.json()["year"]) == (200, year)
    ledger = (await api.get(f"/v1/employees/{who}/jp", headers=h.pegawai(who))).json()
    assert (ledger["year"], ledger["jp_total"]) == (year, jp)
