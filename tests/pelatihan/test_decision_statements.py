"""A training admin's approval and an employee's cancel send a fixed number of statements (issue 10's
"no more CPU per enrolment than before"): the enrolment read for the decision is the one the audit's
"before" is taken from, and the confirmed event takes the programme from the session read for the change.

Not timed: it counts what each request sends, so a re-read cannot creep back in unnoticed.
"""

from __future__ import annotations

import httpx

from services.pelatihan_api.state import pelatihan_state
from tests.pelatihan.helpers import Headers, make_institution, make_program, make_session, nip
from tests.pelatihan.kinerja_standin import StandIn
from tests.support.sql_count import counting

# The most each may send: the reads it rests on, the change itself, and record_change's audit entry,
# change-log row and outbox events (statements, not counting BEGIN/COMMIT).
APPROVE, CANCEL = 9, 10


async def test_admin_approval_and_cancel_send_a_fixed_number_of_statements(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn
) -> None:
    prog = await make_program(api, h, await make_institution(api, h))
    session = await make_session(api, h, prog, capacity=5)
    engine = pelatihan_state(api._transport.app).engine  # type: ignore[attr-defined]
    for i in range(2):
        kinerja.add(nip(i))
        asked = await api.post(
            f"/v1/sessions/{session['id']}/enrolments", json={"nip": nip(i)}, headers=h.pegawai(nip(i))
        )
        assert asked.status_code == 201, asked.text
        with counting(engine) as trips:
            approved = await api.post(
                f"/v1/enrolments/{asked.json()['id']}/approve", headers=h.training_admin()
            )
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "CONFIRMED"
        assert len(trips.statements) <= APPROVE, f"{len(trips.statements)} statements:\n{trips}"
        with counting(engine) as trips:
            cancelled = await api.post(
                f"/v1/enrolments/{asked.json()['id']}/cancel",
                json={"reason": "batal"},
                headers=h.pegawai(nip(i)),
            )
        assert cancelled.status_code == 200, cancelled.text
        assert len(trips.statements) <= CANCEL, f"{len(trips.statements)} statements:\n{trips}"
