"""docker-compose.yml agrees with the code: settings fields, commands, ports, roles, probes and ordering.

These machines have no Docker engine, so the file is checked by reading it against the settings classes,
the ``asn`` parser and deploy/postgres-init.sql.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from asn_cli.apps import APPS
from asn_cli.main import build_parser, cmd_bootstrap_clients, cmd_migrate, cmd_serve
from services.common.apps import APP_NAMES, SERVICE_NAMES
from services.common.settings import AppSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
INIT_SQL = ROOT / "deploy" / "postgres-init.sql"
DOCKERFILE = ROOT / "Dockerfile"
# ${VAR}, ${VAR:-default}, ${VAR:?message}, ${VAR-default}, ${VAR?message}
_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?]([^}]*))?\}")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return services


def _interpolate(value: str) -> str:
    """What compose would substitute, with a stand-in for every secret the operator provides."""
    return _INTERPOLATION.sub(lambda m: f"test-value-for-{m.group(1).lower()}", value)


def _env(service: dict[str, Any]) -> dict[str, str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {str(k): _interpolate(str(v)) for k, v in raw.items()}


def _settings_class(app: str) -> type[AppSettings]:
    return APPS[app].settings_class()


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return command.split() if isinstance(command, str) else [str(c) for c in command]


def _parse(service: dict[str, Any]) -> Any:
    argv = _command(service)
    assert argv[0] == "asn", f"{argv} is not an asn command"
    return build_parser().parse_args(argv[1:])


def _serving_port(name: str) -> int:
    """The port the compose service `name` listens on: --port, else its settings' default."""
    args = _parse(_services()[name])
    assert args.fn is cmd_serve
    if args.port:
        return int(args.port)
    port = _settings_class(args.app).model_fields["port"].default
    return int(port)


def _app_services() -> dict[str, str]:
    """compose service name -> app, for the long-running apps."""
    out: dict[str, str] = {}
    for name, service in _services().items():
        if service.get("command") and _command(service)[0] == "asn":
            args = _parse(service)
            if args.fn is cmd_serve:
                out[name] = args.app
    return out


def _migrate_jobs() -> dict[str, str]:
    out: dict[str, str] = {}
    for name, service in _services().items():
        if service.get("command") and _command(service)[0] == "asn":
            args = _parse(service)
            if args.fn is cmd_migrate:
                assert len(args.apps) == 1, f"{name}: one app per migrate job, so each uses its own role"
                out[name] = args.apps[0]
    return out


def _one_shot_jobs() -> set[str]:
    """Jobs that run to completion: the migrations and the registration of the service clients."""
    jobs = set(_migrate_jobs())
    for name, service in _services().items():
        if (
            service.get("command")
            and _command(service)[0] == "asn"
            and _parse(service).fn is cmd_bootstrap_clients
        ):
            jobs.add(name)
    return jobs


def _assert_points_at_service(url: str, what: str) -> None:
    parts = urlsplit(url)
    assert parts.hostname in _services(), f"{what}: {url} names no compose service"
    assert parts.port is not None, f"{what}: {url} has no port"
    assert parts.port == _serving_port(parts.hostname), (
        f"{what}: {url} but {parts.hostname} listens on {_serving_port(parts.hostname)}"
    )


def _init_sql() -> str:
    """deploy/postgres-init.sql without its comments."""
    return re.sub(r"--[^\n]*", "", INIT_SQL.read_text())


def _init_sql_roles() -> set[str]:
    return set(re.findall(r"^CREATE ROLE (\w+)", _init_sql(), flags=re.MULTILINE))


# ------------------------------------------------------------------------------------------------ tests


def test_every_app_is_served_and_migrated_once() -> None:
    assert sorted(_app_services().values()) == sorted(APP_NAMES)
    assert sorted(_migrate_jobs().values()) == sorted(APP_NAMES)
    for name, app in _app_services().items():
        assert name == app, "the service name is the host name the other apps use"


@pytest.mark.parametrize("name", list(_services()))
def test_env_vars_are_real_settings_fields(name: str) -> None:
    service = _services()[name]
    if not service.get("command") or _command(service)[0] != "asn":
        return  # postgres, redis: not ours
    args = _parse(service)
    if args.fn is cmd_bootstrap_clients:
        # It reads the gateway's database URL and each service's own client secret.
        for var in _env(service):
            app = next(a for a in APPS if var.startswith(APPS[a].env_prefix))
            assert var[len(APPS[app].env_prefix) :].lower() in _settings_class(app).model_fields, (
                f"{name}: {var}"
            )
        return
    app = args.app if args.fn is cmd_serve else args.apps[0]
    prefix = APPS[app].env_prefix
    fields = _settings_class(app).model_fields
    for var in _env(service):
        assert var.startswith(prefix), f"{name}: {var} lacks the {prefix} prefix, so {app} never reads it"
        field = var[len(prefix) :].lower()
        assert field in fields, f"{name}: {var} is not a field of {_settings_class(app).__name__}"


@pytest.mark.parametrize("name", list(_app_services()))
def test_required_settings_are_set(name: str) -> None:
    app = _app_services()[name]
    prefix = APPS[app].env_prefix
    env = _env(_services()[name])
    assert env.get(prefix + "ENVIRONMENT") == "production"
    assert env.get(prefix + "DATABASE_URL")
    if app in SERVICE_NAMES:
        jwks = env.get(prefix + "JWKS_URL")
        assert jwks, f"{name} cannot verify tokens without {prefix}JWKS_URL"
        assert urlsplit(jwks).path == "/.well-known/jwks.json"
        _assert_points_at_service(jwks, f"{name} {prefix}JWKS_URL")
        # The placeholder default is refused in production, so the real secret must be provided.
        assert env.get(prefix + "SERVICE_CLIENT_SECRET")
        assert "SERVICE_CLIENT_SECRET" in str(
            _services()[name]["environment"][prefix + "SERVICE_CLIENT_SECRET"]
        )
    for var, value in env.items():
        field = var[len(prefix) :].lower()
        if field.endswith("_url") and field not in ("database_url", "redis_url"):
            _assert_points_at_service(value, f"{name} {var}")


def test_gateway_upstreams_and_redis() -> None:
    env = _env(_services()["gateway"])
    for svc in SERVICE_NAMES:
        urls = env.get(f"GATEWAY_{svc.upper()}_URLS")
        assert urls, f"the gateway has no upstream for {svc}"
        for url in urls.split(","):
            assert urlsplit(url).hostname == svc
            _assert_points_at_service(url, f"GATEWAY_{svc.upper()}_URLS")
            assert str(_serving_port(svc)) in [str(p) for p in _services()[svc].get("expose", [])]
    redis_url = urlsplit(env["GATEWAY_REDIS_URL"])
    assert redis_url.scheme == "redis"
    assert redis_url.hostname in _services()
    assert redis_url.port == 6379
    assert any(str(p).endswith(":8000") for p in _services()["gateway"]["ports"]), "publish the gateway"
    for svc in SERVICE_NAMES:
        assert not _services()[svc].get("ports"), f"{svc} must be reached through the gateway only"


@pytest.mark.parametrize("name", [*_app_services(), *_migrate_jobs()])
def test_settings_load_from_compose_environment(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment as compose passes it builds valid settings (production rules included)."""
    services = _services()
    app = _app_services().get(name) or _migrate_jobs()[name]
    cls = _settings_class(app)
    for key in list(os.environ):
        if key.startswith(APPS[app].env_prefix):
            monkeypatch.delenv(key)
    for key, value in _env(services[name]).items():
        monkeypatch.setenv(key, value)
    settings = cls()
    assert settings.database_url is not None


@pytest.mark.parametrize("name", list(_app_services()) + list(_migrate_jobs()))
def test_each_app_connects_as_its_own_role(name: str) -> None:
    """The migration job connects as the app's owner role and names the runtime role it grants; the app
    serves as that runtime role (issue 14 finding 3: no UPDATE, DELETE or TRUNCATE of its audit chain)."""
    app = _app_services().get(name) or _migrate_jobs()[name]
    prefix = APPS[app].env_prefix
    env = _env(_services()[name])
    url = urlsplit(env[prefix + "DATABASE_URL"])
    postgres_env = _env(_services()["postgres"])
    role = app if name in _migrate_jobs() else f"{app}_runtime"
    password = f"{app.upper()}_DB_PASSWORD" if role == app else f"{app.upper()}_RUNTIME_DB_PASSWORD"
    assert url.username == role, f"{name} connects as {url.username}, not as the {role} role"
    assert url.hostname == "postgres"
    assert url.port in (None, 5432)
    assert url.path == "/" + postgres_env["POSTGRES_DB"]
    assert url.password == postgres_env[password], "the role's password is shared"
    assert role in _init_sql_roles()
    if name in _migrate_jobs():
        assert env[prefix + "RUNTIME_ROLE"] == f"{app}_runtime", "the job grants the app's runtime role"


def test_init_sql_gives_each_role_its_own_schema_only() -> None:
    sql = _init_sql()
    assert _init_sql_roles() == set(APP_NAMES) | {f"{app}_runtime" for app in APP_NAMES}
    for app in APP_NAMES:
        assert re.search(rf"^CREATE SCHEMA {app} AUTHORIZATION {app};", sql, flags=re.MULTILINE), app
    # No grant on any schema, table or sequence: ownership of its own schema is all a role gets.
    assert not re.search(r"GRANT\s+[^;]*\bON\s+(SCHEMA|ALL|TABLE|SEQUENCE)", sql, flags=re.IGNORECASE)
    assert not re.search(r"SUPERUSER|CREATEDB|CREATEROLE|BYPASSRLS", sql, flags=re.IGNORECASE)
    postgres = _services()["postgres"]
    env = _env(postgres)
    for var in re.findall(r"\\getenv \w+ (\w+)", sql):
        assert var in env, f"postgres-init.sql reads {var}, which the postgres service does not set"
    mounts = [str(v) for v in postgres.get("volumes", [])]
    assert any(m.startswith("./deploy/postgres-init.sql:/docker-entrypoint-initdb.d/") for m in mounts), (
        "mount the init script"
    )
    assert str(postgres["image"]).startswith("postgres:16")


@pytest.mark.parametrize("name", list(_services()))
def test_long_running_services_have_healthchecks(name: str) -> None:
    service = _services()[name]
    if name in _one_shot_jobs():
        assert service.get("restart") in ("no", None), "a one-shot job must not restart"
        assert not service.get("healthcheck")
        return
    check = service.get("healthcheck")
    assert check, f"{name} has no healthcheck"
    test = " ".join(check["test"]) if isinstance(check["test"], list) else str(check["test"])
    if name == "postgres":
        assert "pg_isready" in test
    elif name in _app_services():
        port = _serving_port(name)
        assert re.search(rf"127\.0\.0\.1:{port}/(healthz|readyz)\b", test), f"{name}: {test}"


@pytest.mark.parametrize("name", list(_services()))
def test_depends_on_uses_conditions(name: str) -> None:
    services = _services()
    depends = services[name].get("depends_on") or {}
    assert isinstance(depends, dict), f"{name}: depends_on needs conditions, not a bare list"
    for target, spec in depends.items():
        assert target in services, f"{name} depends on unknown {target}"
        condition = spec["condition"]
        assert condition in ("service_healthy", "service_completed_successfully"), (name, target, condition)
        if condition == "service_healthy":
            assert services[target].get("healthcheck"), f"{target} has no healthcheck to wait for"
        else:
            assert target in _one_shot_jobs()
    if name in _migrate_jobs():
        assert depends.get("postgres", {}).get("condition") == "service_healthy"
    if name in _app_services():
        app = _app_services()[name]
        jobs = [job for job, job_app in _migrate_jobs().items() if job_app == app]
        assert [depends.get(job, {}).get("condition") for job in jobs] == ["service_completed_successfully"]
        assert depends.get("postgres", {}).get("condition") == "service_healthy"
    if name == "gateway":
        assert depends.get("redis", {}).get("condition") == "service_healthy"
        # Without its service clients the services cannot get tokens to call each other.
        assert depends.get("bootstrap-clients", {}).get("condition") == "service_completed_successfully"


def test_dockerfile_is_slim_and_unprivileged() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, flags=re.MULTILINE)
    assert re.search(r"pip install (-e )?\.", text)
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.MULTILINE)
    assert users, "the image must not run as root"
    assert users[-1] not in ("root", "0")
    for name in [*_app_services(), *_migrate_jobs()]:
        assert _services()[name].get("build") == "." or _services()[name].get("image")
