"""GET /v1/me/tasks: a supervisor with 30 direct reports sees everything open, in a fixed number of SQL
statements (no N+1), with deadlines from the period calendar."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from services.kinerja_api.calendar.periods import default_deadlines, quarter_of
from services.kinerja_api.clock import today
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app
from services.kinerja_api.state import kinerja_state
from tests.kinerja.test_evaluations_seed import connect, evaluate, new_evaluation
from tests.support.fixtures import Tokens, running

A, S = "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI"


async def test_supervisor_with_30_reports_sees_everything_at_a_glance(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    seed = await connect(db)
    try:
        unit = await seed.unit("DISDIK")
        head = await seed.employee(seed.nip(200), unit, None, position_type="JPT")
        boss = await seed.employee(seed.nip(201), unit, head, position_type="ADMINISTRATOR")
        reports = [seed.nip(300 + i) for i in range(30)]
        await seed.employees(reports, unit, boss)
        # Three SKPs submitted for approval; the boss's own approved SKP has 2 indicators, one reported.
        year = today().year
        for nip in reports[2:5]:
            await seed.skp(nip, year, "SUBMITTED")
        cur = quarter_of(today())
        # The two reports evaluated below are rated on approved SKPs (issue 16).
        for nip in reports[:2]:
            await seed.approved_skp(nip, cur.previous().year)
        skp, indicators = await seed.approved_skp(boss, year, indicators=2)
        await seed.realization(skp, indicators[0], cur.code)
    finally:
        await seed.conn.close()

    app = create_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        boss_h = tokens.pegawai(boss)
        prev = cur.previous()
        # Two reports are done for the previous quarter, one is a draft; one FINAL objected to.
        done = await evaluate(client, boss_h, reports[0], A, S, period=prev.code)
        await evaluate(client, boss_h, reports[1], S, S, period=prev.code)
        draft = await new_evaluation(client, boss_h, reports[2], prev.code)
        obj = await client.post(
            f"/v1/evaluations/{done['id']}/objections",
            json={"reason": "Mohon ditinjau."},
            headers=tokens.pegawai(reports[0]),
        )
        assert obj.status_code == 201

        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        event.listen(kinerja_state(app).engine.sync_engine, "before_cursor_execute", count)
        resp = await client.get("/v1/me/tasks", headers=boss_h)
        event.remove(kinerja_state(app).engine.sync_engine, "before_cursor_execute", count)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert len(statements) <= 2, statements

        kinds = Counter(t["kind"] for t in body["items"])
        assert kinds["SKP_TO_APPROVE"] == 3
        assert kinds["REALIZATION_DUE"] == 1
        # 30 for the current quarter + 28 still open for the previous one (+ last year's annual in Q1).
        expected_evals = 30 + 28 + (30 if cur.quarter == 1 else 0)
        assert kinds["EVALUATION_TO_WRITE"] == expected_evals
        assert kinds["OBJECTION_TO_DECIDE"] == 0  # the boss's own evaluation: the head decides
        assert body["counts"]["EVALUATION_TO_WRITE"] == expected_evals
        realization = next(t for t in body["items"] if t["kind"] == "REALIZATION_DUE")
        assert realization["count"] == 1
        assert realization["due_on"] == cur.end.isoformat()
        ev_prev = [
            t for t in body["items"] if t["kind"] == "EVALUATION_TO_WRITE" and t["period"] == prev.code
        ]
        assert {t["due_on"] for t in ev_prev} == {default_deadlines(prev).evaluation_due_on.isoformat()}
        draft_task = next(t for t in ev_prev if t["subject_nip"] == reports[2])
        assert draft_task["link"] == f"/v1/evaluations/{draft['id']}"
        assert draft_task["method"] == "GET"
        new_task = next(t for t in ev_prev if t["subject_nip"] == reports[3])
        assert new_task["method"] == "POST"
        assert new_task["create_body"] == {"nip": reports[3], "period": prev.code}
        assert [t["due_on"] for t in body["items"]] == sorted(t["due_on"] for t in body["items"])

        # The head decides the objection; an admin sees the governor's share (the head's evaluations).
        head_tasks = (await client.get("/v1/me/tasks", headers=tokens.pegawai(head))).json()["items"]
        objection = [t for t in head_tasks if t["kind"] == "OBJECTION_TO_DECIDE"]
        assert len(objection) == 1
        assert objection[0]["link"] == f"/v1/objections/{obj.json()['id']}"
        assert {t["subject_nip"] for t in head_tasks if t["kind"] == "EVALUATION_TO_WRITE"} == {boss}
        admin_tasks = (await client.get("/v1/me/tasks", headers=tokens.admin())).json()["items"]
        assert {t["subject_nip"] for t in admin_tasks if t["kind"] == "EVALUATION_TO_WRITE"} == {head}
        # A report with nothing to do has nothing listed.
        assert (await client.get("/v1/me/tasks", headers=tokens.pegawai(reports[29]))).json()["items"] == []


async def test_the_evaluated_employee_is_asked_to_acknowledge(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    """A FINAL evaluation puts an "acknowledge" task on the evaluated employee's list until they acknowledge
    it or lodge an objection; links carry the gateway's prefix when the gateway says so."""
    seed = await connect(db)
    try:
        unit = await seed.unit("DISDIK")
        boss = await seed.employee(seed.nip(201), unit, None, position_type="ADMINISTRATOR")
        reports = [seed.nip(300 + i) for i in range(2)]
        await seed.employees(reports, unit, boss)
        for nip in reports:
            skp, indicators = await seed.approved_skp(nip, quarter_of(today()).previous().year)
            await seed.realization(skp, indicators[0], quarter_of(today()).code)
    finally:
        await seed.conn.close()

    app = create_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        prev = quarter_of(today()).previous()
        boss_h = tokens.pegawai(boss)
        first = await evaluate(client, boss_h, reports[0], A, S, period=prev.code)
        second = await evaluate(client, boss_h, reports[1], S, S, period=prev.code)
        objected = await client.post(
            f"/v1/evaluations/{second['id']}/objections",
            json={"reason": "Mohon ditinjau."},
            headers=tokens.pegawai(reports[1]),
        )
        assert objected.status_code == 201

        me = tokens.pegawai(reports[0])
        resp = await client.get("/v1/me/tasks", headers={**me, "X-Forwarded-Prefix": "/kinerja"})
        assert resp.status_code == 200, resp.text
        tasks = [t for t in resp.json()["items"] if t["kind"] == "EVALUATION_TO_ACKNOWLEDGE"]
        assert len(tasks) == 1
        assert tasks[0]["link"] == f"/kinerja/v1/evaluations/{first['id']}"
        assert tasks[0]["method"] == "GET"
        assert tasks[0]["period"] == prev.code
        assert resp.json()["counts"]["EVALUATION_TO_ACKNOWLEDGE"] == 1
        # Without the gateway in front, the same link is the service's own path.
        bare = (await client.get("/v1/me/tasks", headers=me)).json()["items"]
        assert [t["link"] for t in bare] == [f"/v1/evaluations/{first['id']}"]

        # An objection is an answer too: the second employee has nothing to acknowledge.
        assert (await client.get("/v1/me/tasks", headers=tokens.pegawai(reports[1]))).json()["items"] == []
        ack = await client.post(f"/v1/evaluations/{first['id']}/acknowledge", headers=me)
        assert ack.status_code == 200, ack.text
        assert (await client.get("/v1/me/tasks", headers=me)).json()["items"] == []


async def test_forwarded_prefix_is_used_only_when_it_is_a_plain_path(
    db: str, settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    """Location and a problem's instance follow X-Forwarded-Prefix; a value that could turn a link into
    another origin is ignored."""
    app = create_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        for prefix, expected in [
            ("/kinerja", "/kinerja"),
            ("//evil.example", ""),
            ("/a/../b", ""),
            ("x", ""),
        ]:
            resp = await client.get("/v1/evaluations/not-a-uuid", headers={"X-Forwarded-Prefix": prefix})
            assert resp.status_code in (401, 422), resp.text
            assert resp.json()["instance"] == expected + "/v1/evaluations/not-a-uuid"
