"""Webhook-worthy changes are queued for the gateway in the transaction that made them, carrying ids and
states only (never ratings, notes or names)."""

from __future__ import annotations

import json

import httpx

from tests.kinerja.test_evaluations_seed import connect, evaluate
from tests.support.fixtures import Tokens


async def test_a_finalised_evaluation_is_queued_for_the_gateway(
    db: str, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    seed = await connect(db)
    try:
        unit = await seed.unit("WH")
        head = await seed.employee(seed.nip(1), unit, None, position_type="JPT")
        staff = await seed.employee(seed.nip(2), unit, head)
        await seed.anchor()
        final = await evaluate(client, tokens.pegawai(head), staff, "SESUAI_EKSPEKTASI", "DI_ATAS_EKSPEKTASI")
        rows = await seed.conn.fetch(
            "SELECT event_type, payload::text AS p FROM kinerja.outbox_event WHERE destination = 'gateway'"
        )
    finally:
        await seed.conn.close()
    finalized = [json.loads(r["p"]) for r in rows if r["event_type"] == "kinerja.evaluation_finalized"]
    assert finalized == [
        {
            "evaluation_id": final["id"],
            "nip": staff,
            "period": "2026-Q1",
            "status": "FINAL",
            "unit_id": str(unit),
        }
    ]
    text = " ".join(r["p"] for r in rows)
    for secret in ("SESUAI_EKSPEKTASI", "DI_ATAS_EKSPEKTASI", "predikat", "BAIK"):
        assert secret not in text
