"""Webhook deliveries verified by the Standard Webhooks reference libraries (PyPI and npm `standardwebhooks`),
as integrators' receivers do: new endpoints, a secret rotation's overlap (a receiver holding only the old or
only the new secret verifies), a legacy endpoint's switch to the standard scheme without breaking its
receiver, a replay under a changed `webhook-id` failing, and the retry schedule."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from gateway.config import GatewaySettings
from gateway.state import gateway_state
from tests.gateway.test_webhooks import (
    LOCAL,
    Receiver,
    admin,
    another_secret,
    bearer,
    evaluation_event,
    gateway,
    register,
    send_event,
    serving,
    verify,
    verify_legacy,
)
from tests.support.fixtures import plain_dsn, wait_until
from tests.support.interop import require_node_packages, run_node

Delivery = tuple[str, dict[str, str], bytes]
SIGNATURE = re.compile(r"v1,[A-Za-z0-9+/]{43}=")


async def deliver_one(app: FastAPI, client: Any, receiver: Receiver) -> Delivery:
    """Send one event and wait for its delivery."""
    before = len(receiver.received)
    await send_event(app, client, evaluation_event())

    async def arrived() -> bool:
        return len(receiver.received) > before

    assert await wait_until(arrived, timeout_s=10)
    return receiver.received[-1]


async def node_verify(secret: str, deliveries: list[Delivery]) -> list[dict[str, Any]]:
    """The npm package's verdict on each delivery."""
    payload = {"secret": secret, "deliveries": [{"headers": h, "body": b.decode()} for _, h, b in deliveries]}
    results: list[dict[str, Any]] = await run_node("verify_webhook.mjs", stdin=json.dumps(payload).encode())
    return results


async def sql(db: str, statement: str, *args: Any) -> None:
    conn = await asyncpg.connect(plain_dsn(db))
    try:
        await conn.execute(statement, *args)
    finally:
        await conn.close()


async def test_a_delivery_verifies_with_both_libraries_and_a_changed_id_does_not(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    require_node_packages()
    async with serving(Receiver()) as receiver, gateway(gateway_settings(**LOCAL)) as (app, client):
        endpoint = await register(app, client, f"{receiver.url}/hook")
        assert endpoint["signing_scheme"] == "STANDARD_WEBHOOKS"
        secret = endpoint["secret"]
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32

        delivery = await deliver_one(app, client, receiver)
        _, headers, body = delivery
        assert SIGNATURE.fullmatch(headers["webhook-signature"]), headers["webhook-signature"]
        assert abs(int(headers["webhook-timestamp"]) - time.time()) < 30
        payload = Webhook(secret).verify(body, headers)
        assert payload["id"] == headers["webhook-id"]

        # A captured delivery replayed under another id (to slip past the receiver's duplicate filter) fails:
        # the id is part of what is signed.
        replayed = {**headers, "webhook-id": str(uuid.uuid4())}
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(body, replayed)
        with pytest.raises(WebhookVerificationError):
            Webhook(another_secret()).verify(body, headers)

        results = await node_verify(secret, [delivery, ("/hook", replayed, body)])
        assert results[0] == {"ok": True, "id": headers["webhook-id"]}
        assert results[1] == {"ok": False, "error": "WebhookVerificationError"}
        assert (await node_verify(another_secret(), [delivery]))[0]["ok"] is False


async def test_rotation_overlap_old_and_new_secret_both_verify_then_only_the_new(
    gateway_settings: Callable[..., GatewaySettings], db: str
) -> None:
    require_node_packages()
    settings = gateway_settings(**LOCAL, webhook_secret_overlap_s=3600)
    async with serving(Receiver()) as receiver, gateway(settings) as (app, client):
        endpoint = await register(app, client, f"{receiver.url}/hook")
        old = endpoint["secret"]
        path = f"/webhooks/endpoints/{endpoint['id']}/rotate-secret"
        before = time.time()
        rotated = await client.post(path, headers=admin(app))
        assert rotated.status_code == 200, rotated.text
        assert rotated.headers["cache-control"] == "no-store"
        body = rotated.json()
        new = body["secret"]
        assert new != old
        assert body["signing_scheme"] == "STANDARD_WEBHOOKS"
        expires = datetime.fromisoformat(body["previous_secret_expires_at"]).timestamp()
        assert before + 3600 - 5 <= expires <= time.time() + 3600 + 5
        shown = (await client.get(f"/webhooks/endpoints/{endpoint['id']}", headers=admin(app))).json()
        assert "secret" not in shown
        assert shown["previous_secret_expires_at"] is not None

        during = await deliver_one(app, client, receiver)
        signatures = during[1]["webhook-signature"].split(" ")
        assert len(signatures) == 2
        assert all(SIGNATURE.fullmatch(s) for s in signatures)
        assert verify(old, during[1], during[2])
        assert verify(new, during[1], during[2])
        assert not verify(another_secret(), during[1], during[2])
        assert [r["ok"] for r in await node_verify(old, [during])] == [True]
        assert [r["ok"] for r in await node_verify(new, [during])] == [True]

        # Once the overlap is over only the new secret signs.
        await sql(
            db,
            "UPDATE gateway.webhook_endpoint SET previous_secret_expires_at = now() - interval '1 second' "
            "WHERE id = $1",
            uuid.UUID(endpoint["id"]),
        )
        after = await deliver_one(app, client, receiver)
        assert SIGNATURE.fullmatch(after[1]["webhook-signature"])
        assert verify(new, after[1], after[2])
        assert not verify(old, after[1], after[2])
        assert [r["ok"] for r in await node_verify(old, [after])] == [False]

        # A second rotation during an overlap ends the older secret's at once.
        first = (await client.post(path, headers=admin(app))).json()["secret"]
        second = (await client.post(path, headers=admin(app))).json()["secret"]
        latest = await deliver_one(app, client, receiver)
        assert verify(first, latest[1], latest[2])
        assert verify(second, latest[1], latest[2])
        assert not verify(new, latest[1], latest[2])

        missing = await client.post(f"/webhooks/endpoints/{uuid.uuid4()}/rotate-secret", headers=admin(app))
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert (await client.post(path)).status_code == 401
        integrator = bearer(app, "cl_x", ["integrator"])
        assert (await client.post(path, headers=integrator)).status_code == 403


async def test_rotating_a_legacy_endpoint_moves_it_to_the_standard_scheme_without_breaking_its_receiver(
    gateway_settings: Callable[..., GatewaySettings], db: str
) -> None:
    require_node_packages()
    async with serving(Receiver()) as receiver, gateway(gateway_settings(**LOCAL)) as (app, client):
        legacy_secret = "whsec_" + "Lg-" + uuid.uuid4().hex + "_x"  # not base64, like the secrets of old
        endpoint_id = uuid.uuid4()
        await sql(
            db,
            "INSERT INTO gateway.webhook_endpoint (id, url, event_types, secret) VALUES ($1, $2, $3, $4)",
            endpoint_id,
            f"{receiver.url}/hook",
            ["evaluation.finalized"],
            legacy_secret,
        )
        rotated = await client.post(f"/webhooks/endpoints/{endpoint_id}/rotate-secret", headers=admin(app))
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["secret"]
        shown = (await client.get(f"/webhooks/endpoints/{endpoint_id}", headers=admin(app))).json()
        assert shown["signing_scheme"] == "STANDARD_WEBHOOKS"

        during = await deliver_one(app, client, receiver)
        standard, legacy = during[1]["webhook-signature"].split(" ")
        assert SIGNATURE.fullmatch(standard)
        assert legacy.startswith("v1=")
        # The receiver still running the legacy check with the old secret keeps accepting deliveries ...
        assert verify_legacy(legacy_secret, during[1], during[2])
        # ... and the one switched to the libraries with the new secret accepts them too.
        assert verify(new, during[1], during[2])
        assert [r["ok"] for r in await node_verify(new, [during])] == [True]

        await sql(
            db,
            "UPDATE gateway.webhook_endpoint SET previous_secret_expires_at = now() - interval '1 second' "
            "WHERE id = $1",
            endpoint_id,
        )
        after = await deliver_one(app, client, receiver)
        assert not verify_legacy(legacy_secret, after[1], after[2])
        assert verify(new, after[1], after[2])


async def test_retries_follow_the_standard_webhooks_schedule(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings(outbox_enabled=False)) as (app, _client):
        dispatcher = gateway_state(app).webhook_dispatcher
        waits = [dispatcher.backoff(n) for n in range(1, dispatcher.max_attempts)]
        assert waits == [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600]
        assert dispatcher.max_attempts == 8
