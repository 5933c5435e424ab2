"""The demo data: loads after kinerja's, twice without duplicates, and is usable through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from services.common.settings import normalise_database_url
from services.kinerja_api import demo as kinerja_demo
from services.pelatihan_api import demo
from services.pelatihan_api.models.enrolments import Enrolment
from services.pelatihan_api.models.sessions import TrainingSession
from tests.pelatihan.helpers import Headers
from tests.support.changes import read_all


async def test_demo_is_idempotent_and_usable(
    db: str, api: httpx.AsyncClient, h: Headers, settings_for: Callable[..., Any]
) -> None:
    engine = create_async_engine(normalise_database_url(db))
    context: dict[str, Any] = {}
    try:
        for _ in range(2):
            async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
                await kinerja_demo.seed_demo(session, context)
            async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
                summary = await demo.seed_demo(session, context)
        assert summary == ["pelatihan: demo data already present"]
        async with AsyncSession(engine) as session:
            completions = await session.scalar(select(func.count()).select_from(Enrolment))
    finally:
        await engine.dispose()
    assert completions
    inst = context["demo_institution_id"]
    sessions = (await api.get("/v1/sessions?open=true", headers=h.mitra(inst))).json()["items"]
    assert sessions
    assert all(s["institution_id"] == inst for s in sessions)
    assert len((await api.get("/v1/sessions?open=true", headers=h.training_admin())).json()["items"]) == 6
    last_year = context["demo_training_year"]  # the demo's own (the province's year before, WIB)
    report = (await api.get(f"/v1/reports/jp-compliance?year={last_year}", headers=h.admin())).json()
    assert sum(u["pns_total"] for u in report["units"]) > 0
    assert (
        0 < sum(u["pns_meeting_20jp"] for u in report["units"]) < sum(u["pns_total"] for u in report["units"])
    )
    employee = context["demo_accounts"][2]["nip"]
    ledger = (
        await api.get(f"/v1/employees/{employee}/jp?year={last_year}", headers=h.pegawai(employee))
    ).json()
    assert ledger["entries"]
    number = ledger["entries"][0]["certificate_number"]
    assert (await api.get(f"/v1/certificates/{number}")).json()["valid"] is True


async def test_the_change_log_starts_with_the_demo(
    db: str, api: httpx.AsyncClient, h: Headers, settings_for: Callable[..., Any]
) -> None:
    """Issue 11: the seed's sessions and completions were missing from GET /v1/changes, so an integrator
    mirroring pelatihan never saw them."""
    engine = create_async_engine(normalise_database_url(db))
    context: dict[str, Any] = {}
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            await kinerja_demo.seed_demo(session, context)
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            await demo.seed_demo(session, context)
        async with AsyncSession(engine) as session:
            sessions = set(map(str, (await session.scalars(select(TrainingSession.id))).all()))
            enrolments = set(map(str, (await session.scalars(select(Enrolment.id))).all()))
            completed = set(
                map(
                    str,
                    (
                        await session.scalars(select(Enrolment.id).where(Enrolment.completed_at.isnot(None)))
                    ).all(),
                )
            )
    finally:
        await engine.dispose()
    entries, _ = await read_all(api, h.integrator(), None, limit=200)
    logged: dict[str, set[str]] = {}
    for e in entries:
        logged.setdefault(e["entity"], set()).add(e["id"])
    assert completed
    assert logged["session"] == sessions
    assert logged["enrolment"] == enrolments
    assert logged["completion"] == completed
