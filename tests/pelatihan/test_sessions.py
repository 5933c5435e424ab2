"""Sessions: bad data refused, ETag and If-Match, capacity never below confirmed seats."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.pelatihan.helpers import (
    Headers,
    enrol_and_approve,
    make_institution,
    make_program,
    make_session,
    nip,
    window,
)
from tests.pelatihan.kinerja_standin import StandIn


async def test_bad_sessions_refused(api: httpx.AsyncClient, h: Headers) -> None:
    prog = await make_program(api, h, await make_institution(api, h))
    base = {"program_id": prog, "capacity": 10, "location": "Aula", **window()}
    cases: list[dict[str, Any]] = [
        {"ends_on": "2000-01-01"},
        {"capacity": 0},
        {**window(closes_in=timedelta(days=10)), "starts_on": window()["starts_on"]},
    ]
    for change in cases:
        r = await api.post("/v1/sessions", json={**base, **change}, headers=h.training_admin())
        assert r.status_code == 422, change
        assert r.headers["content-type"] == "application/problem+json"
    r = await api.post("/v1/sessions", json=base, headers=h.pegawai(nip(1)))
    assert r.status_code == 403


async def test_etag_if_match_and_capacity(api: httpx.AsyncClient, h: Headers, kinerja: StandIn) -> None:
    boss = nip(900)
    for i in range(4):
        kinerja.add(nip(i), supervisor_nip=boss)
    prog = await make_program(api, h, await make_institution(api, h))
    s = await make_session(api, h, prog, capacity=2)
    for i in range(4):
        await enrol_and_approve(api, h, s["id"], nip(i), boss)
    r = await api.get(f"/v1/sessions/{s['id']}", headers=h.training_admin())
    tag = r.headers["etag"]
    r = await api.patch(f"/v1/sessions/{s['id']}", json={"capacity": 3}, headers=h.training_admin())
    assert r.status_code == 428
    r = await api.patch(
        f"/v1/sessions/{s['id']}", json={"capacity": 1}, headers={**h.training_admin(), "If-Match": tag}
    )
    assert r.status_code == 409
    r = await api.patch(
        f"/v1/sessions/{s['id']}", json={"capacity": 3}, headers={**h.training_admin(), "If-Match": tag}
    )
    assert r.status_code == 200, r.text
    assert r.headers["etag"] != tag
    assert (r.json()["seats_taken"], r.json()["waitlist_length"]) == (3, 1)
    r = await api.patch(
        f"/v1/sessions/{s['id']}",
        json={"location": "X Hall"},
        headers={**h.training_admin(), "If-Match": tag},
    )
    assert r.status_code == 412
    assert r.headers["content-type"] == "application/problem+json"


async def test_database_itself_refuses_overbooking_and_duplicates(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn, db: str
) -> None:
    """The guarantees do not rest on Python: the CHECK constraint and the partial unique index hold even
    for a statement that bypasses the service."""
    boss = nip(900)
    kinerja.add(nip(1), supervisor_nip=boss)
    prog = await make_program(api, h, await make_institution(api, h))
    s = await make_session(api, h, prog, capacity=1)
    await enrol_and_approve(api, h, s["id"], nip(1), boss)
    conn = await asyncpg.connect(db)
    try:
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "UPDATE pelatihan.training_session SET seats_taken = seats_taken + 1 WHERE id = $1", s["id"]
            )
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(
                "INSERT INTO pelatihan.enrolment (id, session_id, nip, status, requested_by)"
                " VALUES (gen_random_uuid(), $1, $2, 'PENDING_APPROVAL', 'x')",
                s["id"],
                nip(1),
            )
    finally:
        await conn.close()
