"""The gateway's audit chain: account, API-client and webhook-endpoint changes, and each event fanned out to
webhook endpoints, are recorded by record_change (the deliveries are its outbox rows) — never a secret.
Admins read and verify the chain at /audit; a row rewritten in the database breaks it."""

from __future__ import annotations

from collections.abc import Callable

from gateway.config import GatewaySettings
from services.common.auth import Role
from tests.gateway.test_identity import add_account
from tests.gateway.test_webhooks import (
    LOCAL,
    admin,
    bearer,
    deliveries,
    evaluation_event,
    gateway,
    register,
    send_event,
)
from tests.support.audit_checks import entries, readers_only, tamper_and_verify, verify

AUDIT = "/audit"


async def test_identity_changes_are_recorded_without_secrets(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings()) as (app, client):
        created = await client.post(
            "/auth/clients", json={"name": "Dashboard Bappeda", "roles": ["integrator"]}, headers=admin(app)
        )
        assert created.status_code == 201, created.text
        cid, first_secret = created.json()["client_id"], created.json()["client_secret"]
        rotated = await client.post(f"/auth/clients/{cid}/rotate", headers=admin(app))
        assert rotated.status_code == 200, rotated.text
        patched = await client.patch(f"/auth/clients/{cid}", json={"name": "Bappeda"}, headers=admin(app))
        assert patched.status_code == 200, patched.text
        for _ in range(2):  # revoking twice changes (and records) nothing the second time
            assert (await client.post(f"/auth/clients/{cid}/revoke", headers=admin(app))).status_code == 200
        account = await client.post(
            "/auth/accounts",
            json={"username": "siti.rahma", "password": "a long enough pass", "roles": ["admin"]},
            headers=admin(app),
        )
        assert account.status_code == 201, account.text

        history = await entries(client, AUDIT, admin(app), "api_client", cid)
        assert [(e["action"], e["actor"]) for e in history] == [
            ("api_client.create", "admin"),
            ("api_client.rotate_secret", "admin"),
            ("api_client.update", "admin"),
            ("api_client.revoke", "admin"),
        ]
        assert history[1]["before"]["previous_secret_expires_at"] is None
        assert history[1]["after"]["previous_secret_expires_at"] is not None
        assert (history[2]["before"]["name"], history[2]["after"]["name"]) == ("Dashboard Bappeda", "Bappeda")
        assert (history[3]["before"]["active"], history[3]["after"]["active"]) == (True, False)
        [made] = await entries(client, AUDIT, admin(app), "account", "siti.rahma")
        assert made["after"]["roles"] == ["admin"]
        everything = (await client.get(AUDIT, headers=admin(app))).text
        for secret in (first_secret, rotated.json()["client_secret"], "a long enough pass"):
            assert secret not in everything
        assert "password_hash" not in everything
        assert "secret_hash" not in everything
        assert await verify(client, AUDIT, admin(app)) == {
            "entries": 5,
            "valid": True,
            "first_bad_seq": None,
            "problem": None,
        }


async def test_webhook_changes_and_fan_out_are_recorded(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings(**{**LOCAL, "outbox_enabled": False})) as (app, client):
        endpoint = await register(app, client, "http://127.0.0.1:9/hook")
        event = evaluation_event()
        assert (await send_event(app, client, event))["deliveries"] == 1
        [queued] = await deliveries(app, client, endpoint["id"])
        assert queued["event_id"] == event["id"]
        assert queued["event_type"] == "evaluation.finalized"
        [fan_out] = await entries(client, AUDIT, admin(app), "event", event["id"])
        assert (fan_out["action"], fan_out["actor"]) == ("webhook.fan_out", "kinerja")
        assert fan_out["after"]["endpoints"] == [endpoint["id"]]
        paused = await client.patch(
            f"/webhooks/endpoints/{endpoint['id']}", json={"active": False}, headers=admin(app)
        )
        assert paused.status_code == 200, paused.text
        deleted = await client.delete(f"/webhooks/endpoints/{endpoint['id']}", headers=admin(app))
        assert deleted.status_code == 204
        history = await entries(client, AUDIT, admin(app), "webhook_endpoint", endpoint["id"])
        assert [e["action"] for e in history] == [
            "webhook_endpoint.create",
            "webhook_endpoint.update",
            "webhook_endpoint.delete",
        ]
        assert (history[1]["before"]["active"], history[1]["after"]["active"]) == (True, False)
        assert history[2]["after"] is None
        assert endpoint["secret"] not in (await client.get(AUDIT, headers=admin(app))).text
        assert (await verify(client, AUDIT, admin(app)))["valid"] is True


async def test_a_rewritten_entry_is_reported(
    gateway_settings: Callable[..., GatewaySettings], db: str
) -> None:
    async with gateway(gateway_settings()) as (app, client):
        for name in ("A", "B"):
            resp = await client.post(
                "/auth/clients", json={"name": name, "roles": ["integrator"]}, headers=admin(app)
            )
            assert resp.status_code == 201, resp.text
        first = (await client.get(AUDIT, headers=admin(app))).json()["items"][0]
        check = await tamper_and_verify(client, AUDIT, admin(app), db, "gateway", first["seq"])
        assert (check["valid"], check["first_bad_seq"], check["entries"]) == (False, first["seq"], 1)


async def test_only_admins_read_the_audit(gateway_settings: Callable[..., GatewaySettings]) -> None:
    async with gateway(gateway_settings()) as (app, client):
        await readers_only(
            client,
            AUDIT,
            refused=[
                bearer(app, "client-1", [Role.INTEGRATOR]),
                bearer(app, "svc-kinerja", [Role.SERVICE]),
                bearer(app, "trainer", [Role.PELATIHAN_ADMIN]),
            ],
            admitted=[admin(app)],
        )


async def test_the_command_lines_accounts_are_recorded_once(
    gateway_settings: Callable[..., GatewaySettings],
) -> None:
    async with gateway(gateway_settings()) as (app, client):
        for password in ("first long password", "first long password", "second long password"):
            await add_account(app, "operator", password, roles=[Role.ADMIN])
        history = await entries(client, AUDIT, admin(app), "account", "operator")
        # Re-running the bootstrap with the same values changes (and records) nothing.
        assert [(e["action"], e["actor"]) for e in history] == [
            ("account.create", "asn-cli"),
            ("account.update", "asn-cli"),
        ]
        assert history[1]["after"]["password"] == "changed"
        assert "long password" not in (await client.get(AUDIT, headers=admin(app))).text
