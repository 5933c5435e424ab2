"""pelatihan's audit chain: every change is one entry per record it touched, written by record_change in the
same transaction as the change-log row and the webhook; admins and training admins read and verify it, and
a row rewritten in the database breaks the chain."""

from __future__ import annotations

import asyncpg
import httpx

from tests.pelatihan.helpers import (
    Headers,
    enrol_and_approve,
    make_institution,
    make_program,
    make_session,
    nip,
)
from tests.pelatihan.kinerja_standin import StandIn
from tests.support.audit_checks import entries, readers_only, tamper_and_verify, verify
from tests.support.fixtures import plain_dsn

AUDIT = "/v1/audit"


async def test_a_change_writes_one_verified_entry_per_record(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn, db: str
) -> None:
    inst = await make_institution(api, h)
    created = await entries(api, AUDIT, h.admin(), "institution", inst)
    assert [(e["action"], e["actor"], e["before"]) for e in created] == [
        ("institution.create", "trainer", None)
    ]
    session = await make_session(api, h, await make_program(api, h, inst), capacity=1)
    [opened] = await entries(api, AUDIT, h.training_admin(), "session", session["id"])
    assert (opened["action"], opened["after"]["seats_taken"]) == ("session.create", 0)

    kinerja.add(nip(1), supervisor_nip=nip(9))
    enrolment = await enrol_and_approve(api, h, session["id"], nip(1), nip(9))
    request, approve = await entries(api, AUDIT, h.admin(), "enrolment", enrolment["id"])
    assert (request["action"], request["actor"], request["before"]) == ("enrolment.request", nip(1), None)
    assert (approve["action"], approve["actor"]) == ("enrolment.approve", nip(9))
    assert (approve["before"]["status"], approve["after"]["status"]) == ("PENDING_APPROVAL", "CONFIRMED")
    seats = await entries(api, AUDIT, h.admin(), "session", session["id"])
    assert [e["action"] for e in seats] == ["session.create", "enrolment.approve"]
    assert (seats[1]["before"]["seats_taken"], seats[1]["after"]["seats_taken"]) == (0, 1)

    # The change-log row and the webhook were written by the same record_change as the audit entry.
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        logged = await conn.fetchval(
            "SELECT count(*) FROM pelatihan.change_log WHERE entity = 'enrolment' AND entity_id = $1",
            enrolment["id"],
        )
        sent = await conn.fetchval(
            "SELECT count(*) FROM pelatihan.outbox_event WHERE event_type = 'pelatihan.enrolment_confirmed'"
            " AND payload->>'enrolment_id' = $1",
            enrolment["id"],
        )
    finally:
        await conn.close()
    assert (logged, sent) == (2, 1)
    assert await verify(api, AUDIT, h.admin()) == {
        "entries": 6,  # institution, programme, session, request, approval (enrolment + session)
        "valid": True,
        "first_bad_seq": None,
        "problem": None,
    }


async def test_a_rewritten_entry_is_reported(api: httpx.AsyncClient, h: Headers, db: str) -> None:
    inst = await make_institution(api, h)
    await make_program(api, h, inst)
    [entry] = await entries(api, AUDIT, h.admin(), "institution", inst)
    check = await tamper_and_verify(api, AUDIT, h.admin(), db, "pelatihan", entry["seq"])
    assert (check["valid"], check["first_bad_seq"]) == (False, entry["seq"])
    assert "does not match its hash" in check["problem"]


async def test_only_admins_and_training_admins_read_the_audit(api: httpx.AsyncClient, h: Headers) -> None:
    inst = await make_institution(api, h)
    await readers_only(
        api,
        AUDIT,
        refused=[h.pegawai(nip(1)), h.mitra(inst), h.integrator(), h.service()],
        admitted=[h.admin(), h.training_admin()],
    )
