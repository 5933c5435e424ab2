"""End to end through the gateway, on the demo data, with all four apps as real processes: a training
admin, an employee, their supervisor (checked by pelatihan against the real kinerja with a service token
from the gateway) and the partner institution take one seat from request to verified certificate."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from asn_cli.seed import bootstrap, create_admin, seed_demo
from services.common.apps import APP_NAMES
from tests.support.fixtures import wait_until
from tests.support.stack import ADMIN_PASSWORD, ADMIN_USER, SERVICE_SECRETS, Stack

pytestmark = pytest.mark.e2e


async def test_full_session_through_the_gateway(db: str, tmp_path: Path) -> None:
    await bootstrap(db, SERVICE_SECRETS)
    await create_admin(db, ADMIN_USER, ADMIN_PASSWORD)
    context: dict[str, Any] = {}
    await seed_demo(dict.fromkeys(APP_NAMES, db), None, context)  # type: ignore[arg-type]
    # The year of the demo's completed training, as the demo declares it (the province's year before), whatever
    # year its open sessions end in: from early December they start after New Year.
    demo_training_year = context["demo_training_year"]
    stack = Stack(database_url=db, workdir=tmp_path)
    await asyncio.to_thread(stack.start)
    try:
        async with httpx.AsyncClient(base_url=stack.url + "/pelatihan", timeout=20.0) as gw:

            async def login(user: str) -> dict[str, str]:
                r = await gw.post(
                    stack.url + "/auth/token",
                    data={"grant_type": "password", "username": user, "password": "bengkulu-demo"},
                )
                assert r.status_code == 200, r.text
                return {"Authorization": f"Bearer {r.json()['access_token']}"}

            trainer, mitra, staff, boss = [
                await login(u) for u in ("pelatihan.admin", "mitra.bpsdm", "pegawai.bkd", "atasan.bkd")
            ]
            nip = (await gw.get("/v1/whoami", headers=staff)).json()["nip"]
            sessions = (await gw.get("/v1/sessions?open=true", headers=mitra)).json()["items"]
            assert sessions, "the demo has open BPSDM sessions"
            target: dict[str, Any] = next(s for s in sessions if not s["eligible_position_types"])

            r = await gw.post(f"/v1/sessions/{target['id']}/enrolments", json={"nip": nip}, headers=staff)
            assert r.status_code == 201, r.text
            enrolment = r.json()["id"]
            r = await gw.post(f"/v1/enrolments/{enrolment}/approve", headers=staff)
            assert r.status_code == 403
            r = await gw.post(f"/v1/enrolments/{enrolment}/approve", headers=boss)
            assert r.status_code == 200, r.text
            assert r.json()["status"] == "CONFIRMED"

            # Attendance and results are taken on or after the day: pelatihan's clock goes to the last day.
            await asyncio.to_thread(stack.move_clock, f"{target['ends_on']}T10:00:00+07:00", ("pelatihan",))
            r = await gw.post(
                f"/v1/sessions/{target['id']}/attendance",
                json={"on": target["starts_on"], "present": [nip]},
                headers=mitra,
            )
            assert r.status_code == 200, r.text
            r = await gw.post(
                f"/v1/enrolments/{enrolment}/complete", json={"passed": True, "score": 90}, headers=mitra
            )
            assert r.status_code == 200, r.text
            await asyncio.to_thread(stack.move_clock, None, ("pelatihan",))
            number = r.json()["certificate"]["number"]
            assert (await gw.get(f"/v1/certificates/{number}")).json()["valid"] is True
            year = int(target["ends_on"][:4])
            ledger = (await gw.get(f"/v1/employees/{nip}/jp?year={year}", headers=boss)).json()
            assert number in [e["certificate_number"] for e in ledger["entries"]]
            last_year = (
                await gw.get(f"/v1/employees/{nip}/jp?year={demo_training_year}", headers=staff)
            ).json()
            assert last_year["entries"], "the demo includes last year's completed training"
            assert (await gw.get("/v1/sessions", headers=trainer)).status_code == 200

        # The unit's new training figures leave the outbox for publik.
        async def delivered() -> bool:
            conn = await asyncpg.connect(db)
            try:
                status = await conn.fetchval(
                    "SELECT status FROM pelatihan.outbox_event WHERE event_type = 'pelatihan.training_stats' "
                    "ORDER BY created_at DESC LIMIT 1"
                )
            finally:
                await conn.close()
            return bool(status == "DELIVERED")

        assert await wait_until(delivered, timeout_s=20)
    finally:
        await asyncio.to_thread(stack.stop)
