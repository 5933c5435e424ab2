"""The change-log backfill (migrations/pelatihan/versions/pelatihan_0006_nc3_changes_backfill.py) writes,
for every session, enrolment and completion, exactly the ``data`` the app writes when it logs that entity:
entities made through the API are logged live, their log is emptied, the backfill runs, and every row must
equal the live one (rolled back afterwards)."""

from __future__ import annotations

import httpx

from services.common.rfc3339 import RFC3339_UTC
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
from tests.support.changes import live_and_backfilled, migration

BOSS = nip(900)


async def test_a_backfilled_row_equals_the_live_one(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn, db: str
) -> None:
    inst = await make_institution(api, h)
    mitra = h.mitra(inst)
    prog = await make_program(api, h, inst, jp=16, mode="NONKLASIKAL")
    s = await make_session(
        api, h, prog, capacity=2, eligible_position_types=["PELAKSANA", "PENGAWAS"], min_rank="II/a"
    )
    other = await make_session(api, h, await make_program(api, h, inst), capacity=1)
    people = [nip(i) for i in range(1, 5)]
    for p in people:
        kinerja.add(p, supervisor_nip=BOSS, position_type="PELAKSANA", rank="III/a")
    passed, failed = [await enrol_and_approve(api, h, s["id"], p, BOSS) for p in people[:2]]
    waiting = await enrol_and_approve(api, h, s["id"], people[2], BOSS)  # capacity 2: waitlisted
    assert waiting["status"] == "WAITLISTED"
    pending = await api.post(
        f"/v1/sessions/{other['id']}/enrolments", json={"nip": people[3]}, headers=h.pegawai(people[3])
    )
    assert pending.status_code == 201, pending.text
    with at_end(s):
        r = await api.post(
            f"/v1/enrolments/{passed['id']}/complete", json={"passed": True, "score": 87.5}, headers=mitra
        )
        assert r.status_code == 200, r.text
        r = await api.post(
            f"/v1/enrolments/{failed['id']}/complete", json={"passed": False, "score": 40}, headers=mitra
        )
        assert r.status_code == 200, r.text

    module = migration("migrations/pelatihan/versions/pelatihan_0006_nc3_changes_backfill.py")
    live, backfilled = await live_and_backfilled(db, "pelatihan", module.BACKFILL)
    # A session's `days` (its schedule) came later, with migration 0008: when 0006 ran, no session had one.
    live = {
        k: ({f: v for f, v in d.items() if f != "days"} if k[0] == "session" else d) for k, d in live.items()
    }
    assert {(e, i): d for e, i, d in backfilled} == live
    # Stable order: sessions, then enrolments, then completions.
    kinds = [e for e, _, _ in backfilled]
    assert kinds == sorted(kinds, key=["session", "enrolment", "completion"].index)
    assert {k for k in live if k[0] == "completion"} == {
        ("completion", passed["id"]),
        ("completion", failed["id"]),
    }
    # Every timestamp in them is RFC 3339 UTC.
    stamps = [v for _, _, d in backfilled for k, v in d.items() if k.endswith("_at") and v is not None]
    assert stamps
    assert all(RFC3339_UTC.fullmatch(v) for v in stamps), stamps
