"""``asn import-employees`` end to end against the test database, and the idempotent demo seed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from asn_cli.main import main
from services.common.settings import normalise_database_url
from services.kinerja_api.calendar.periods import quarter_of
from services.kinerja_api.clock import today
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.demo import seed_demo, unit_id
from services.kinerja_api.main import create_app
from services.kinerja_api.samples import employees_csv
from tests.support.fixtures import Tokens, running


async def _scalar(db: str, sql: str) -> Any:
    conn = await asyncpg.connect(db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def _add_unit(db: str, code: str) -> None:
    conn = await asyncpg.connect(db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(
            "INSERT INTO kinerja.unit (id, code, name) VALUES (gen_random_uuid(), $1, $2)",
            code,
            f"Unit {code}",
        )
    finally:
        await conn.close()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db: str) -> str:
    monkeypatch.delenv("ASN_DATABASE_URL", raising=False)
    monkeypatch.setenv("KINERJA_DATABASE_URL", db)
    return db


async def test_cli_import(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    await _add_unit(cli_env, "BKD")
    good = tmp_path / "pegawai.csv"
    good.write_text(employees_csv(2_500, "BKD"), encoding="utf-8")
    # main() runs its own event loop (asyncio.run), so it runs in a thread here, as it would from a shell.
    code = await asyncio.to_thread(main, ["import-employees", str(good)])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert out.strip().splitlines()[-1].startswith("created 2500, updated 0, unchanged 0, refused 0")
    assert "validating: 1000/2500 rows" in err
    assert "validating: 2000/2500 rows" in err
    assert "writing: 2500/2500 rows" in err
    assert await _scalar(cli_env, "SELECT count(*) FROM kinerja.employee") == 2500

    again = await asyncio.to_thread(main, ["import-employees", str(good)])
    out, _ = capsys.readouterr()
    assert again == 0
    assert "created 0, updated 0, unchanged 2500, refused 0" in out

    lines = employees_csv(30, "BKD", seed=7).splitlines()
    lines[4] = lines[4].replace(",PNS,", ",ASN,")
    lines[9] = lines[9][:-4] + "maybe"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused = await asyncio.to_thread(main, ["import-employees", str(bad)])
    out, _ = capsys.readouterr()
    assert refused == 1
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("line ")] == [
        "line 5",
        "line 10",
    ]
    assert "refused 2" in out.splitlines()[-1]

    monkeypatch.delenv("KINERJA_DATABASE_URL")
    no_db = await asyncio.to_thread(main, ["import-employees", str(good)])
    _, err = capsys.readouterr()
    assert no_db == 2
    assert "KINERJA_DATABASE_URL" in err
    missing = await asyncio.to_thread(main, ["import-employees", str(tmp_path / "nope.csv")])
    assert missing == 2


async def test_demo_seed_is_idempotent(db: str) -> None:
    engine = create_async_engine(normalise_database_url(db))
    try:
        summaries = []
        contexts: list[dict[str, Any]] = []
        for _ in range(2):
            context: dict[str, Any] = {}
            async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
                summaries.append(await seed_demo(session, context))
            contexts.append(context)
    finally:
        await engine.dispose()
    assert summaries[0][0].startswith("kinerja: 28 units, 341 employees")
    assert "already present" in summaries[1][0]
    assert contexts[0] == contexts[1]
    assert await _scalar(db, "SELECT count(*) FROM kinerja.unit") == 28
    assert await _scalar(db, "SELECT count(*) FROM kinerja.employee") == 341
    # One assignment each, plus the second one of the demo's transfer (issue 15) and of the report of
    # atasan.bkd who took a new position when the quarter began (issue 16).
    assert await _scalar(db, "SELECT count(*) FROM kinerja.employee_assignment") == 341 + 2
    moved = contexts[0]["demo_transfer"]
    history = await _scalar(
        db,
        "SELECT string_agg(coalesce(supervisor_nip, '') || '/' || position, ',' ORDER BY valid_from)"
        f" FROM kinerja.employee_assignment WHERE nip = '{moved['nip']}'",
    )
    assert str(history).endswith(f"{moved['to_supervisor']}/{moved['position']}")
    assert str(history).startswith(f"{moved['from_supervisor']}/")
    accounts = {a["username"]: a["nip"] for a in contexts[0]["demo_accounts"]}
    assert set(accounts) == {"kepala.bkd", "kabid.mutasi", "atasan.bkd", "pegawai.bkd"}
    assert contexts[0]["demo_units"]["BKD"]
    sup = await _scalar(
        db, f"SELECT supervisor_nip FROM kinerja.employee WHERE nip = '{accounts['pegawai.bkd']}'"
    )
    assert sup == accounts["atasan.bkd"]
    reports = await _scalar(
        db, f"SELECT count(*) FROM kinerja.employee WHERE supervisor_nip = '{accounts['atasan.bkd']}'"
    )
    assert reports >= 3
    heads = await _scalar(db, "SELECT count(*) FROM kinerja.employee WHERE supervisor_nip IS NULL")
    assert heads == 17  # one JPT per OPD, answering to the governor
    assert (
        await _scalar(
            db, f"SELECT supervisor_nip FROM kinerja.employee WHERE nip = '{accounts['kepala.bkd']}'"
        )
        is None
    )


async def test_demo_gives_the_bkd_supervisor_work(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    engine = create_async_engine(normalise_database_url(db))
    counts = []
    tables = ("skp", "skp_result", "skp_indicator", "evaluation", "audit_entry")
    try:
        for _ in range(2):
            context: dict[str, Any] = {}
            async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
                await seed_demo(session, context)
            counts.append([await _scalar(db, f"SELECT count(*) FROM kinerja.{t}") for t in tables])
    finally:
        await engine.dispose()
    assert counts[0] == counts[1], "a second seed writes nothing"
    # kepala.bkd, the Kepala Bidang, atasan.bkd, pegawai.bkd, two for the report who changed position, and one
    # for every other member of Bidang Mutasi (each rated on an approved SKP: issue 16).
    unit_size = await _scalar(
        db, f"SELECT count(*) FROM kinerja.employee WHERE unit_id = '{unit_id('BKD.MUT')}' AND active"
    )
    assert counts[0][0] == unit_size + 2
    acc = {a["username"]: a["nip"] for a in context["demo_accounts"]}
    kepala, atasan, pegawai = acc["kepala.bkd"], acc["atasan.bkd"], acc["pegawai.bkd"]
    year = today().year
    head = await _scalar(
        db,
        "SELECT status || ' ' || approved_on_behalf || ' ' || (approver_nip IS NULL) FROM kinerja.skp "
        f"WHERE nip = '{kepala}' AND year = {year}",
    )
    assert head == "APPROVED true true"
    kabid = await _scalar(db, f"SELECT supervisor_nip FROM kinerja.employee WHERE nip = '{atasan}'")
    assert (
        await _scalar(db, f"SELECT status || ' ' || approver_nip FROM kinerja.skp WHERE nip = '{atasan}'")
        == f"APPROVED {kabid}"
    )
    assert (
        await _scalar(db, f"SELECT status || ' ' || approver_nip FROM kinerja.skp WHERE nip = '{pegawai}'")
        == f"APPROVED {atasan}"
    )
    # The report who took a new position when the quarter began: the old SKP approved (and closed), the new
    # one waiting for atasan.bkd.
    waiting = await _scalar(db, "SELECT nip FROM kinerja.skp WHERE status = 'SUBMITTED'")
    assert await _scalar(db, f"SELECT supervisor_nip FROM kinerja.employee WHERE nip = '{waiting}'") == atasan
    assert await _scalar(db, f"SELECT count(*) FROM kinerja.skp WHERE nip = '{waiting}'") == 2
    # Every non-JPT result supports a result of the owner's direct supervisor's SKP.
    broken = await _scalar(
        db,
        """SELECT count(*) FROM kinerja.skp_result r JOIN kinerja.skp s ON s.id = r.skp_id
             JOIN kinerja.employee e ON e.nip = s.nip
             LEFT JOIN kinerja.skp_result pr ON pr.id = r.parent_result_id
             LEFT JOIN kinerja.skp ps ON ps.id = pr.skp_id
            WHERE e.supervisor_nip IS NOT NULL
              AND (ps.nip IS DISTINCT FROM e.supervisor_nip OR r.aspect IS NULL)""",
    )
    assert broken == 0
    assert await _scalar(db, "SELECT count(*) FROM kinerja.skp_result WHERE perspective IS NOT NULL") == 2
    assert (
        await _scalar(
            db,
            "SELECT count(*) FROM kinerja.skp s JOIN kinerja.employee e ON e.nip = s.nip WHERE e.position_type = 'JPT'",
        )
        == 1
    )
    # The last completed quarter (never the current one) is finished for the whole of Bidang Mutasi: every
    # member evaluated by their direct supervisor, FINAL, and the unit's aggregate queued for publik.
    period = quarter_of(today()).previous().code
    assert acc["kabid.mutasi"] == kabid
    reports = await _scalar(db, f"SELECT count(*) FROM kinerja.employee WHERE supervisor_nip = '{atasan}'")
    final = await _scalar(
        db,
        "SELECT count(*) FROM kinerja.evaluation WHERE status = 'FINAL' "
        f"AND evaluator_nip = '{atasan}' AND period = '{period}'",
    )
    assert final == reports
    unit_members = await _scalar(
        db, f"SELECT count(*) FROM kinerja.employee WHERE unit_id = '{unit_id('BKD.MUT')}' AND active"
    )
    assert unit_members >= 5
    assert (
        await _scalar(
            db,
            "SELECT count(*) FROM kinerja.evaluation e JOIN kinerja.employee p ON p.nip = e.nip "
            f"WHERE p.unit_id = '{unit_id('BKD.MUT')}' AND e.status = 'FINAL' AND e.period = '{period}' "
            "AND e.evaluator_nip = p.supervisor_nip",
        )
        == unit_members
    )
    assert (
        await _scalar(
            db,
            "SELECT count(*) FROM kinerja.outbox_event WHERE event_type = 'kinerja.unit_performance' "
            f"AND payload->>'unit_id' = '{unit_id('BKD.MUT')}' AND payload->>'period' = '{period}' "
            f"AND (payload->>'evaluated')::int = {unit_members}",
        )
        == 1
    )
    assert (
        await _scalar(
            db, f"SELECT count(*) FROM kinerja.evaluation WHERE period = '{quarter_of(today()).code}'"
        )
        == 0
    )
    assert await _scalar(db, "SELECT count(*) FROM kinerja.audit_entry WHERE actor <> 'demo-seed'") == 0

    async with running(create_app(settings_for(KinerjaSettings))) as client:
        tasks = await client.get("/v1/me/tasks", headers=tokens.pegawai(atasan))
        assert tasks.status_code == 200, tasks.text
        items = tasks.json()["items"]
        to_approve = [t for t in items if t["kind"] == "SKP_TO_APPROVE"]
        assert [t["subject_nip"] for t in to_approve] == [waiting]
        assert not [t for t in items if t["kind"] == "EVALUATION_TO_WRITE" and t["period"] == period]
        current = quarter_of(today()).code
        to_write = [t for t in items if t["kind"] == "EVALUATION_TO_WRITE" and t["period"] == current]
        assert len(to_write) == reports
        assert pegawai in {t["subject_nip"] for t in to_write}
        verify = (await client.get("/v1/audit/verify", headers=tokens.admin())).json()
        assert verify == {"entries": counts[0][4], "valid": True, "first_bad_seq": None, "problem": None}
