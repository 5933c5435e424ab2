"""Confirmations and completions are queued for the gateway's webhooks in the transaction that made them."""

from __future__ import annotations

import json

import asyncpg
import httpx

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
from tests.support.fixtures import plain_dsn

BOSS = nip(900)


async def test_confirmation_and_completion_reach_the_gateway_outbox(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn, db: str
) -> None:
    inst = await make_institution(api, h)
    session = await make_session(
        api, h, await make_program(api, h, inst, jp=8, mode="NONKLASIKAL"), capacity=1
    )
    kinerja.add(nip(1), supervisor_nip=BOSS, unit_id="00000000-0000-4000-8000-000000000009")
    enrolment = await enrol_and_approve(api, h, session["id"], nip(1), BOSS)
    with at_end(session):
        done = await api.post(
            f"/v1/enrolments/{enrolment['id']}/complete", json={"passed": True}, headers=h.mitra(inst)
        )
    assert done.status_code == 200, done.text
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        rows = await conn.fetch(
            "SELECT event_type, payload::text AS p FROM pelatihan.outbox_event WHERE destination = 'gateway'"
        )
    finally:
        await conn.close()
    events = {r["event_type"]: json.loads(r["p"]) for r in rows}
    assert events["pelatihan.enrolment_confirmed"] == {
        "enrolment_id": enrolment["id"],
        "session_id": session["id"],
        "nip": nip(1),
        "status": "CONFIRMED",
        # Documented in docs/integrators.md, and sent since issue 11.
        "program_id": session["program_id"],
    }
    completed = events["pelatihan.training_completed"]
    assert (completed["enrolment_id"], completed["status"], completed["jp"]) == (
        enrolment["id"],
        "COMPLETED",
        8,
    )
    assert completed["certificate_number"] == done.json()["certificate"]["number"]
    # The documented fields: the programme, and the session's last day (the certificate's date), not the
    # day the result was typed.
    assert completed["program_id"] == session["program_id"]
    assert completed["completed_on"] == session["ends_on"] == done.json()["certificate"]["completed_on"]
