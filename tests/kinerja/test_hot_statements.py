"""The hot reads of kinerja send a fixed number of statements to PostgreSQL, whatever the team's size (issue 21).

Not timed: it counts what each request sends (statements plus BEGIN/COMMIT/ROLLBACK), so an N+1 or an extra
round trip cannot creep back into the paths bench.hot_reads measures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from services.common.db import ReadOnlyViolation
from services.kinerja_api.calendar.periods import quarter_of
from services.kinerja_api.clock import today
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app
from services.kinerja_api.state import kinerja_state
from tests.kinerja.test_evaluations_seed import connect, evaluate
from tests.support.fixtures import Tokens, running
from tests.support.sql_count import counting

S = "SESUAI_EKSPEKTASI"
# The most each hot read may send, for a team of 3 and a team of 12 alike.
LIMITS = {"employee": 1, "employees": 1, "evaluations": 1, "tasks": 2}


@pytest.mark.parametrize("team", [3, 12])
async def test_hot_reads_send_a_fixed_number_of_statements(
    db: str, settings_for: Callable[..., Any], tokens: Tokens, team: int
) -> None:
    seed = await connect(db)
    try:
        unit = await seed.unit("DISDIK")
        head = await seed.employee(seed.nip(200), unit, None, position_type="JPT")
        boss = await seed.employee(seed.nip(201), unit, head, position_type="ADMINISTRATOR")
        reports = [seed.nip(300 + i) for i in range(team)]
        await seed.employees(reports, unit, boss)
        for nip in reports[:2]:
            await seed.skp(nip, today().year, "SUBMITTED")
        await seed.anchor()  # the others' results rest on an approved SKP (issue 16)
    finally:
        await seed.conn.close()
    period = quarter_of(today()).previous().code

    app = create_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        boss_h = tokens.pegawai(boss)
        for nip in reports[2:5]:
            await evaluate(client, boss_h, nip, S, S, period=period)
        paths = {
            "employee": f"/v1/employees/{boss}",
            "employees": f"/v1/employees?unit_id={unit}",
            "evaluations": f"/v1/evaluations?unit_id={unit}&period={period}",
            "tasks": "/v1/me/tasks",
        }
        engine = kinerja_state(app).engine
        for name, path in paths.items():
            for headers in (boss_h, tokens.admin()):
                with counting(engine) as trips:
                    resp = await client.get(path, headers=headers)
                assert resp.status_code == 200, resp.text
                assert len(trips.statements) <= LIMITS[name], f"{path}:\n{trips}"
                # A read opens no transaction: BEGIN and COMMIT were two of a point read's three round trips.
                assert trips.transactions == [], f"{path}:\n{trips}"


async def test_the_read_connection_refuses_writes(db: str, settings_for: Callable[..., Any]) -> None:
    """The hot reads' connection (ReadConnectionDep) runs in autocommit, so a write there would commit at once:
    it is refused before it is sent, a data-modifying WITH included."""
    app = create_app(settings_for(KinerjaSettings))
    async with running(app):
        reader = kinerja_state(app).reader
        assert reader is not None
        async with reader.connect() as conn:
            for statement in (
                "UPDATE kinerja.employee SET name = name",
                "WITH gone AS (DELETE FROM kinerja.unit RETURNING id) SELECT count(*) FROM gone",
                "SELECT nip FROM kinerja.employee FOR UPDATE",
            ):
                with pytest.raises(ReadOnlyViolation):
                    await conn.execute(text(statement))
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
