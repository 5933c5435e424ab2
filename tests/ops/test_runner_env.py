"""``asn run``'s environment for the apps: what it sets by default, and only where."""

from __future__ import annotations

from asn_cli.database import CliSettings
from asn_cli.runner import DEVELOPMENT_ONLY, child_env
from services.common.apps import SERVICE_NAMES

SECRETS = {f"svc-{n}": "x" * 32 for n in SERVICE_NAMES}


def test_the_demo_delivers_webhooks_to_local_receivers() -> None:
    env = child_env({}, CliSettings(), "postgresql://127.0.0.1/demo", SECRETS)
    assert env["GATEWAY_ENVIRONMENT"] == "development"
    for key, value in DEVELOPMENT_ONLY.items():
        assert env[key] == value


def test_no_other_environment_gets_the_development_allowances() -> None:
    env = child_env({"GATEWAY_ENVIRONMENT": "production"}, CliSettings(), None, SECRETS)
    assert not any(key in env for key in DEVELOPMENT_ONLY)
    env = child_env({"GATEWAY_WEBHOOKS_ALLOW_HTTP": "false"}, CliSettings(), None, SECRETS)
    assert env["GATEWAY_WEBHOOKS_ALLOW_HTTP"] == "false"  # what the operator set wins
