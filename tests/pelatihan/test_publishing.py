"""Publishing: a pass queues the unit's training statistics, and the real publik app accepts the event
(its ingest refuses personal fields, so this is the contract check for ``pelatihan.training_stats``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select

from services.common.http import make_client
from services.common.outbox import DELIVERED, OutboxDispatcher, http_transport
from services.pelatihan_api.config import PelatihanSettings
from services.pelatihan_api.main import create_app
from services.pelatihan_api.models.outbox import OutboxEvent
from services.pelatihan_api.state import pelatihan_state
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app as publik_app
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
from tests.support.fixtures import Tokens, running

BOSS = nip(900)


async def test_training_stats_reach_publik(
    db: str, settings_for: Callable[..., Any], tokens: Tokens, h: Headers, kinerja: StandIn
) -> None:
    unit = str(uuid.uuid4())
    kinerja.units[unit] = "Dinas Pendidikan dan Kebudayaan"
    papp = create_app(settings_for(PelatihanSettings, kinerja_url=kinerja.url, gateway_url=kinerja.url))
    publik = publik_app(settings_for(PublikSettings))
    async with running(publik), running(papp) as api:
        people = [nip(i) for i in range(1, 7)]
        for p in people:
            envelope = {
                "id": str(uuid.uuid4()),
                "type": "kinerja.employee",
                "source": "kinerja",
                "occurred_at": datetime.now(UTC).isoformat(),
                "data": {"nip": p, "unit_id": unit, "employment": "PNS"},
            }
            assert (
                await api.post("/internal/v1/events", json=envelope, headers=h.service())
            ).status_code == 200
            kinerja.add(p, supervisor_nip=BOSS, unit_id=unit)
        prog = await make_program(api, h, await make_institution(api, h), jp=24, mode="NONKLASIKAL")
        s = await make_session(api, h, prog, capacity=10)
        for p in people[:4]:
            e = await enrol_and_approve(api, h, s["id"], p, BOSS)
            with at_end(s):
                r = await api.post(
                    f"/v1/enrolments/{e['id']}/complete", json={"passed": True}, headers=h.training_admin()
                )
            assert r.status_code == 200, r.text

        to_publik = make_client("http://publik", transport=httpx.ASGITransport(app=publik), timeout_s=5.0)
        to_publik.headers.update(tokens.service("svc-pelatihan"))
        try:
            dispatcher = OutboxDispatcher(
                pelatihan_state(papp).sessionmaker,
                OutboxEvent,
                {"publik": http_transport(to_publik, "/internal/v1/events")},
                source="pelatihan",
            )
            assert await dispatcher.run_once() == 4
        finally:
            await to_publik.aclose()
        async with pelatihan_state(papp).sessionmaker() as session:
            rows = (
                await session.scalars(
                    select(OutboxEvent)
                    .where(OutboxEvent.destination == "publik")
                    .order_by(OutboxEvent.created_at)
                )
            ).all()
    assert [(r.status, r.last_error) for r in rows] == [(DELIVERED, None)] * 4
    last = rows[-1].payload
    assert last["unit_name"] == "Dinas Pendidikan dan Kebudayaan"
    assert (last["participants"], last["jp_delivered"], last["pns_total"], last["pns_meeting_20jp"]) == (
        4,
        96,
        6,
        4,
    )
    assert last["share_meeting_20jp"] == round(4 / 6, 4)
    assert not any(p in str(r.payload) for r in rows for p in people)
