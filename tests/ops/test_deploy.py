"""deploy/k8s agrees with the code: images, commands, ports, probes, environment variables (against the settings
classes), replicas, disruption budgets, resources, migration Jobs, Secrets and the CloudNativePG cluster.

The manifests are rendered with ``kubectl kustomize`` when kubectl is installed, else read as the plain
multi-document YAML files that kustomization.yaml lists; both must agree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from asn_cli.apps import APPS
from asn_cli.main import build_parser, cmd_bootstrap_clients, cmd_migrate, cmd_serve
from services.common.apps import APP_NAMES, SERVICE_NAMES
from services.common.settings import PLACEHOLDER_MARKERS, AppSettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SECRETS_EXAMPLE = K8S / "secrets.example.yaml"
COMPOSE_FILE = ROOT / "docker-compose.yml"
Doc = dict[str, Any]


# ------------------------------------------------------------------------------------------------ loading


def _kustomization() -> Doc:
    loaded: Doc = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return loaded


@cache
def _plain_docs() -> tuple[Doc, ...]:
    docs: list[Doc] = []
    for name in _kustomization()["resources"]:
        docs.extend(d for d in yaml.safe_load_all((K8S / name).read_text()) if d)
    return tuple(docs)


@cache
def _docs() -> tuple[Doc, ...]:
    """The rendered manifests (kustomize when available, else the plain files)."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return _plain_docs()
    out = subprocess.run(
        [kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return tuple(d for d in yaml.safe_load_all(out) if d)


def _of_kind(kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in _docs() if d["kind"] == kind}


def _example_secrets() -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in yaml.safe_load_all(SECRETS_EXAMPLE.read_text()) if d}


def _pod_spec(workload: Doc) -> Doc:
    spec: Doc = workload["spec"]["template"]["spec"]
    return spec


def _container(workload: Doc) -> Doc:
    containers = _pod_spec(workload)["containers"]
    assert len(containers) == 1, f"{workload['metadata']['name']}: one container per pod"
    container: Doc = containers[0]
    return container


def _parse(container: Doc) -> Any:
    argv = [str(a) for a in [*container.get("command", []), *container.get("args", [])]]
    assert argv[0] == "asn", f"{argv} is not an asn command"
    return build_parser().parse_args(argv[1:])


def _settings_class(app: str) -> type[AppSettings]:
    return APPS[app].settings_class()


def _app_deployments() -> dict[str, Doc]:
    """app name -> its Deployment (those whose container runs `asn serve <app>`)."""
    out: dict[str, Doc] = {}
    for dep in _of_kind("Deployment").values():
        container = _container(dep)
        if container.get("command", [None])[0] == "asn":
            args = _parse(container)
            assert args.fn is cmd_serve
            assert args.app not in out, f"two Deployments serve {args.app}"
            out[args.app] = dep
    return out


def _jobs() -> dict[str, tuple[Doc, Any]]:
    return {name: (job, _parse(_container(job))) for name, job in _of_kind("Job").items()}


def _migrate_jobs() -> dict[str, Doc]:
    out: dict[str, Doc] = {}
    for name, (job, args) in _jobs().items():
        if args.fn is cmd_migrate:
            assert len(args.apps) == 1, f"{name}: one app per migration Job, so each uses its own role"
            assert args.apps[0] not in out, f"two migration Jobs for {args.apps[0]}"
            out[args.apps[0]] = job
    return out


def _env(container: Doc) -> dict[str, Doc]:
    return {e["name"]: e for e in container.get("env", [])}


def _secret_ref(entry: Doc) -> tuple[str, str] | None:
    ref = (entry.get("valueFrom") or {}).get("secretKeyRef")
    return (ref["name"], ref["key"]) if ref else None


def _serving_port(app: str) -> int:
    args = _parse(_container(_app_deployments()[app]))
    if args.port:
        return int(args.port)
    return int(_settings_class(app).model_fields["port"].default)


def _service_port(host: str) -> int:
    """The port the Service called ``host`` forwards to the pods (app Services forward to --port)."""
    service = _of_kind("Service").get(host)
    assert service is not None, f"no Service named {host}"
    ports = service["spec"]["ports"]
    assert len(ports) == 1
    return int(ports[0]["port"])


def _assert_points_at_app(url: str, app: str, what: str) -> None:
    parts = urlsplit(url)
    assert parts.hostname == app, f"{what}: {url} should name the {app} Service"
    assert parts.port == _service_port(app) == _serving_port(app), f"{what}: {url}"


def _stand_in(name: str, key: str) -> str:
    """What a Secret key holds in production, for loading the settings: a real-looking value, or the example's
    database URL with a real-looking password (so hosts, roles and database names are checked too)."""
    example = _example_secrets()[name]["stringData"][key]
    if key == "url":
        return str(example).replace("change-me-", "s3cr3t-")
    return f"test-secret-{name}-{key}-0123456789abcdef"


# ------------------------------------------------------------------------------------------------ tests


def test_plain_files_and_rendering_agree() -> None:
    plain = sorted((d["kind"], d["metadata"]["name"]) for d in _plain_docs())
    rendered = sorted((d["kind"], d["metadata"]["name"]) for d in _docs())
    assert plain == rendered
    assert "secrets.example.yaml" not in _kustomization()["resources"], "placeholders must never be applied"


def test_every_app_is_deployed_with_replicas_and_a_budget() -> None:
    deployments = _app_deployments()
    assert sorted(deployments) == sorted(APP_NAMES)
    budgets = _of_kind("PodDisruptionBudget")
    for app, dep in deployments.items():
        assert dep["metadata"]["name"] == app, "the Deployment (and Service) name is the host others use"
        replicas = int(dep["spec"]["replicas"])
        assert replicas >= 2, f"{app}: {replicas} replica(s)"
        pod_labels = dep["spec"]["template"]["metadata"]["labels"]
        selector = dep["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod_labels.items()
        matching = [
            b for b in budgets.values() if b["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        ]
        assert len(matching) == 1, f"{app}: {len(matching)} PodDisruptionBudgets"
        spec = matching[0]["spec"]
        if "minAvailable" in spec:
            assert 1 <= int(spec["minAvailable"]) < replicas
        else:
            assert 1 <= int(spec["maxUnavailable"]) < replicas
        strategy = dep["spec"].get("strategy", {}).get("rollingUpdate", {})
        assert str(strategy.get("maxUnavailable")) == "0", f"{app}: a rollout must not drop below replicas"


@pytest.mark.parametrize("app", APP_NAMES)
def test_image_command_port_and_probes(app: str) -> None:
    dep = _app_deployments()[app]
    container = _container(dep)
    compose_image = yaml.safe_load(COMPOSE_FILE.read_text())["services"][app]["image"]
    assert str(container["image"]).split(":")[0] == str(compose_image).split(":")[0]
    args = _parse(container)
    assert args.host == "0.0.0.0", f"{app} must listen on the pod's address"
    port = _serving_port(app)
    ports = {p.get("name"): int(p["containerPort"]) for p in container["ports"]}
    assert list(ports.values()) == [port], f"{app}: containerPort {ports} but it serves on {port}"

    def probe_port(probe: Doc) -> int:
        value = probe["httpGet"]["port"]
        return ports[value] if isinstance(value, str) else int(value)

    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for kind in ("readinessProbe", "livenessProbe", "startupProbe"):
        if kind in container:
            assert probe_port(container[kind]) == port, f"{app} {kind}"
    if "startupProbe" in container:
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz", "start-up must not need the DB"
    annotations = dep["spec"]["template"]["metadata"].get("annotations", {})
    assert annotations.get("prometheus.io/port") == str(port)
    assert annotations.get("prometheus.io/path") == "/metrics"
    service = _of_kind("Service")[app]
    assert service["spec"]["selector"].items() <= dep["spec"]["template"]["metadata"]["labels"].items()
    target = service["spec"]["ports"][0]["targetPort"]
    assert (ports[target] if isinstance(target, str) else int(target)) == port
    assert _service_port(app) == port, "other apps reach it on its default port"
    kind = service["spec"].get("type", "ClusterIP")
    assert kind == ("LoadBalancer" if app == "gateway" else "ClusterIP"), f"{app}: only the gateway is public"
    if app == "gateway":
        assert service["spec"].get("externalTrafficPolicy") == "Local", "keep client IPs for the rate limits"


def _all_containers() -> list[tuple[str, Doc, Doc]]:
    out = []
    for kind in ("Deployment", "Job"):
        for name, workload in _of_kind(kind).items():
            for container in _pod_spec(workload)["containers"]:
                out.append((f"{kind}/{name}", workload, container))
    return out


@pytest.mark.parametrize(("where", "workload", "container"), _all_containers(), ids=lambda v: str(v)[:40])
def test_resources_and_security(where: str, workload: Doc, container: Doc) -> None:
    resources = container.get("resources", {})
    for part in ("requests", "limits"):
        for what in ("cpu", "memory"):
            assert resources.get(part, {}).get(what), f"{where}: no {part}.{what}"
    pod = _pod_spec(workload)
    assert pod.get("securityContext", {}).get("runAsNonRoot") is True, where
    assert container.get("securityContext", {}).get("allowPrivilegeEscalation") is False, where
    assert container.get("securityContext", {}).get("readOnlyRootFilesystem") is True, where


@pytest.mark.parametrize("app", APP_NAMES)
def test_env_vars_are_real_settings_fields(app: str, monkeypatch: pytest.MonkeyPatch) -> None:
    container = _container(_app_deployments()[app])
    prefix = APPS[app].env_prefix
    fields = _settings_class(app).model_fields
    env = _env(container)
    for var in env:
        assert var.startswith(prefix), f"{app}: {var} lacks the {prefix} prefix, so {app} never reads it"
        assert var[len(prefix) :].lower() in fields, f"{app}: {var} is not a settings field"
    assert env[prefix + "ENVIRONMENT"]["value"] == "production"
    # The app serves as its runtime role (issue 14 finding 3); the owner is the migration Job's.
    assert _secret_ref(env[prefix + "DATABASE_URL"]) == (f"asn-{app}-runtime-db", "url")
    # The settings load from this environment (production rules included: no placeholder secret).
    for key in list(os.environ):
        if key.startswith(prefix):
            monkeypatch.delenv(key)
    for var, entry in env.items():
        ref = _secret_ref(entry)
        monkeypatch.setenv(var, _stand_in(*ref) if ref else str(entry["value"]))
    settings = _settings_class(app)()
    url = urlsplit(settings.require_database_url())
    assert url.username == f"{app}_runtime", f"{app} connects as {url.username}, not as its runtime role"
    assert url.hostname == f"{next(iter(_of_kind('Cluster')))}-rw", "the CloudNativePG read-write Service"


@pytest.mark.parametrize("app", SERVICE_NAMES)
def test_services_reach_the_gateway_and_each_other(app: str) -> None:
    env = _env(_container(_app_deployments()[app]))
    prefix = APPS[app].env_prefix
    jwks = env[prefix + "JWKS_URL"]["value"]
    assert urlsplit(jwks).path == "/.well-known/jwks.json"
    _assert_points_at_app(jwks, "gateway", f"{app} JWKS_URL")
    _assert_points_at_app(env[prefix + "GATEWAY_URL"]["value"], "gateway", f"{app} GATEWAY_URL")
    assert _secret_ref(env[prefix + "SERVICE_CLIENT_SECRET"]) == ("asn-service-clients", app)
    for var, entry in env.items():
        field = var[len(prefix) :].lower()
        target = field.removesuffix("_url")
        if field.endswith("_url") and target in SERVICE_NAMES:
            _assert_points_at_app(entry["value"], target, f"{app} {var}")


def test_gateway_upstreams_redis_and_shared_keys() -> None:
    env = _env(_container(_app_deployments()["gateway"]))
    for svc in SERVICE_NAMES:
        for url in env[f"GATEWAY_{svc.upper()}_URLS"]["value"].split(","):
            _assert_points_at_app(url, svc, f"GATEWAY_{svc.upper()}_URLS")
    publik = _env(_container(_app_deployments()["publik"]))
    redis_urls = [env["GATEWAY_REDIS_URL"]["value"], publik["PUBLIK_REDIS_URL"]["value"]]
    for url in redis_urls:
        parts = urlsplit(url)
        assert parts.scheme == "redis"
        assert parts.port == _service_port(str(parts.hostname)) == 6379
    assert len({urlsplit(u).path for u in redis_urls}) == 2, "separate Redis databases per app"
    # One signing key per app, from a Secret, so every replica signs and verifies alike.
    assert _secret_ref(env["GATEWAY_SIGNING_KEY_PEM"]) == ("asn-gateway-signing-key", "signing-key.pem")
    assert _secret_ref(publik["PUBLIK_SNAPSHOT_KEY_PEM"]) == ("asn-publik-keys", "snapshot-key.pem")
    assert _secret_ref(publik["PUBLIK_SURVEY_FORM_KEY"]) == ("asn-publik-keys", "survey-form-key")


def test_a_migration_job_per_schema_with_its_own_role() -> None:
    jobs = _migrate_jobs()
    assert sorted(jobs) == sorted(APP_NAMES)
    for app, job in jobs.items():
        env = _env(_container(job))
        prefix = APPS[app].env_prefix
        assert list(env) == [prefix + "DATABASE_URL", prefix + "RUNTIME_ROLE"], (
            f"migrate {app}: only its own owner URL and the runtime role it grants"
        )
        for var in env:
            assert var[len(prefix) :].lower() in _settings_class(app).model_fields, var
        assert _secret_ref(env[prefix + "DATABASE_URL"]) == (f"asn-{app}-db", "url")
        app_env = _env(_container(_app_deployments()[app]))
        ref = _secret_ref(app_env[prefix + "DATABASE_URL"])
        assert ref is not None
        served_as = urlsplit(_stand_in(*ref)).username
        assert env[prefix + "RUNTIME_ROLE"]["value"] == served_as, f"migrate {app} grants another role"
        assert _pod_spec(job)["restartPolicy"] in ("Never", "OnFailure")
        assert int(job["spec"]["backoffLimit"]) >= 1
        assert job["spec"].get("activeDeadlineSeconds"), "a stuck migration must end"


def test_bootstrap_job_registers_the_services_clients() -> None:
    boots = [(job, args) for job, args in _jobs().values() if args.fn is cmd_bootstrap_clients]
    assert len(boots) == 1
    env = _env(_container(boots[0][0]))
    assert _secret_ref(env["GATEWAY_DATABASE_URL"]) == ("asn-gateway-db", "url")
    for svc in SERVICE_NAMES:
        var = f"{svc.upper()}_SERVICE_CLIENT_SECRET"
        service_env = _env(_container(_app_deployments()[svc]))
        assert _secret_ref(env[var]) == _secret_ref(service_env[var]), f"{var} differs from what {svc} gets"
    for var in env:
        app = next(a for a in APPS if var.startswith(APPS[a].env_prefix))
        assert var[len(APPS[app].env_prefix) :].lower() in _settings_class(app).model_fields, var


def test_postgres_through_cloudnativepg() -> None:
    assert not _of_kind("StatefulSet"), "PostgreSQL comes from the operator, never a home-made StatefulSet"
    clusters = _of_kind("Cluster")
    assert len(clusters) == 1
    cluster = next(iter(clusters.values()))
    assert cluster["apiVersion"].startswith("postgresql.cnpg.io/")
    spec = cluster["spec"]
    assert int(spec["instances"]) >= 2, "a standby for failover"
    roles = {r["name"]: r for r in spec["managed"]["roles"]}
    assert sorted(roles) == sorted([*APP_NAMES, *(f"{app}_runtime" for app in APP_NAMES)])
    for app, role in roles.items():
        assert role["login"] is True
        assert role["passwordSecret"]["name"] == f"asn-{app.replace('_', '-')}-db"
        assert not role.get("superuser")
    database = spec["bootstrap"]["initdb"]["database"]
    refs = spec["bootstrap"]["initdb"]["postInitApplicationSQLRefs"]["configMapRefs"]
    sql = "\n".join(_of_kind("ConfigMap")[r["name"]]["data"][r["key"]] for r in refs)
    for app in APP_NAMES:
        assert re.search(rf"^CREATE SCHEMA {app} AUTHORIZATION {app};", sql, flags=re.MULTILINE), app
    assert not re.search(r"SUPERUSER|CREATEDB|CREATEROLE|BYPASSRLS", sql, flags=re.IGNORECASE)
    for app in APP_NAMES:
        url = urlsplit(_stand_in(f"asn-{app}-db", "url"))
        assert url.path == "/" + database


def test_connection_budget_fits_the_server() -> None:
    """replicas x workers x (pool size + reserve + overflow) over every app, plus one connection per Job, stays under
    the server's max_connections with room for the operator and superuser (each worker has its own pool)."""
    cluster = next(iter(_of_kind("Cluster").values()))
    max_connections = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    total = len(_of_kind("Job"))
    for app, dep in _app_deployments().items():
        prefix = APPS[app].env_prefix
        env = _env(_container(dep))
        fields = _settings_class(app).model_fields

        def setting(name: str, _env: dict[str, Doc] = env, _fields: Any = fields, _p: str = prefix) -> int:
            entry = _env.get(_p + name.upper())
            return int(entry["value"]) if entry else int(_fields[name].default)

        command = _container(dep)["command"]
        workers = int(command[command.index("--workers") + 1]) if "--workers" in command else 1
        assert workers >= 1, f"{app}: ASN_WORKERS=0 (one per core) makes the connection budget unknowable"
        pool = setting("db_pool_size") + setting("db_pool_reserve") + setting("db_max_overflow")
        total += int(dep["spec"]["replicas"]) * workers * pool
    assert total <= max_connections - 20, (
        f"{total} connections may be opened; max_connections {max_connections}"
    )


def test_every_referenced_secret_is_documented_with_placeholders() -> None:
    examples = _example_secrets()
    for where, _, container in _all_containers():
        for entry in container.get("env", []):
            ref = _secret_ref(entry)
            if ref is None:
                continue
            name, key = ref
            assert name in examples, f"{where} uses Secret {name}, missing from secrets.example.yaml"
            assert key in examples[name]["stringData"], f"{where} uses {name}/{key}"
    for name in (
        r["passwordSecret"]["name"]
        for r in next(iter(_of_kind("Cluster").values()))["spec"]["managed"]["roles"]
    ):
        assert examples[name]["type"] == "kubernetes.io/basic-auth"
        data = examples[name]["stringData"]
        assert data["password"] in data["url"], f"{name}: password and url must carry the same password"
    for name, secret in examples.items():
        for key, value in secret["stringData"].items():
            if key != "username":
                assert any(m in str(value).lower() for m in PLACEHOLDER_MARKERS), f"{name}/{key} looks real"
    assert "EXAMPLE ONLY" in SECRETS_EXAMPLE.read_text().splitlines()[0]


def test_only_the_gateway_is_open_to_the_world() -> None:
    policies = _of_kind("NetworkPolicy")
    internal = [
        p
        for p in policies.values()
        if any(
            e["key"] == "app.kubernetes.io/name" and set(SERVICE_NAMES) <= set(e["values"])
            for e in p["spec"]["podSelector"].get("matchExpressions", [])
        )
    ]
    assert internal, "no NetworkPolicy keeps the services internal"
    for rule in internal[0]["spec"]["ingress"]:
        for peer in rule.get("from", []):
            assert "ipBlock" not in peer
