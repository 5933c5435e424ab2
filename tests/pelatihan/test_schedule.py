"""A session's schedule and JP that count right (issue 18, item 1; domain.md §11.5).

JP are spread over the scheduled training days, not the calendar days: attending every day of a
Thursday-to-Tuesday course earns its full JP, and 9 of the 10 days of a two-week course earn the full JP too
(36 of 40 JP attended is above 80 %)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from services.pelatihan_api.completion.service import credited_jp, credited_scheduled_jp
from services.pelatihan_api.sessions.schedule import default_days, spread, weekdays
from tests.pelatihan.helpers import (
    Headers,
    enrol_and_approve,
    make_institution,
    make_program,
    nip,
    on_day,
)
from tests.pelatihan.kinerja_standin import StandIn

BOSS = nip(900)


def _next(weekday: int, after: date) -> date:
    """The first ``weekday`` (0 = Monday) at least three days after ``after``."""
    day = after + timedelta(days=3)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


async def _session(
    api: httpx.AsyncClient, h: Headers, program: str, starts: date, ends: date, **extra: Any
) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {
        "program_id": program,
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(),
        "capacity": 10,
        "location": "Aula BPSDM",
        "enrol_opens_at": (now - timedelta(hours=1)).isoformat(),
        "enrol_closes_at": (now + timedelta(days=1)).isoformat(),
        **extra,
    }
    r = await api.post("/v1/sessions", json=body, headers=h.training_admin())
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def _attend_and_pass(
    api: httpx.AsyncClient, h: Headers, inst: str, s: dict[str, Any], e: dict[str, Any], days: list[str]
) -> httpx.Response:
    who = e["nip"]
    for d in s["days"]:
        with on_day(d["on"]):
            r = await api.post(
                f"/v1/sessions/{s['id']}/attendance",
                json={"on": d["on"], "present": [who] if d["on"] in days else []},
                headers=h.mitra(inst),
            )
            assert r.status_code == 200, r.text
    with on_day(s["ends_on"]):
        return await api.post(
            f"/v1/enrolments/{e['id']}/complete", json={"passed": True}, headers=h.mitra(inst)
        )


def test_default_schedule_and_spread() -> None:
    thu = date(2026, 8, 6)
    assert thu.weekday() == 3
    assert [d.isoformat() for d in weekdays(thu, thu + timedelta(days=5))] == [
        "2026-08-06",
        "2026-08-07",
        "2026-08-10",
        "2026-08-11",
    ]
    # A weekend course keeps its days.
    sat = date(2026, 8, 8)
    assert weekdays(sat, sat + timedelta(days=1)) == [sat, sat + timedelta(days=1)]
    assert spread(10, 4) == [3, 3, 2, 2]
    assert sum(spread(40, 10)) == 40
    assert [d["jp"] for d in default_days(thu, thu + timedelta(days=5), 24)] == [6, 6, 6, 6]
    # The old rule counted calendar days: 4 of 6 gave 16 of 24 JP; 9 of 12 gave 30 of 40.
    assert credited_jp(24, 4, 6) == 16
    assert credited_jp(40, 9, 12) == 30
    ten = default_days(date(2026, 8, 10), date(2026, 8, 21), 40)
    assert len(ten) == 10
    present = {date.fromisoformat(d["on"]) for d in ten[:9]}
    assert credited_scheduled_jp(40, ten, present) == 40
    # Below 80 % of the scheduled JP: the JP of the days attended, whole.
    assert credited_scheduled_jp(40, ten, set(list(present)[:5])) == 20


async def test_thursday_to_tuesday_and_nine_of_ten_days(
    api: httpx.AsyncClient, h: Headers, kinerja: StandIn
) -> None:
    inst = await make_institution(api, h)
    today = datetime.now(UTC).date()
    emp = nip(1)
    kinerja.add(emp, supervisor_nip=BOSS, unit_id=str(uuid.uuid4()))

    # Thursday to Tuesday, 24 JP: four training days of 6 JP; present on all four: 24 JP (was 16).
    thu = _next(3, today)
    s = first = await _session(api, h, await make_program(api, h, inst, jp=24), thu, thu + timedelta(days=5))
    assert [d["jp"] for d in s["days"]] == [6, 6, 6, 6]
    assert [date.fromisoformat(d["on"]).weekday() for d in s["days"]] == [3, 4, 0, 1]
    e = await enrol_and_approve(api, h, s["id"], emp, BOSS)
    # A Saturday is not a training day of this klasikal session.
    with on_day(s["ends_on"]):
        r = await api.post(
            f"/v1/sessions/{s['id']}/attendance",
            json={"on": (thu + timedelta(days=2)).isoformat(), "present": [emp]},
            headers=h.mitra(inst),
        )
        assert r.status_code == 422, r.text
    r = await _attend_and_pass(api, h, inst, s, e, [d["on"] for d in s["days"]])
    assert r.status_code == 200, r.text
    assert (r.json()["jp_credited"], r.json()["days_present"], r.json()["session_days"]) == (24, 4, 4)

    # Two weeks, 40 JP: ten training days of 4 JP; present on nine: 36 JP attended, above 80 %: 40 (was 30).
    mon = _next(0, today)
    s = await _session(api, h, await make_program(api, h, inst, jp=40), mon, mon + timedelta(days=11))
    assert len(s["days"]) == 10
    e = await enrol_and_approve(api, h, s["id"], emp, BOSS)
    r = await _attend_and_pass(api, h, inst, s, e, [d["on"] for d in s["days"][1:]])
    assert r.status_code == 200, r.text
    assert (r.json()["jp_credited"], r.json()["days_present"], r.json()["session_days"]) == (40, 9, 10)

    # Present on two of the ten days: the JP of those days (8), not a share of calendar days.
    other = nip(2)
    kinerja.add(other, supervisor_nip=BOSS)
    s = await _session(api, h, await make_program(api, h, inst, jp=40), mon, mon + timedelta(days=11))
    e = await enrol_and_approve(api, h, s["id"], other, BOSS)
    r = await _attend_and_pass(api, h, inst, s, e, [d["on"] for d in s["days"][:2]])
    assert (r.status_code, r.json()["jp_credited"]) == (200, 8)

    # A pass with no attended day is refused; a fail is not.
    s = await _session(api, h, await make_program(api, h, inst, jp=12), mon, mon + timedelta(days=2))
    e = await enrol_and_approve(api, h, s["id"], other, BOSS)
    r = await _attend_and_pass(api, h, inst, s, e, [])
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/no-attended-day")
    with on_day(s["ends_on"]):
        r = await api.post(
            f"/v1/enrolments/{e['id']}/complete", json={"passed": False}, headers=h.mitra(inst)
        )
    assert (r.status_code, r.json()["jp_credited"], r.json()["certificate"]) == (200, 0, None)
    year = date.fromisoformat(first["ends_on"]).year
    ledger = (await api.get(f"/v1/employees/{emp}/jp?year={year}", headers=h.admin())).json()
    assert 24 in [x["jp"] for x in ledger["entries"]]


async def test_schedule_editable_until_the_start(api: httpx.AsyncClient, h: Headers) -> None:
    inst = await make_institution(api, h)
    program = await make_program(api, h, inst, jp=20)
    mon = _next(0, datetime.now(UTC).date())
    # Listed days without JP: the programme's 20 JP spread by largest remainder.
    listed = [{"on": (mon + timedelta(days=i)).isoformat()} for i in (0, 1, 2)]
    s = await _session(api, h, program, mon, mon + timedelta(days=4), days=listed)
    assert [d["jp"] for d in s["days"]] == [7, 7, 6]
    # JP given on every day must sum to the programme's; days outside the session or twice are refused.
    bad = [
        [{"on": mon.isoformat(), "jp": 10}, {"on": (mon + timedelta(days=1)).isoformat(), "jp": 5}],
        [{"on": mon.isoformat(), "jp": 20}, {"on": (mon + timedelta(days=1)).isoformat()}],
        [{"on": (mon - timedelta(days=1)).isoformat()}],
        [{"on": mon.isoformat()}, {"on": mon.isoformat()}],
    ]
    for days in bad:
        r = await api.post(
            "/v1/sessions",
            json={
                **{k: s[k] for k in ("program_id", "starts_on", "ends_on", "capacity", "location")},
                "enrol_opens_at": s["enrol_opens_at"],
                "enrol_closes_at": s["enrol_closes_at"],
                "days": days,
            },
            headers=h.training_admin(),
        )
        assert r.status_code == 422, (days, r.text)
        assert r.json()["errors"][0]["loc"] == ["body", "days"]

    # Before the start: a fifth day re-spreads the JP (20 over 4 days: 5 each); new dates re-default them.
    four = [*listed, {"on": (mon + timedelta(days=3)).isoformat()}]
    r = await api.patch(
        f"/v1/sessions/{s['id']}",
        json={"days": four},
        headers={**h.training_admin(), "If-Match": f'"{s["version"]}"'},
    )
    assert r.status_code == 200, r.text
    assert [d["jp"] for d in r.json()["days"]] == [5, 5, 5, 5]
    r = await api.patch(
        f"/v1/sessions/{s['id']}",
        json={"ends_on": (mon + timedelta(days=1)).isoformat()},
        headers={**h.training_admin(), "If-Match": r.headers["ETag"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["days"] == [
        {"on": mon.isoformat(), "jp": 10},
        {"on": (mon + timedelta(days=1)).isoformat(), "jp": 10},
    ]
    etag = r.headers["ETag"]
    # From the first day on, the schedule and the dates are locked; other fields still change.
    with on_day(mon):
        r = await api.patch(
            f"/v1/sessions/{s['id']}",
            json={"days": [{"on": mon.isoformat()}]},
            headers={**h.training_admin(), "If-Match": etag},
        )
        assert r.status_code == 409, r.text
        assert r.json()["type"].endswith("/schedule-locked")
        r = await api.patch(
            f"/v1/sessions/{s['id']}",
            json={"ends_on": (mon + timedelta(days=2)).isoformat()},
            headers={**h.training_admin(), "If-Match": etag},
        )
        assert r.status_code == 409
        r = await api.patch(
            f"/v1/sessions/{s['id']}",
            json={"location": "Gedung Serbaguna"},
            headers={**h.training_admin(), "If-Match": etag},
        )
        assert r.status_code == 200, r.text
        assert len(r.json()["days"]) == 2


async def test_migration_gives_existing_sessions_their_weekdays(pg_server: str) -> None:
    """Migration pelatihan_0008: a Thursday-to-Tuesday session created before it gets Thu, Fri, Mon, Tue with
    the programme's 22 JP spread (6, 6, 5, 5); a weekend session keeps its two days; a credited ledger row
    is left as it was."""
    import asyncio

    import asyncpg

    from asn_cli.database import asyncpg_dsn, migrate
    from tests.support.fixtures import create_database, drop_database

    url = await create_database(pg_server, prefix="asn_p18")
    try:
        await asyncio.to_thread(migrate, "pelatihan", url, "pelatihan_0007_edge2_append_only")
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            inst, prog = uuid.uuid4(), uuid.uuid4()
            await conn.execute(
                "INSERT INTO pelatihan.institution (id, name, kind) VALUES ($1, 'BPSDM', 'BPSDM')", inst
            )
            await conn.execute(
                "INSERT INTO pelatihan.program (id, institution_id, title, competency, tags, jp, mode) "
                "VALUES ($1, $2, 'P', 'TEKNIS', '{}', 22, 'KLASIKAL')",
                prog,
                inst,
            )
            thu, sat = date(2026, 8, 6), date(2026, 8, 8)
            ids = []
            for starts, ends in ((thu, thu + timedelta(days=5)), (sat, sat + timedelta(days=1))):
                sid = uuid.uuid4()
                ids.append(sid)
                await conn.execute(
                    "INSERT INTO pelatihan.training_session (id, program_id, institution_id, starts_on, ends_on, "
                    "capacity, enrol_opens_at, enrol_closes_at, location) "
                    "VALUES ($1, $2, $3, $4, $5, 5, now() - interval '9 days', now() - interval '8 days', 'x')",
                    sid,
                    prog,
                    inst,
                    starts,
                    ends,
                )
            await conn.execute(
                "INSERT INTO pelatihan.jp_entry (id, nip, year, jp, program_title, mode, completed_on) "
                "VALUES ($1, '198001012005011001', 2026, 14, 'P', 'KLASIKAL', '2026-08-11')",
                uuid.uuid4(),
            )
        finally:
            await conn.close()
        await asyncio.to_thread(migrate, "pelatihan", url)
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            import json

            days = [
                json.loads(
                    await conn.fetchval("SELECT days::text FROM pelatihan.training_session WHERE id = $1", i)
                )
                for i in ids
            ]
            kept = await conn.fetchval("SELECT jp FROM pelatihan.jp_entry")
        finally:
            await conn.close()
        assert days[0] == [
            {"on": "2026-08-06", "jp": 6},
            {"on": "2026-08-07", "jp": 6},
            {"on": "2026-08-10", "jp": 5},
            {"on": "2026-08-11", "jp": 5},
        ]
        assert days[0] == default_days(thu, thu + timedelta(days=5), 22)
        assert days[1] == [{"on": "2026-08-08", "jp": 11}, {"on": "2026-08-09", "jp": 11}]
        assert kept == 14
    finally:
        await drop_database(pg_server, url)
