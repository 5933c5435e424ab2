"""Drill: publik is SIGKILLed and stays down while kinerja keeps finalising evaluations and pelatihan keeps
completing trainings (through the gateway, on the demo data); then publik starts again.

Every event for publik waits in its sender's outbox while publik is down, and after the restart each one
arrives exactly once: the ids sent (both outboxes, destination publik) equal the ids in publik's inbox, with
no duplicate, every outbox row is DELIVERED, and publik holds one item per (kind, unit, period).
Figures: printed in the terminal summary ("fault drill figures")."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from asn_cli.seed import seed_demo
from services.common.apps import APP_NAMES
from services.common.clock import today
from services.kinerja_api.calendar.periods import quarter_of
from tests.support.clock import on_day
from tests.support.fixtures import plain_dsn
from tests.support.seeded import login
from tests.support.stack import Stack, drill_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPORTS = 6  # employees of the supervisor evaluated and trained while publik is down
DRILL_ENV = {
    "KINERJA_OUTBOX_POLL_INTERVAL_S": "0.2",
    "PELATIHAN_OUTBOX_POLL_INTERVAL_S": "0.2",
    "KINERJA_OUTBOX_MAX_BACKOFF_S": "1",
    "PELATIHAN_OUTBOX_MAX_BACKOFF_S": "1",
}


@pytest.fixture
def stack(own_database: str, tmp_path: Path) -> Iterator[Stack]:
    asyncio.run(seed_demo(dict.fromkeys(APP_NAMES, own_database), None))  # type: ignore[arg-type]
    s = Stack(database_url=own_database, workdir=tmp_path, extra_env={**drill_env(), **DRILL_ENV})
    try:
        s.start()
        yield s
    finally:
        s.stop()


async def fetch(url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(plain_dsn(url))
    try:
        return [dict(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


def to_publik(url: str, since: datetime) -> list[dict[str, Any]]:
    """Outbox rows of both senders, destination publik, written since ``since``."""
    return asyncio.run(
        fetch(
            url,
            "SELECT id, event_type, status, attempts, 'kinerja' AS source FROM kinerja.outbox_event"
            " WHERE destination = 'publik' AND created_at >= $1"
            " UNION ALL SELECT id, event_type, status, attempts, 'pelatihan' FROM pelatihan.outbox_event"
            " WHERE destination = 'publik' AND created_at >= $1",
            since,
        )
    )


def work(stack: Stack, gw: httpx.Client) -> dict[str, int]:
    """Finalise evaluations and complete trainings of the demo supervisor's reports."""
    boss = {"Authorization": f"Bearer {login(stack.url, 'atasan.bkd')}"}
    mitra = {"Authorization": f"Bearer {login(stack.url, 'mitra.bpsdm')}"}
    boss_nip = gw.get("/kinerja/v1/whoami", headers=boss).json()["nip"]
    reports = gw.get(
        "/kinerja/v1/employees", params={"supervisor_nip": boss_nip, "limit": 50}, headers=boss
    ).json()["items"]
    reports = [r for r in reports if r["active"]][:REPORTS]
    assert len(reports) >= 3, "the demo supervisor has reports"
    sessions = gw.get("/pelatihan/v1/sessions", params={"open": "true", "limit": 50}, headers=mitra).json()
    session = next(s for s in sessions["items"] if not s["eligible_position_types"])
    done = {"finalised": 0, "completed": 0}
    for r in reports:
        evaluate(stack, gw, boss, r["nip"])
        done["finalised"] += 1

        en = gw.post(
            f"/pelatihan/v1/sessions/{session['id']}/enrolments", json={"nip": r["nip"]}, headers=boss
        )
        assert en.status_code == 201, en.text
        if en.json()["status"] == "PENDING_APPROVAL":
            ok = gw.post(f"/pelatihan/v1/enrolments/{en.json()['id']}/approve", headers=boss)
            assert ok.status_code == 200, ok.text
        # Attendance and results are taken on or after the day: pelatihan's clock visits the last day.
        stack.move_clock(f"{session['ends_on']}T10:00:00+07:00", ("pelatihan",))
        try:
            att = gw.post(
                f"/pelatihan/v1/sessions/{session['id']}/attendance",
                json={"on": session["starts_on"], "present": [r["nip"]]},
                headers=mitra,
            )
            assert att.status_code == 200, att.text
            comp = gw.post(
                f"/pelatihan/v1/enrolments/{en.json()['id']}/complete",
                json={"passed": True, "score": 88},
                headers=mitra,
            )
            assert comp.status_code == 200, comp.text
        finally:
            stack.move_clock(None, ("pelatihan",))
        done["completed"] += 1
    # The rest of the reports' unit (the supervisor included), each by their own supervisor, so that the unit
    # is complete and kinerja publishes its aggregate to publik too.
    admin = {"Authorization": f"Bearer {stack.token()}"}
    evaluated = {r["nip"] for r in reports}
    for unit_id in {r["unit_id"] for r in reports}:
        members = gw.get(
            "/kinerja/v1/employees", params={"unit_id": str(unit_id), "limit": 200}, headers=admin
        )
        for m in members.json()["items"]:
            if not m["active"] or m["nip"] in evaluated or not m["supervisor_nip"]:
                continue
            username = f"drill.{m['supervisor_nip']}"
            gw.post(
                "/auth/accounts",
                json={
                    "username": username,
                    "password": "drill-password-123",
                    "roles": ["pegawai"],
                    "nip": m["supervisor_nip"],
                },
                headers=admin,
            )
            sup = {"Authorization": f"Bearer {login(stack.url, username, 'drill-password-123')}"}
            evaluate(stack, gw, sup, m["nip"])
            done["finalised"] += 1
    return done


def evaluate(stack: Stack, gw: httpx.Client, headers: dict[str, str], nip: str) -> None:
    # The current quarter on the province clock: the demo's reporting line holds from the start of its finished
    # quarter (the one before), which the demo has already evaluated for its finished unit.
    period = quarter_of(today()).code
    # A result is rated on an approved SKP (issue 16): the supervisor approves one still waiting.
    tasks = gw.get("/kinerja/v1/me/tasks", headers=headers).json()["items"]
    for t in tasks:
        if t["kind"] == "SKP_TO_APPROVE" and t["subject_nip"] == nip:
            approved = gw.post(
                t["link"] + "/approve" if not t["link"].endswith("/approve") else t["link"], headers=headers
            )
            assert approved.status_code == 200, approved.text
    ev = gw.post("/kinerja/v1/evaluations", json={"nip": nip, "period": period}, headers=headers)
    assert ev.status_code == 201, ev.text
    url = f"/kinerja/v1/evaluations/{ev.json()['id']}"
    mains = gw.get(f"{url}/main-results", headers=headers).json()["items"]
    sesuai = "SESUAI_EKSPEKTASI"
    values = (
        "BERORIENTASI_PELAYANAN",
        "AKUNTABEL",
        "KOMPETEN",
        "HARMONIS",
        "LOYAL",
        "ADAPTIF",
        "KOLABORATIF",
    )
    rated = gw.patch(
        url,
        json={
            "result_rating": sesuai,
            "behavior_rating": sesuai,
            "main_ratings": {m["skp_result_id"]: {"rating": sesuai} for m in mains},
            "behavior_notes": {v: {"level": sesuai} for v in values},
        },
        headers={**headers, "If-Match": f'"{ev.json()["version"]}"'},
    )
    assert rated.status_code == 200, rated.text
    # Finalised from the quarter's last day (issue 16): kinerja's clock visits it.
    with on_day(stack, quarter_of(today()).end, apps=("kinerja",)):
        fin = gw.post(f"/kinerja/v1/evaluations/{ev.json()['id']}/finalize", headers=headers)
    assert fin.status_code == 200, fin.text


def test_publik_down_every_event_arrives_once(
    stack: Stack, own_database: str, drill_report: Callable[[str], None]
) -> None:
    began = time.monotonic()
    since = datetime.now(UTC)
    publik = stack.procs["publik"][0]
    publik.kill()
    killed_at = time.monotonic()
    with httpx.Client(base_url=stack.url, timeout=20) as gw:
        # publik is down; the gateway says so, the other services carry on.
        assert gw.get("/publik/v1/feed").status_code == 503
        done = work(stack, gw)
        time.sleep(1.0)  # let the dispatchers try (and fail) at least once
        waiting = to_publik(own_database, since)
        assert {r["event_type"] for r in waiting} >= {"kinerja.unit_performance", "pelatihan.training_stats"}
        assert {r["status"] for r in waiting} == {"PENDING"}, waiting
        attempted = sum(1 for r in waiting if r["attempts"] >= 1)
        down_s = time.monotonic() - killed_at

        publik.stop()
        publik.start()
        publik.wait_healthy()
        restarted_at = time.monotonic()
        deadline = restarted_at + 30
        rows = waiting
        while time.monotonic() < deadline:
            rows = to_publik(own_database, since)
            if rows and all(r["status"] == "DELIVERED" for r in rows):
                break
            time.sleep(0.2)
        drained_s = time.monotonic() - restarted_at
        assert all(r["status"] == "DELIVERED" for r in rows), [(r["event_type"], r["status"]) for r in rows]
        assert gw.get("/publik/v1/feed").status_code == 200

    sent = [r["id"] for r in rows]
    inbox = asyncio.run(
        fetch(own_database, "SELECT event_id FROM publik.inbox_event WHERE event_id = ANY($1::uuid[])", sent)
    )
    received = [r["event_id"] for r in inbox]
    assert len(set(sent)) == len(sent)
    assert sorted(received) == sorted(sent), "an event was lost or arrived twice"
    dupes = asyncio.run(
        fetch(
            own_database,
            "SELECT kind, unit_id, period, count(*) AS n FROM publik.item GROUP BY 1, 2, 3 HAVING count(*) > 1",
        )
    )
    assert not dupes, dupes
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["event_type"]] = kinds.get(r["event_type"], 0) + 1
    drill_report(
        "DRILL publik-down: "
        + ", ".join(
            f"{k}={v}"
            for k, v in {
                **done,
                "events_for_publik": len(sent),
                "by_type": dict(sorted(kinds.items())),
                "tried_while_down": attempted,
                "received_once": len(received),
                "duplicates": len(received) - len(set(received)),
                "down_s": round(down_s, 1),
                "drained_after_restart_s": round(drained_s, 2),
                "drill_s": round(time.monotonic() - began, 1),
            }.items()
        )
    )
