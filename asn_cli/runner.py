"""Running the four apps together as child processes, and the whole local system (``asn run``)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, BinaryIO

from asn_cli.apps import APPS
from asn_cli.database import CliSettings, check_database, embedded_postgres, migrate
from services.common.apps import APP_NAMES, SERVICE_NAMES

STARTED = time.monotonic()  # when the process began: "ready in N s" counts from the command


def load_service_secrets(data_dir: Path) -> dict[str, str]:
    """Per-installation secrets of the services' own API clients, created on first run (owner-only file)."""
    path = data_dir / "service-secrets.json"
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text())
        return loaded
    data_dir.mkdir(parents=True, exist_ok=True)
    values = {f"svc-{name}": secrets.token_urlsafe(32) for name in SERVICE_NAMES}
    save_service_secrets(data_dir, values)
    return values


def save_service_secrets(data_dir: Path, values: dict[str, str]) -> None:
    """Write the services' secrets (owner-only file), e.g. after ``asn run`` re-created a revoked client."""
    path = data_dir / "service-secrets.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(values, fh)


DEFAULT_PORTS = {"gateway": 8000, "kinerja": 8001, "pelatihan": 8002, "publik": 8003}
# In development only, the gateway may deliver webhooks to http:// and loopback/private receivers: the demo has
# no outside network, so docs/integrators.md registers a receiver on this machine. Any other environment keeps
# the rules (https, public addresses only).
DEVELOPMENT_ONLY = {"GATEWAY_WEBHOOKS_ALLOW_HTTP": "true", "GATEWAY_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true"}


def app_ports(env: dict[str, str]) -> dict[str, int]:
    """Each app's port: ``<PREFIX>PORT`` when the operator set it, else the documented default."""
    return {name: int(env.get(APPS[name].env_prefix + "PORT", port)) for name, port in DEFAULT_PORTS.items()}


def child_env(
    base: dict[str, str], settings: CliSettings, url: str | dict[str, str] | None, secrets_: dict[str, str]
) -> dict[str, str]:
    """The environment of the app processes; anything the operator already set wins. The apps find each
    other on the ports of :func:`app_ports`. ``url``: one database URL for every app, or one per app (each
    app's runtime role, from :func:`asn_cli.runtime_roles.ensure_runtime_roles`)."""
    urls = url if isinstance(url, dict) else dict.fromkeys(APP_NAMES, url) if url else {}
    env = dict(base)
    ports = app_ports(env)
    local = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    gateway = local["gateway"]

    def default(key: str, value: str) -> None:
        env.setdefault(key, value)

    for name in SERVICE_NAMES:
        default(f"GATEWAY_{name.upper()}_URLS", local[name])
    default("KINERJA_PUBLIK_URL", local["publik"])
    default("KINERJA_PELATIHAN_URL", local["pelatihan"])
    default("PELATIHAN_KINERJA_URL", local["kinerja"])
    default("PELATIHAN_PUBLIK_URL", local["publik"])
    default("PUBLIK_KINERJA_URL", local["kinerja"])
    default("PUBLIK_PELATIHAN_URL", local["pelatihan"])

    for name in APP_NAMES:
        prefix = APPS[name].env_prefix
        if urls.get(name):
            default(prefix + "DATABASE_URL", urls[name])
        default(prefix + "ENVIRONMENT", "development")
    for name in SERVICE_NAMES:
        prefix = APPS[name].env_prefix
        default(prefix + "JWKS_URL", f"{gateway}/.well-known/jwks.json")
        default(prefix + "GATEWAY_URL", gateway)
        default(prefix + "SERVICE_CLIENT_ID", f"svc-{name}")
        default(prefix + "SERVICE_CLIENT_SECRET", secrets_[f"svc-{name}"])
    default("GATEWAY_DATA_DIR", str(settings.data_dir))
    if env.get(APPS["gateway"].env_prefix + "ENVIRONMENT") == "development":
        for key, value in DEVELOPMENT_ONLY.items():
            default(key, value)
    return env


def _wait_ready(url: str, timeout_s: float, procs: dict[str, subprocess.Popen[bytes]]) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"asn: {name} exited with status {proc.returncode} during start-up", file=sys.stderr)
                return False
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                # 200 with "degraded" means an upstream is not up yet: keep waiting for all of them.
                if resp.status == 200 and json.loads(resp.read()).get("status") == "ready":
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    return False


def _stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


ACCESS_LOGGER = "asn.access"
_QUIET_LEVELS = frozenset({"DEBUG", "INFO"})


class LogRouter:
    """Sorts the apps' log lines: every line goes to ``<log_dir>/<app>.log``, access lines also to
    ``access.log``; the console gets only what an operator must see (warnings, errors, anything that is
    not one of our JSON lines, such as a crash before logging was set up), or everything with ``show_all``.
    One thread per app reads its output, so a chatty app never blocks on a full pipe."""

    def __init__(self, log_dir: Path, *, show_all: bool) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir = log_dir
        self.show_all = show_all
        self._lock = threading.Lock()
        self._access = (log_dir / "access.log").open("ab")
        self._files: dict[str, BinaryIO] = {}
        self._threads: list[threading.Thread] = []

    def attach(self, name: str, stream: IO[bytes]) -> None:
        """Start pumping one app's combined stdout and stderr."""
        self._files[name] = (self.log_dir / f"{name}.log").open("ab")
        thread = threading.Thread(
            target=self._pump, args=(name, stream), name=f"asn-logs-{name}", daemon=True
        )
        thread.start()
        self._threads.append(thread)

    def _pump(self, name: str, stream: IO[bytes]) -> None:
        for line in iter(stream.readline, b""):
            self.route(name, line)

    def route(self, name: str, line: bytes) -> None:
        """Write one line where it belongs."""
        logger, level = _classify(line)
        with self._lock:
            self._files[name].write(line)
            self._files[name].flush()
            if logger == ACCESS_LOGGER:
                self._access.write(line)
                self._access.flush()
            if self.show_all or level not in _QUIET_LEVELS:
                sys.stderr.buffer.write(line)
                sys.stderr.flush()

    def close(self) -> None:
        """Drain what the stopped apps wrote last, then close the files."""
        for thread in self._threads:
            thread.join(timeout=2)
        with self._lock:
            for fh in [*self._files.values(), self._access]:
                fh.close()


def _classify(line: bytes) -> tuple[str | None, str | None]:
    """(logger, level) of one of our JSON log lines; (None, None) for anything else."""
    if not line.startswith(b"{"):
        return None, None
    try:
        record = json.loads(line)
    except ValueError:
        return None, None
    if not isinstance(record, dict):
        return None, None
    return record.get("logger"), record.get("level")


def banner(ports: dict[str, int], log_dir: Path | None) -> list[str]:
    """What ``asn run`` prints once everything is ready: the last thing on the console."""
    gw = f"http://127.0.0.1:{ports['gateway']}"
    lines = ["", "ASN Bengkulu is running:", f"  gateway    {gw}   (docs: {gw}/docs)"]
    lines += [f"  {name:<10} http://127.0.0.1:{ports[name]}" for name in SERVICE_NAMES]
    if log_dir is not None:
        lines.append(f"Logs: {log_dir}/ (access.log, <app>.log); ASN_SHOW_LOGS=1 shows them here.")
    lines.append("Press Ctrl-C to stop everything.")
    return lines


def supervise(
    env: dict[str, str],
    apps: tuple[str, ...] = APP_NAMES,
    *,
    log_dir: Path | None = None,
    show_logs: bool = False,
    after_ready: Callable[[], None] | None = None,
) -> int:
    """Start ``apps`` as child processes, wait for the gateway to be ready, print the URLs, and stay in the
    foreground until Ctrl-C (or until a child dies, which stops the rest). ``after_ready`` (the demo's
    approvals) runs once the gateway is ready, before the banner.

    The children run in their own session, so the terminal's Ctrl-C reaches only this supervisor, which
    stops them in order and exits 0 (before, they died of the SIGINT on their own and the supervisor reported
    that as a failure). With ``log_dir`` their output goes through :class:`LogRouter`."""
    procs: dict[str, subprocess.Popen[bytes]] = {}
    router = LogRouter(log_dir, show_all=show_logs) if log_dir is not None else None
    try:
        for name in apps:
            procs[name] = subprocess.Popen(
                [sys.executable, "-m", "asn_cli.main", "serve", name],
                env=env,
                start_new_session=True,
                stdout=subprocess.PIPE if router else None,
                stderr=subprocess.STDOUT if router else None,
            )
            output = procs[name].stdout
            if router is not None and output is not None:
                router.attach(name, output)
        ports = app_ports(env)
        if "gateway" in apps and not _wait_ready(f"http://127.0.0.1:{ports['gateway']}/readyz", 60, procs):
            print("asn: the system did not become ready within 60 s; stopping", file=sys.stderr)
            return 1
        if after_ready is not None:
            after_ready()
        print(f"ready in {time.monotonic() - STARTED:.1f} s")
        print("\n".join(banner(ports, log_dir)), flush=True)
        while True:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"asn: {name} exited with status {proc.returncode}; stopping", file=sys.stderr)
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
        return 0
    finally:
        _stop(procs)
        if router is not None:
            router.close()


def serve_all(settings: CliSettings, env: dict[str, str]) -> int:
    """All four apps against the configured databases (no embedded server, no migrations). With one URL for
    every schema (ASN_DATABASE_URL, development) each app serves as its runtime role, as with ``asn run``."""
    _terminate_as_interrupt()
    secrets_ = load_service_secrets(settings.data_dir)
    urls: str | dict[str, str] | None = settings.database_url
    if settings.database_url:
        urls = _runtime_urls(settings.database_url, settings, env)
    return supervise(
        child_env(env, settings, urls, secrets_),
        log_dir=settings.data_dir / "logs",
        show_logs=settings.show_logs,
    )


def _runtime_urls(owner_url: str, settings: CliSettings, env: dict[str, str]) -> dict[str, str]:
    """Each app's runtime role on the one development database (created and granted if needed; passwords kept
    in the data directory): the URL it serves with, or the owner's after a warning (docs/operations.md §3)."""
    from asn_cli.runtime_roles import ensure_runtime_role, requested_role

    urls: dict[str, str] = {}
    for name in APP_NAMES:
        runtime = ensure_runtime_role(
            name, owner_url, requested_role(name, owner_url, env, settings.data_dir)
        )
        if runtime.warning:
            print(f"asn: warning: {runtime.warning}", file=sys.stderr, flush=True)
        urls[name] = runtime.url
    return urls


def _terminate_as_interrupt() -> None:
    """SIGTERM (a service manager, ``timeout``, ``kill``) stops everything like Ctrl-C does: children first,
    then the embedded database, instead of dying and leaving them running."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def run_all(settings: CliSettings, *, demo: bool) -> int:
    """The front door: database, migrations, demo data once, then all four apps."""
    from asn_cli.seed import bootstrap, publish_demo, seed_demo

    _terminate_as_interrupt()

    def start(url: str) -> int:
        # Each app serves as its runtime role (INSERT and SELECT only on its audit tables); migrations, the
        # service clients and the demo data are written as the owner, ``url``.
        for name in APP_NAMES:
            print(f"migrating {name} ...", flush=True)
            migrate(name, url)
        serve_urls = _runtime_urls(url, settings, dict(os.environ))
        secrets_ = load_service_secrets(settings.data_dir)
        urls = dict.fromkeys(APP_NAMES, url)
        renewed = asyncio.run(bootstrap(urls["gateway"], secrets_, local=True))
        if renewed != secrets_:
            save_service_secrets(settings.data_dir, renewed)
            print("re-created revoked service clients with new secrets", flush=True)
            secrets_ = renewed
        context: dict[str, Any] = {}
        if demo:
            for line in asyncio.run(seed_demo(urls, settings, context)):
                print(line, flush=True)

        def approve_demo() -> None:
            for line in asyncio.run(publish_demo(urls, context)):
                print(line, flush=True)

        return supervise(
            child_env(dict(os.environ), settings, serve_urls, secrets_),
            log_dir=settings.data_dir / "logs",
            show_logs=settings.show_logs,
            after_ready=approve_demo if demo else None,
        )

    if settings.database_url:
        check_database(settings.database_url)
        return start(settings.database_url)
    print(f"starting the embedded PostgreSQL in {settings.data_dir / 'pg'} ...", flush=True)
    with embedded_postgres(settings.data_dir) as url:
        return start(url)
