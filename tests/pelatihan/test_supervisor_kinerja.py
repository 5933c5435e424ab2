"""The approval rule checked against the real kinerja app (contract test): pelatihan's typed client talks to
kinerja_api in-process over ASGI with a service token; kinerja's reporting line decides who approves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from services.common.http import make_client
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app as kinerja_app
from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.main import create_app as pelatihan_app
from services.pelatihan_api.state import pelatihan_state
from tests.pelatihan.helpers import Headers, make_institution, make_program, make_session
from tests.support.fixtures import Tokens, free_port, running

BOSS = "197501012000031001"
EMPLOYEE = "198609262015051001"
COLLEAGUE = "199001012015052003"


@pytest.fixture
async def linked(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """pelatihan whose kinerja client reaches the real kinerja app, seeded with a small reporting line."""
    kapp = kinerja_app(settings_for(KinerjaSettings))
    async with running(kapp) as kinerja:
        unit = await kinerja.post(
            "/v1/units", json={"code": "BKD", "name": "Badan Kepegawaian Daerah"}, headers=tokens.admin()
        )
        assert unit.status_code == 201, unit.text
        people = [
            (BOSS, None, "ADMINISTRATOR", "IV/a"),
            (EMPLOYEE, BOSS, "PELAKSANA", "III/a"),
            (COLLEAGUE, BOSS, "PELAKSANA", "II/c"),
        ]
        for nip, sup, ptype, rank in people:
            r = await kinerja.post(
                "/v1/employees",
                json={
                    "nip": nip,
                    "name": f"Pegawai {nip[-3:]}",
                    "unit_id": unit.json()["id"],
                    "position": "Analis SDM",
                    "position_type": ptype,
                    "rank": rank,
                    "employment": "PNS",
                    "supervisor_nip": sup,
                },
                headers=tokens.admin(),
            )
            assert r.status_code == 201, r.text
        papp = pelatihan_app(settings_for(PelatihanSettings))
        async with running(papp) as api:
            pelatihan_state(papp).kinerja_client = make_client(
                "http://kinerja", transport=httpx.ASGITransport(app=kapp), timeout_s=5.0
            )
            pelatihan_state(papp).kinerja_client.headers.update(tokens.service("svc-pelatihan"))
            try:
                yield api, papp
            finally:
                await pelatihan_state(papp).kinerja_client.aclose()


async def test_real_kinerja_decides_who_approves(linked: tuple[httpx.AsyncClient, Any], h: Headers) -> None:
    api, papp = linked
    prog = await make_program(api, h, await make_institution(api, h))
    s = await make_session(api, h, prog, capacity=5, min_rank="III/a")
    # Eligibility asks kinerja for an employee the roster does not hold yet.
    r = await api.post(
        f"/v1/sessions/{s['id']}/enrolments", json={"nip": COLLEAGUE}, headers=h.pegawai(COLLEAGUE)
    )
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/not-eligible")
    r = await api.post(
        f"/v1/sessions/{s['id']}/enrolments", json={"nip": EMPLOYEE}, headers=h.pegawai(EMPLOYEE)
    )
    assert r.status_code == 201, r.text
    enrolment = r.json()["id"]
    # A colleague with the same supervisor, and the employee, are refused; the supervisor approves.
    for who in (COLLEAGUE, EMPLOYEE):
        r = await api.post(f"/v1/enrolments/{enrolment}/approve", headers=h.pegawai(who))
        assert r.status_code == 403, (who, r.text)
    r = await api.post(f"/v1/enrolments/{enrolment}/approve", headers=h.pegawai(BOSS))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "CONFIRMED"
    # The supervisor may also nominate a report, and read their ledger.
    r = await api.post(f"/v1/sessions/{s['id']}/enrolments", json={"nip": BOSS}, headers=h.pegawai(EMPLOYEE))
    assert r.status_code == 403
    r = await api.get(f"/v1/employees/{EMPLOYEE}/jp", headers=h.pegawai(BOSS))
    assert r.status_code == 200, r.text
    assert r.json()["employment"] == "PNS"
    r = await api.get(f"/v1/employees/{BOSS}/jp", headers=h.pegawai(EMPLOYEE))
    assert r.status_code == 403

    # kinerja goes away: the same approval question now gets 503 and nothing is decided.
    other = await make_session(api, h, prog, capacity=5)
    r = await api.post(
        f"/v1/sessions/{other['id']}/enrolments", json={"nip": EMPLOYEE}, headers=h.pegawai(EMPLOYEE)
    )
    pending = r.json()["id"]
    real = pelatihan_state(papp).kinerja_client
    pelatihan_state(papp).kinerja_client = make_client(f"http://127.0.0.1:{free_port()}", timeout_s=1.0)
    try:
        r = await api.post(f"/v1/enrolments/{pending}/approve", headers=h.pegawai(BOSS))
        assert r.status_code == 503
        assert r.json()["type"].endswith("/kinerja-unavailable")
    finally:
        await pelatihan_state(papp).kinerja_client.aclose()
        pelatihan_state(papp).kinerja_client = real
    r = await api.get(f"/v1/enrolments/{pending}", headers=h.pegawai(EMPLOYEE))
    assert r.json()["status"] == "PENDING_APPROVAL"
