"""Webhooks end to end: a service posts events to the gateway's /internal/v1/events, the gateway's outbox
signs and delivers them to a real HTTP receiver on 127.0.0.1 (uvicorn on a free port), retries with
backoff, records every delivery, and replays on request. Targets are checked (https only, no private
addresses) unless the settings allow otherwise, as these tests do to reach the local receiver."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.types import Receive, Scope, Send

from gateway.config import GatewaySettings
from gateway.main import create_app
from gateway.state import gateway_state
from services.common.auth import Role
from tests.support.fixtures import free_port, plain_dsn, running, wait_until

DEAD_UPSTREAM = ["http://127.0.0.1:9"]
NIP = "198609262015051001"


# ---------------------------------------------------------------------------------------------- receiver


@dataclass
class Receiver:
    """An HTTP server that records what it receives; the first ``fail_first`` requests get a 500."""

    fail_first: int = 0
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.received.append((scope["path"], headers, body))
        if scope["path"] == "/redirect":
            status, extra = 307, [(b"location", f"{self.url}/hook".encode())]
        elif len(self.received) <= self.fail_first:
            status, extra = 500, []
        else:
            status, extra = 204, []
        await send({"type": "http.response.start", "status": status, "headers": extra})
        await send({"type": "http.response.body", "body": b""})


@asynccontextmanager
async def serving(receiver: Receiver) -> AsyncIterator[Receiver]:
    receiver.port = free_port()
    config = uvicorn.Config(
        receiver, host="127.0.0.1", port=receiver.port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.02)
        assert server.started
        yield receiver
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)


# ---------------------------------------------------------------------------------------------- gateway


@pytest.fixture
def gateway_settings(db: str, settings_for: Callable[..., Any], tmp_path: Path) -> Callable[..., Any]:
    def make(**overrides: Any) -> GatewaySettings:
        values: dict[str, Any] = {
            "data_dir": tmp_path,
            "kinerja_urls": DEAD_UPSTREAM,
            "pelatihan_urls": DEAD_UPSTREAM,
            "publik_urls": DEAD_UPSTREAM,
            **overrides,
        }
        settings: GatewaySettings = settings_for(GatewaySettings, **values)
        return settings

    return make


LOCAL = {
    "webhooks_allow_private_targets": True,
    "webhooks_allow_http": True,
    "outbox_enabled": True,
    "outbox_poll_interval_s": 0.05,
    "webhook_retry_schedule_s": [0.1, 0.2, 0.3],
}


@asynccontextmanager
async def gateway(settings: GatewaySettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings)
    async with running(app) as client:
        yield app, client


def bearer(app: FastAPI, subject: str, roles: list[str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {gateway_state(app).keyring.signer.issue(subject, roles, ttl_s=600)}"}


def admin(app: FastAPI) -> dict[str, str]:
    return bearer(app, "admin", [Role.ADMIN])


def service(app: FastAPI) -> dict[str, str]:
    return bearer(app, "svc-kinerja", [Role.SERVICE])


async def register(
    app: FastAPI,
    client: httpx.AsyncClient,
    url: str,
    types: list[str] | None = None,
    *,
    client_id: str | None = None,
) -> dict[str, Any]:
    resp = await client.post(
        "/webhooks/endpoints",
        json={
            "url": url,
            "event_types": types or ["evaluation.finalized"],
            "description": "TPP",
            **({"client_id": client_id} if client_id else {}),
        },
        headers=admin(app),
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def integrator(app: FastAPI, client: httpx.AsyncClient, scopes: list[str]) -> str:
    """A new integrator API client with ``scopes``; its client id."""
    resp = await client.post(
        "/auth/clients",
        json={"name": f"Integrator {uuid.uuid4().hex[:6]}", "roles": ["integrator"], "scopes": scopes},
        headers=admin(app),
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["client_id"])


def evaluation_event(**data: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": "kinerja.evaluation_finalized",
        "source": "kinerja",
        "occurred_at": "2026-04-15T03:00:00Z",
        "data": {
            "evaluation_id": str(uuid.uuid4()),
            "nip": NIP,
            "period": "2026-Q1",
            "status": "FINAL",
            "unit_id": str(uuid.uuid4()),
            **data,
        },
    }


async def send_event(app: FastAPI, client: httpx.AsyncClient, event: dict[str, Any]) -> dict[str, Any]:
    resp = await client.post("/internal/v1/events", json=event, headers=service(app))
    assert resp.status_code == 202, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def deliveries(app: FastAPI, client: httpx.AsyncClient, endpoint_id: str) -> list[dict[str, Any]]:
    resp = await client.get(f"/webhooks/deliveries?endpoint_id={endpoint_id}", headers=admin(app))
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What an integrator runs (docs/integrators.md): the Standard Webhooks library."""
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


def verify_legacy(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What integrators of endpoints registered before the Standard Webhooks scheme run (the legacy check
    docs/integrators.md showed until then)."""
    timestamp = headers["webhook-timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    given = [
        part.removeprefix("v1=") for part in headers["webhook-signature"].split() if part.startswith("v1=")
    ]
    return any(hmac.compare_digest(expected, g) for g in given)


def another_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


# ---------------------------------------------------------------------------------------------- tests


async def test_delivery_is_signed_and_carries_only_ids_and_status(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with serving(Receiver()) as receiver, gateway(gateway_settings(**LOCAL)) as (app, client):
        scoped = await integrator(app, client, ["kinerja:individual"])
        endpoint = await register(app, client, f"{receiver.url}/hook", client_id=scoped)
        assert endpoint["secret"].startswith("whsec_")
        assert endpoint["active"] is True
        assert endpoint["event_types"] == ["evaluation.finalized"]
        assert endpoint["client_id"] == scoped

        event = evaluation_event(predikat="BAIK", result_rating="SESUAI_EKSPEKTASI", name="Siti")
        result = await send_event(app, client, event)
        assert result == {"event_id": event["id"], "status": "stored", "deliveries": 1}

        async def arrived() -> bool:
            return len(receiver.received) == 1

        assert await wait_until(arrived, timeout_s=10)
        path, headers, body = receiver.received[0]
        assert path == "/hook"
        assert headers["content-type"] == "application/json"
        assert headers["webhook-id"] == event["id"]
        assert verify(endpoint["secret"], headers, body)
        assert not verify(another_secret(), headers, body)
        assert not verify(endpoint["secret"], headers, body.replace(b"FINAL", b"DRAFT"))
        sent = json.loads(body)
        assert sent["id"] == event["id"]
        assert sent["type"] == "evaluation.finalized"
        assert sent["occurred_at"] == "2026-04-15T03:00:00Z"
        # Personal ratings and names never leave: only the mapped ids and status (the NIP because the
        # endpoint's client holds kinerja:individual).
        assert set(sent["data"]) == {"evaluation_id", "nip", "period", "status", "unit_id"}

        # The same event again (an outbox retry) is a duplicate: nothing is queued or sent twice.
        again = await send_event(app, client, event)
        assert again["status"] == "duplicate"
        assert again["deliveries"] == 0
        await asyncio.sleep(0.3)
        assert len(receiver.received) == 1

        [row] = await deliveries(app, client, endpoint["id"])
        assert (row["status"], row["attempts"], row["event_id"]) == ("DELIVERED", 1, event["id"])
        assert row["delivered_at"] is not None
        assert row["replay_of"] is None

        # The secret is shown only at creation.
        shown = await client.get(f"/webhooks/endpoints/{endpoint['id']}", headers=admin(app))
        assert shown.status_code == 200
        assert "secret" not in shown.json()


async def test_deliveries_carry_nips_only_to_endpoints_whose_client_holds_the_scope(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    """Issue 14 finding 4 for webhooks: a NIP reaches an endpoint only when its API client holds the scope of
    the event's service, checked at each send (a scope withdrawn later also strips replays); an endpoint with
    no client, or one whose client holds only the other service's scope, gets the event without the NIP."""
    async with serving(Receiver()) as receiver, gateway(gateway_settings(**LOCAL)) as (app, client):
        types = ["evaluation.finalized", "training.completed"]
        scoped = await integrator(app, client, ["kinerja:individual", "pelatihan:individual"])
        pelatihan_only = await integrator(app, client, ["pelatihan:individual"])
        unscoped = await integrator(app, client, [])
        paths = {"/scoped": scoped, "/pelatihan-only": pelatihan_only, "/unscoped": unscoped, "/none": None}
        endpoints = {
            path: await register(app, client, receiver.url + path, types, client_id=cid)
            for path, cid in paths.items()
        }
        assert endpoints["/none"]["client_id"] is None
        training = {
            "id": str(uuid.uuid4()),
            "type": "pelatihan.training_completed",
            "source": "pelatihan",
            "occurred_at": "2026-04-15T03:00:00Z",
            "data": {
                "enrolment_id": str(uuid.uuid4()),
                "session_id": str(uuid.uuid4()),
                "nip": NIP,
                "status": "COMPLETED",
                "jp": 24,
            },
        }
        await send_event(app, client, evaluation_event(name="Siti Aminah"))
        assert (await send_event(app, client, training))["deliveries"] == 4

        async def all_arrived() -> bool:
            return len(receiver.received) == 8

        assert await wait_until(all_arrived, timeout_s=15)

        def sent(path: str, webhook_type: str) -> dict[str, Any]:
            [body] = [
                json.loads(b)
                for p, _, b in receiver.received
                if p == path and json.loads(b)["type"] == webhook_type
            ]
            data: dict[str, Any] = body["data"]
            return data

        for path in paths:
            evaluation, completed = sent(path, "evaluation.finalized"), sent(path, "training.completed")
            assert "name" not in evaluation
            assert ("nip" in evaluation) is (path == "/scoped"), (path, evaluation)
            assert ("nip" in completed) is (path in ("/scoped", "/pelatihan-only")), (path, completed)
            # Everything else still arrives: the event is useful without the person.
            assert evaluation["status"] == "FINAL"
            assert completed["jp"] == 24
        # NIPs appear nowhere an unscoped endpoint can see, not even inside another field.
        for path, _, body in receiver.received:
            if path in ("/unscoped", "/none"):
                assert NIP.encode() not in body

        # The scope is withdrawn: a replay to the formerly scoped endpoint no longer carries the NIP.
        withdrawn = await client.patch(f"/auth/clients/{scoped}", json={"scopes": []}, headers=admin(app))
        assert withdrawn.status_code == 200, withdrawn.text
        receiver.received.clear()
        replay = await client.post(
            f"/webhooks/endpoints/{endpoints['/scoped']['id']}/replay",
            json={"since": "2000-01-01T00:00:00Z"},
            headers=admin(app),
        )
        assert replay.status_code == 202, replay.text

        async def replayed() -> bool:
            return len(receiver.received) == 2

        assert await wait_until(replayed, timeout_s=15)
        for _, _, body in receiver.received:
            assert NIP.encode() not in body

        # Linking an endpoint to a client that does not exist (or is revoked) is refused.
        unknown = await client.patch(
            f"/webhooks/endpoints/{endpoints['/none']['id']}",
            json={"client_id": "no-such-client"},
            headers=admin(app),
        )
        assert unknown.status_code == 422, unknown.text
        linked = await client.patch(
            f"/webhooks/endpoints/{endpoints['/none']['id']}",
            json={"client_id": pelatihan_only},
            headers=admin(app),
        )
        assert linked.status_code == 200, linked.text
        assert linked.json()["client_id"] == pelatihan_only


async def test_a_receiver_failing_twice_gets_exactly_one_accepted_delivery(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with (
        serving(Receiver(fail_first=2)) as receiver,
        gateway(gateway_settings(**LOCAL)) as (app, client),
    ):
        endpoint = await register(app, client, f"{receiver.url}/hook")
        event = evaluation_event()
        await send_event(app, client, event)

        async def delivered() -> bool:
            rows = await deliveries(app, client, endpoint["id"])
            return bool(rows[0]["status"] == "DELIVERED")

        assert await wait_until(delivered, timeout_s=15)
        [row] = await deliveries(app, client, endpoint["id"])
        assert row["attempts"] == 3
        assert row["last_error"] is None
        assert len(receiver.received) == 3
        # Every attempt carries the same Webhook-Id and a valid signature.
        assert {h["webhook-id"] for _, h, _ in receiver.received} == {event["id"]}
        assert all(verify(endpoint["secret"], h, b) for _, h, b in receiver.received)
        await asyncio.sleep(0.5)
        assert len(receiver.received) == 3


async def test_retries_end_in_failed_and_redirects_are_not_followed(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    settings = gateway_settings(**{**LOCAL, "webhook_retry_schedule_s": [0.1]})  # two attempts in all
    async with serving(Receiver()) as receiver, gateway(settings) as (app, client):
        endpoint = await register(app, client, f"{receiver.url}/redirect")
        await send_event(app, client, evaluation_event())

        async def failed() -> bool:
            rows = await deliveries(app, client, endpoint["id"])
            return bool(rows[0]["status"] == "FAILED")

        assert await wait_until(failed, timeout_s=15)
        [row] = await deliveries(app, client, endpoint["id"])
        assert row["attempts"] == 2
        assert "307" in row["last_error"]
        assert [p for p, _, _ in receiver.received] == ["/redirect", "/redirect"]


async def test_replay_from_a_time_and_from_a_cursor(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with serving(Receiver()) as receiver, gateway(gateway_settings(**LOCAL)) as (app, client):
        endpoint = await register(app, client, f"{receiver.url}/hook")
        events = [evaluation_event() for _ in range(3)]
        for event in events:
            await send_event(app, client, event)

        async def received(n: int) -> Callable[[], Any]:
            async def check() -> bool:
                return len(receiver.received) >= n

            return check

        assert await wait_until(await received(3), timeout_s=10)
        replay = f"/webhooks/endpoints/{endpoint['id']}/replay"

        resp = await client.post(replay, json={"since": "2000-01-01T00:00:00Z"}, headers=admin(app))
        assert resp.status_code == 202, resp.text
        assert resp.json() == {"queued": 3, "next_cursor": None}
        assert await wait_until(await received(6), timeout_s=10)
        replayed_ids = sorted(h["webhook-id"] for _, h, _ in receiver.received[3:])
        assert replayed_ids == sorted(e["id"] for e in events)
        assert all(verify(endpoint["secret"], h, b) for _, h, b in receiver.received)

        rows = await deliveries(app, client, endpoint["id"])
        assert len(rows) == 6
        originals = [r for r in rows if r["replay_of"] is None]
        assert len(originals) == 3
        assert {r["replay_of"] for r in rows if r["replay_of"]} == {r["id"] for r in originals}

        # From a cursor: what the (original) list shows after its first item; replays are not replayed.
        page = (
            await client.get(f"/webhooks/deliveries?endpoint_id={endpoint['id']}&limit=1", headers=admin(app))
        ).json()
        first = page["items"][0]
        resp = await client.post(
            replay, json={"from_cursor": page["next_cursor"], "limit": 1}, headers=admin(app)
        )
        assert resp.status_code == 202, resp.text
        assert resp.json()["queued"] == 1
        assert resp.json()["next_cursor"]
        rest = await client.post(replay, json={"from_cursor": resp.json()["next_cursor"]}, headers=admin(app))
        assert rest.json() == {"queued": 1, "next_cursor": None}
        assert await wait_until(await received(8), timeout_s=10)
        assert first["event_id"] not in {h["webhook-id"] for _, h, _ in receiver.received[6:]}

        for bad in ({}, {"since": "2000-01-01T00:00:00Z", "from_cursor": "x"}, {"from_cursor": "%%%"}):
            refused = await client.post(replay, json=bad, headers=admin(app))
            assert refused.status_code == 422, bad
            assert refused.headers["content-type"] == "application/problem+json"
        missing = await client.post(
            f"/webhooks/endpoints/{uuid.uuid4()}/replay",
            json={"since": "2000-01-01T00:00:00Z"},
            headers=admin(app),
        )
        assert missing.status_code == 404


async def test_events_reach_only_active_subscribed_endpoints(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings(**{**LOCAL, "outbox_enabled": False})) as (app, client):
        wanted = await register(app, client, "http://127.0.0.1:9/a", ["evaluation.finalized", "skp.approved"])
        await register(app, client, "http://127.0.0.1:9/b", ["training.completed"])
        paused = await register(app, client, "http://127.0.0.1:9/c", ["evaluation.finalized"])
        resp = await client.patch(
            f"/webhooks/endpoints/{paused['id']}", json={"active": False}, headers=admin(app)
        )
        assert resp.status_code == 200
        assert resp.json()["active"] is False

        assert (await send_event(app, client, evaluation_event()))["deliveries"] == 1
        skp = {
            "id": str(uuid.uuid4()),
            "type": "kinerja.skp_approved",
            "source": "kinerja",
            "occurred_at": "2026-02-01T01:00:00Z",
            "data": {"skp_id": str(uuid.uuid4()), "nip": NIP, "year": 2026, "status": "APPROVED"},
        }
        assert (await send_event(app, client, skp))["deliveries"] == 1
        nobody = {**evaluation_event(), "type": "kinerja.employee", "data": {"nip": NIP, "active": False}}
        assert (await send_event(app, client, nobody))["deliveries"] == 0
        rows = await deliveries(app, client, wanted["id"])
        assert sorted(r["event_type"] for r in rows) == ["evaluation.finalized", "skp.approved"]
        assert await deliveries(app, client, paused["id"]) == []

        unknown = await client.post(
            "/internal/v1/events", json={**evaluation_event(), "type": "kinerja.nope"}, headers=service(app)
        )
        assert unknown.status_code == 422
        # A payload version the gateway does not know (docs/events.md) is refused, never guessed at.
        newer = await client.post(
            "/internal/v1/events", json={**evaluation_event(), "version": 2}, headers=service(app)
        )
        assert newer.status_code == 422
        assert newer.json()["errors"][0]["loc"] == ["body", "version"]
        incomplete = evaluation_event()
        del incomplete["data"]["evaluation_id"]
        refused = await client.post("/internal/v1/events", json=incomplete, headers=service(app))
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"

        event = evaluation_event()
        assert (await client.post("/internal/v1/events", json=event)).status_code == 401
        as_admin = await client.post("/internal/v1/events", json=event, headers=admin(app))
        assert as_admin.status_code == 403


async def test_endpoint_administration(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with gateway(gateway_settings(**{**LOCAL, "outbox_enabled": False})) as (app, client):
        created = [await register(app, client, f"http://127.0.0.1:9/{i}") for i in range(3)]
        page = (await client.get("/webhooks/endpoints?limit=2", headers=admin(app))).json()
        assert [e["id"] for e in page["items"]] == [c["id"] for c in created[:2]]
        assert all("secret" not in e for e in page["items"])
        rest = (
            await client.get(f"/webhooks/endpoints?cursor={page['next_cursor']}", headers=admin(app))
        ).json()
        assert [e["id"] for e in rest["items"]] == [created[2]["id"]]
        assert rest["next_cursor"] is None

        path = f"/webhooks/endpoints/{created[0]['id']}"
        resp = await client.patch(
            path,
            json={"event_types": ["training.completed", "employee.changed"], "description": None},
            headers=admin(app),
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["event_types"] == ["employee.changed", "training.completed"]
        assert resp.json()["description"] is None
        bad_type = await client.patch(path, json={"event_types": ["evaluation.deleted"]}, headers=admin(app))
        assert bad_type.status_code == 422

        assert (await client.delete(path, headers=admin(app))).status_code == 204
        assert (await client.get(path, headers=admin(app))).status_code == 404
        assert (await client.delete(path, headers=admin(app))).status_code == 404

        integrator = bearer(app, "cl_x", [Role.INTEGRATOR])
        for method, url in (
            ("GET", "/webhooks/endpoints"),
            ("POST", "/webhooks/endpoints"),
            ("GET", "/webhooks/deliveries"),
            ("DELETE", f"/webhooks/endpoints/{created[1]['id']}"),
        ):
            assert (await client.request(method, url)).status_code == 401
            assert (await client.request(method, url, headers=integrator)).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "http://tpp.example.org/hook",  # not https
        "ftp://tpp.example.org/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        # IPv6 transition addresses that lead to an internal IPv4 host (docs/security.md, Key and token
        # lifecycle): NAT64 to the metadata service and to loopback, 6to4, IPv4-compatible, local-use
        # NAT64 and Teredo (both refused outright).
        "https://[64:ff9b::a9fe:a9fe]/latest/meta-data",
        "https://[64:ff9b::7f00:1]/hook",
        "https://[64:ff9b::10.1.2.3]/hook",
        "https://[2002:7f00:1::1]/hook",
        "https://[2002:c0a8:a::]/hook",
        "https://[::127.0.0.1]/hook",
        "https://[::10.0.0.1]/hook",
        "https://[64:ff9b:1::808:808]/hook",
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",
        "https://100.64.0.1/hook",
        "https://224.0.0.1/hook",
        "https://0.0.0.0/hook",
        "https://user:pass@8.8.8.8/hook",
        "https:///hook",
    ],
)
async def test_private_and_plain_http_targets_are_refused_by_default(
    gateway_settings: Callable[..., GatewaySettings], url: str
) -> None:
    async with gateway(gateway_settings()) as (app, client):
        resp = await client.post(
            "/webhooks/endpoints", json={"url": url, "event_types": ["skp.approved"]}, headers=admin(app)
        )
        assert resp.status_code == 422, (url, resp.text)
        assert resp.headers["content-type"] == "application/problem+json"
        assert resp.json()["errors"][0]["loc"] == ["body", "url"]


async def test_a_public_https_target_is_accepted(gateway_settings: Callable[..., GatewaySettings]) -> None:
    # An IP literal, so no DNS query leaves the machine; nothing is sent to it.
    async with gateway(gateway_settings()) as (app, client):
        resp = await client.post(
            "/webhooks/endpoints",
            json={"url": "https://8.8.8.8/hook", "event_types": ["skp.approved"]},
            headers=admin(app),
        )
        assert resp.status_code == 201, resp.text


@pytest.mark.parametrize("url", ["https://[64:ff9b::808:808]/hook", "https://[2002:808:808::1]/hook"])
async def test_a_transition_address_of_a_public_ipv4_host_is_accepted(
    gateway_settings: Callable[..., GatewaySettings], url: str
) -> None:
    async with gateway(gateway_settings()) as (app, client):
        resp = await client.post(
            "/webhooks/endpoints", json={"url": url, "event_types": ["skp.approved"]}, headers=admin(app)
        )
        assert resp.status_code == 201, (url, resp.text)


async def test_a_name_that_now_resolves_to_a_nat64_address_of_loopback_is_refused_at_delivery(
    gateway_settings: Callable[..., GatewaySettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: the name was public when registered, and answers with NAT64's spelling of 127.0.0.1
    # when the delivery is made. The resolver is the only thing faked; every other name resolves as usual.
    answer = {"address": "8.8.8.8"}
    real = socket.getaddrinfo

    def fake_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "hook.rebind.test":
            family = socket.AF_INET6 if ":" in answer["address"] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (answer["address"], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    strict = {**LOCAL, "webhooks_allow_private_targets": False}
    async with gateway(gateway_settings(**strict)) as (app, client):
        endpoint = await register(app, client, "http://hook.rebind.test:8080/hook")
        answer["address"] = "64:ff9b::7f00:1"
        await send_event(app, client, evaluation_event())

        async def failed() -> bool:
            rows = await deliveries(app, client, endpoint["id"])
            return bool(rows and rows[0]["status"] == "FAILED")

        assert await wait_until(failed, timeout_s=10)
        [row] = await deliveries(app, client, endpoint["id"])
        assert row["attempts"] == 1
        assert "target refused" in row["last_error"]


async def test_the_target_is_checked_again_at_delivery_time(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with serving(Receiver()) as receiver:
        async with gateway(gateway_settings(**{**LOCAL, "outbox_enabled": False})) as (app, client):
            endpoint = await register(app, client, f"{receiver.url}/hook")
            await send_event(app, client, evaluation_event())
        # The settings no longer allow private targets (as if the name now resolved to one).
        strict = {**LOCAL, "webhooks_allow_private_targets": False}
        async with gateway(gateway_settings(**strict)) as (app, client):

            async def failed() -> bool:
                rows = await deliveries(app, client, endpoint["id"])
                return bool(rows[0]["status"] == "FAILED")

            assert await wait_until(failed, timeout_s=10)
            [row] = await deliveries(app, client, endpoint["id"])
            assert row["attempts"] == 1
            assert "target refused" in row["last_error"]
        assert receiver.received == []


async def test_an_endpoint_registered_before_the_standard_scheme_keeps_the_legacy_signature(
    gateway_settings: Callable[..., GatewaySettings], db: str
) -> None:
    async with serving(Receiver()) as receiver, gateway(gateway_settings(**LOCAL)) as (app, client):
        # Inserted the way the code before the Standard Webhooks scheme did: a urlsafe secret, no scheme.
        legacy_secret = "whsec_" + secrets.token_urlsafe(32)
        endpoint_id = uuid.uuid4()
        conn = await asyncpg.connect(plain_dsn(db))
        try:
            await conn.execute(
                "INSERT INTO gateway.webhook_endpoint (id, url, event_types, secret) VALUES ($1, $2, $3, $4)",
                endpoint_id,
                f"{receiver.url}/hook",
                ["evaluation.finalized"],
                legacy_secret,
            )
        finally:
            await conn.close()
        shown = (await client.get(f"/webhooks/endpoints/{endpoint_id}", headers=admin(app))).json()
        assert shown["signing_scheme"] == "LEGACY"

        await send_event(app, client, evaluation_event())

        async def arrived() -> bool:
            return len(receiver.received) == 1

        assert await wait_until(arrived, timeout_s=10)
        _, headers, body = receiver.received[0]
        assert headers["webhook-signature"].startswith("v1=")
        assert " " not in headers["webhook-signature"]
        assert verify_legacy(legacy_secret, headers, body)
        assert not verify_legacy(legacy_secret, headers, body.replace(b"FINAL", b"DRAFT"))
