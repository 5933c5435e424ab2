"""Contention: 300 employees ask for one 30-seat session and their supervisors approve, all at once, as
concurrent HTTP requests against pelatihan running as a real uvicorn process. The supervisor look-ups go
to the kinerja stand-in served on loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.pelatihan.helpers import Headers, make_institution, make_program, make_session, nip
from tests.pelatihan.kinerja_standin import StandIn
from tests.pelatihan.process import pelatihan_process
from tests.support.fixtures import Tokens

pytestmark = pytest.mark.slow

EMPLOYEES, SEATS, SUPERVISORS = 300, 30, 12
# 600 requests queue for pelatihan's 20 pooled connections. In production a request that waits more than
# PELATIHAN_DB_POOL_TIMEOUT_S (5 s) for one is answered 503 "retry shortly"; on a loaded shared machine (CI
# beside other work, load average 16) the queue alone passed that and the test failed on 503s that say
# nothing about seats. This test is about who gets a seat, so the process waits for a connection as long as
# the client waits for an answer, and the admission gate in front of the pool (services/common/admission.py)
# queues all 600 for as long instead of refusing those past its queue or its 3 s. Likewise each approval's
# supervisor look-up at kinerja (3 s in production, then 503 "kinerja unavailable"): the stand-in answers from
# this test's own event loop, beside the 600 requests, and passed 3 s under load in CI. Any 5xx, error or
# wrong count still fails it.
WAIT_S = 120


async def test_300_approvals_for_30_seats(
    db: str, tokens: Tokens, h: Headers, kinerja: StandIn, tmp_path: Path
) -> None:
    bosses = [nip(5000 + b) for b in range(SUPERVISORS)]
    for i in range(EMPLOYEES):
        kinerja.add(nip(i), supervisor_nip=bosses[i % SUPERVISORS])
    async with (
        pelatihan_process(
            db,
            tokens.signer.public_pem,
            kinerja.url,
            tmp_path / "pelatihan.log",
            PELATIHAN_DB_POOL_TIMEOUT_S=str(WAIT_S),
            PELATIHAN_DB_ADMISSION_QUEUE=str(EMPLOYEES * 2),
            PELATIHAN_DB_ADMISSION_MAX_WAIT_S=str(WAIT_S),
            PELATIHAN_KINERJA_TIMEOUT_S=str(WAIT_S),
        ) as url,
        httpx.AsyncClient(
            base_url=url, timeout=float(WAIT_S), limits=httpx.Limits(max_connections=EMPLOYEES * 2)
        ) as client,
    ):
        prog = await make_program(client, h, await make_institution(client, h))
        s = await make_session(client, h, prog, capacity=SEATS)
        statuses: list[int] = []
        failures: list[str] = []

        async def one(i: int) -> str:
            r = await client.post(
                f"/v1/sessions/{s['id']}/enrolments", json={"nip": nip(i)}, headers=h.pegawai(nip(i))
            )
            statuses.append(r.status_code)
            if r.status_code >= 500:
                failures.append(r.text)
            assert r.status_code == 201, r.text
            r = await client.post(
                f"/v1/enrolments/{r.json()['id']}/approve", headers=h.pegawai(bosses[i % SUPERVISORS])
            )
            statuses.append(r.status_code)
            if r.status_code >= 500:
                failures.append(r.text)
            assert r.status_code == 200, r.text
            return str(r.json()["status"])

        results = await asyncio.gather(*[one(i) for i in range(EMPLOYEES)], return_exceptions=True)
        assert not failures, (len(failures), [f[60:260] for f in failures[:3]])
        errors = [r for r in results if isinstance(r, BaseException)]
        assert not errors, errors[:3]
        assert results.count("CONFIRMED") == SEATS
        assert results.count("WAITLISTED") == EMPLOYEES - SEATS
        got = (await client.get(f"/v1/sessions/{s['id']}", headers=h.training_admin())).json()
        assert (got["seats_taken"], got["waitlist_length"]) == (SEATS, EMPLOYEES - SEATS)
        positions: list[int] = []
        cursor = None
        while True:
            params: dict[str, str | int] = {"status": "WAITLISTED", "limit": 200}
            if cursor:
                params["cursor"] = cursor
            page = (
                await client.get(
                    f"/v1/sessions/{s['id']}/enrolments", params=params, headers=h.training_admin()
                )
            ).json()
            positions.extend(e["waitlist_position"] for e in page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert sorted(positions) == list(range(1, EMPLOYEES - SEATS + 1))
