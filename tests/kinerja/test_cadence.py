"""Issue 17 item 1: the cadence of periodic evaluation per year (monthly or quarterly; domain.md §11.1), in-process
on real PostgreSQL and on the test clock. The admin sets it in the year's rules (a partial update, audited) until
the year starts; a month is refused in a quarterly year and a quarter in a monthly one; a monthly year's
calendar, evaluations, /me/tasks, reports and SIASN export (periodikId 1) work as a quarterly year's do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import asyncpg
import httpx
import pytest

from services.common import clock
from tests.support.after_year import HEAD, JF, SIASN_JF, STAFF, A, S, evaluate, team
from tests.support.anchoring import anchor_all
from tests.support.fixtures import Tokens, plain_dsn

RULES = "/v1/calendar/2027/rules"


def set_today(day: date) -> None:
    clock.set_fake_now(datetime.fromisoformat(f"{day.isoformat()}T10:00:00+07:00"))


@pytest.fixture(autouse=True)
def test_clock() -> Iterator[None]:
    set_today(date(2026, 11, 20))
    yield
    clock.set_fake_now(None)


def problem(resp: httpx.Response, status: int, slug: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.json()["type"].endswith(slug), resp.json()


async def test_set_cadence_partially_and_audited(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    await team(client, admin)
    default = await client.get(RULES, headers=admin)
    assert default.json() == {
        "year": 2027,
        "objection_days": 14,
        "cadence": "QUARTERLY",
        "annual_final_from": None,
        "source": "DEFAULT",
    }
    # Only an admin; only the two cadences.
    problem(
        await client.put(RULES, json={"cadence": "MONTHLY"}, headers=tokens.pegawai(HEAD)), 403, "forbidden"
    )
    assert (await client.put(RULES, json={"cadence": "WEEKLY"}, headers=admin)).status_code == 422
    assert (await client.put(RULES, json={"cadence": None, "extra": 1}, headers=admin)).status_code == 422

    # Setting the cadence keeps the objection days; setting the days keeps the cadence.
    put = await client.put(RULES, json={"cadence": "MONTHLY"}, headers=admin)
    assert put.json() == {
        "year": 2027,
        "objection_days": 14,
        "cadence": "MONTHLY",
        "annual_final_from": None,
        "source": "SET",
    }, put.text
    put = await client.put(RULES, json={"objection_days": 21}, headers=admin)
    assert put.json() == {
        "year": 2027,
        "objection_days": 21,
        "cadence": "MONTHLY",
        "annual_final_from": None,
        "source": "SET",
    }, put.text
    assert (await client.put(RULES, json={}, headers=admin)).json()["cadence"] == "MONTHLY"

    audit = await client.get("/v1/audit?entity=calendar_year&entity_id=2027", headers=admin)
    changes = [
        (e["before"], e["after"]) for e in audit.json()["items"] if e["action"] == "calendar.year_rules"
    ]
    assert (
        {"objection_days": 14, "cadence": "QUARTERLY", "annual_final_from": None},
        {"objection_days": 14, "cadence": "MONTHLY", "annual_final_from": None},
    ) in changes

    # The calendar of a monthly year lists its twelve months and the year, with the monthly defaults.
    cal = (await client.get("/v1/calendar/2027", headers=admin)).json()
    assert cal["cadence"] == "MONTHLY"
    assert [p["period"] for p in cal["periods"]] == [f"2027-{m:02d}" for m in range(1, 13)] + ["2027"]
    feb = cal["periods"][1]
    assert (feb["start_on"], feb["end_on"]) == ("2027-02-01", "2027-02-28")
    assert (feb["realization_due_on"], feb["evaluation_due_on"]) == ("2027-02-28", "2027-03-15")
    quarterly = (await client.get("/v1/calendar/2026", headers=admin)).json()
    assert quarterly["cadence"] == "QUARTERLY"
    assert [p["period"] for p in quarterly["periods"]] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026"]

    # Calendar periods must be of the year's cadence; bad codes are 422.
    dates = {
        "skp_due_on": "2027-01-31",
        "realization_due_on": "2027-02-28",
        "evaluation_due_on": "2027-03-20",
    }
    assert (await client.put("/v1/calendar/2027-02", json=dates, headers=admin)).status_code == 200
    problem(await client.put("/v1/calendar/2027-Q1", json=dates, headers=admin), 409, "period-not-in-cadence")
    problem(await client.put("/v1/calendar/2026-03", json=dates, headers=admin), 409, "period-not-in-cadence")
    for bad in ("2027-13", "2027-00", "2027-1", "2027-M1", "1999-01"):
        assert (await client.put(f"/v1/calendar/{bad}", json=dates, headers=admin)).status_code == 422, bad


async def test_cadence_locks_when_the_year_starts(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    # 2026 has started: its cadence stays, its other rules still change, resending the cadence is a no-op.
    problem(
        await client.put("/v1/calendar/2026/rules", json={"cadence": "MONTHLY"}, headers=admin),
        409,
        "cadence-locked",
    )
    same = await client.put(
        "/v1/calendar/2026/rules", json={"cadence": "QUARTERLY", "objection_days": 10}, headers=admin
    )
    assert same.status_code == 200, same.text
    assert (await client.put(RULES, json={"cadence": "MONTHLY"}, headers=admin)).status_code == 200
    set_today(date(2027, 1, 1))  # 1 January WIB: the year has started
    locked = await client.put(RULES, json={"cadence": "QUARTERLY"}, headers=admin)
    problem(locked, 409, "cadence-locked")
    assert "2027-01-01" in locked.json()["detail"]
    assert (await client.get(RULES, headers=admin)).json()["cadence"] == "MONTHLY"


async def test_a_monthly_year_end_to_end(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens, db: str
) -> None:
    await team(client, admin)
    assert (await client.put(RULES, json={"cadence": "MONTHLY"}, headers=admin)).status_code == 200
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        await anchor_all(conn, (2027,))
    finally:
        await conn.close()
    set_today(date(2027, 3, 5))
    boss = tokens.pegawai(HEAD)

    # A quarter in a monthly year is refused, at opening; a month is evaluated and finalised.
    opened = await client.post("/v1/evaluations", json={"nip": STAFF, "period": "2027-Q1"}, headers=boss)
    problem(opened, 409, "period-not-in-cadence")
    assert "2027-01" in opened.json()["detail"]
    jf = await evaluate(db, client, boss, JF, "2027-02", A, A)
    assert (jf["status"], jf["period"], jf["predikat"]) == ("FINAL", "2027-02", "SANGAT_BAIK")
    listed = await client.get("/v1/evaluations?period=2027-02", headers=admin)
    assert [e["id"] for e in listed.json()["items"]] == [jf["id"]]

    # The year has started and has evaluations: the cadence is fixed.
    problem(await client.put(RULES, json={"cadence": "QUARTERLY"}, headers=admin), 409, "cadence-locked")

    # /me/tasks: this month and the three before it, each of its own year's cadence (2026 is quarterly).
    tasks = (await client.get("/v1/me/tasks", headers=boss)).json()
    to_write = {
        (t["period"], t["subject_nip"]): t for t in tasks["items"] if t["kind"] == "EVALUATION_TO_WRITE"
    }
    periods = {p for p, _ in to_write}
    assert {"2027-01", "2027-02", "2027-03", "2026-Q4", "2026"} <= periods, periods
    assert not periods & {"2027-Q1", "2026-Q3", "2026-12"}
    assert ("2027-02", JF) not in to_write  # done
    assert ("2027-02", STAFF) in to_write
    jan = to_write[("2027-01", STAFF)]
    assert (jan["due_on"], jan["overdue"]) == ("2027-02-15", True)
    realization = [t for t in tasks["items"] if t["kind"] == "REALIZATION_DUE"]
    assert all(t["period"] == "2027-03" for t in realization)

    # Reports take the month: predikat distribution, compliance, and SIASN with periodikId 1.
    dist = await client.get("/v1/reports/predikat-distribution?period=2027-02", headers=admin)
    assert dist.status_code == 200, dist.text
    assert dist.json()["total"] == 1, dist.json()
    comp = await client.get("/v1/reports/compliance?period=2027-02", headers=admin)
    assert comp.status_code == 200, comp.text
    siasn = await client.get("/v1/reports/siasn-kinerja?period=2027-02", headers=admin)
    assert siasn.status_code == 200, siasn.text
    (item,) = siasn.json()["items"]
    assert item["pnsDinilaiId"] == SIASN_JF
    assert (item["periodikId"], item["bulanMulaiPenilaian"], item["bulanSelesaiPenilaian"]) == (1, 2, 2)
    assert (item["tahun"], item["tahunMulaiPenilaian"], item["tahunSelesaiPenilaian"]) == (2027, 2027, 2027)
    for bad in ("2027", "2027-13", "2027-Q5"):
        assert (await client.get(f"/v1/reports/siasn-kinerja?period={bad}", headers=admin)).status_code == 422


async def test_quarterly_stays_the_default(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens, db: str
) -> None:
    await team(client, admin)
    set_today(date(2026, 4, 3))
    boss = tokens.pegawai(HEAD)
    month = await client.post("/v1/evaluations", json={"nip": STAFF, "period": "2026-02"}, headers=boss)
    problem(month, 409, "period-not-in-cadence")
    done = await evaluate(db, client, boss, JF, "2026-Q1", S, S)
    assert done["status"] == "FINAL"
    siasn = (await client.get("/v1/reports/siasn-kinerja?period=2026-Q1", headers=admin)).json()
    assert [
        (i["periodikId"], i["bulanMulaiPenilaian"], i["bulanSelesaiPenilaian"]) for i in siasn["items"]
    ] == [(2, 1, 3)]
