"""Running the four apps together as child processes, and the whole local system (``asn run``)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from asn_cli.apps import APP_NAMES, APPS
from asn_cli.database import CliSettings, check_database, embedded_postgres, migrate

SERVICE_APPS = ("kinerja", "pelatihan", "publik")
STARTED = time.monotonic()  # when the process began: "ready in N s" counts from the command


def load_service_secrets(data_dir: Path) -> dict[str, str]:
    """Per-installation secrets of the services' own API clients, created on first run (owner-only file)."""
    path = data_dir / "service-secrets.json"
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text())
        return loaded
    data_dir.mkdir(parents=True, exist_ok=True)
    values = {f"svc-{name}": secrets.token_urlsafe(32) for name in SERVICE_APPS}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(values, fh)
    return values


def child_env(
    base: dict[str, str], settings: CliSettings, url: str | None, secrets_: dict[str, str]
) -> dict[str, str]:
    """The environment of the app processes; anything the operator already set wins."""
    env = dict(base)
    gateway = "http://127.0.0.1:8000"

    def default(key: str, value: str) -> None:
        env.setdefault(key, value)

    for name in APP_NAMES:
        prefix = APPS[name].env_prefix
        if url:
            default(prefix + "DATABASE_URL", url)
        default(prefix + "ENVIRONMENT", "development")
    for name in SERVICE_APPS:
        prefix = APPS[name].env_prefix
        default(prefix + "JWKS_URL", f"{gateway}/.well-known/jwks.json")
        default(prefix + "GATEWAY_URL", gateway)
        default(prefix + "SERVICE_CLIENT_ID", f"svc-{name}")
        default(prefix + "SERVICE_CLIENT_SECRET", secrets_[f"svc-{name}"])
    default("GATEWAY_DATA_DIR", str(settings.data_dir))
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


def supervise(
    env: dict[str, str], apps: tuple[str, ...] = APP_NAMES, after_ready: Callable[[], None] | None = None
) -> int:
    """Start ``apps`` as child processes, wait for the gateway to be ready, run ``after_ready`` (the demo's
    approvals), print the URLs, and stay in the foreground until Ctrl-C (or until a child dies, which stops
    the rest)."""
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name in apps:
            procs[name] = subprocess.Popen([sys.executable, "-m", "asn_cli.main", "serve", name], env=env)
        if "gateway" in apps and not _wait_ready("http://127.0.0.1:8000/readyz", 60, procs):
            print("asn: the system did not become ready within 60 s; stopping", file=sys.stderr)
            return 1
        if after_ready is not None:
            after_ready()
        print(f"ready in {time.monotonic() - STARTED:.1f} s")
        print()
        print("ASN Bengkulu is running:")
        print("  gateway    http://127.0.0.1:8000   (docs: http://127.0.0.1:8000/docs)")
        print("  kinerja    http://127.0.0.1:8001")
        print("  pelatihan  http://127.0.0.1:8002")
        print("  publik     http://127.0.0.1:8003")
        print("Press Ctrl-C to stop everything.", flush=True)
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


def serve_all(settings: CliSettings, env: dict[str, str]) -> int:
    """All four apps against the configured databases (no embedded server, no migrations)."""
    _terminate_as_interrupt()
    secrets_ = load_service_secrets(settings.data_dir)
    return supervise(child_env(env, settings, settings.database_url, secrets_))


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
        for name in APP_NAMES:
            print(f"migrating {name} ...", flush=True)
            migrate(name, url)
        secrets_ = load_service_secrets(settings.data_dir)
        urls = dict.fromkeys(APP_NAMES, url)
        asyncio.run(bootstrap(urls["gateway"], secrets_))
        context: dict[str, Any] = {}
        if demo:
            for line in asyncio.run(seed_demo(urls, settings, context)):
                print(line, flush=True)

        def approve_demo() -> None:
            for line in asyncio.run(publish_demo(urls, context)):
                print(line, flush=True)

        return supervise(
            child_env(dict(os.environ), settings, url, secrets_), after_ready=approve_demo if demo else None
        )

    if settings.database_url:
        check_database(settings.database_url)
        return start(settings.database_url)
    print(f"starting the embedded PostgreSQL in {settings.data_dir / 'pg'} ...", flush=True)
    with embedded_postgres(settings.data_dir) as url:
        return start(url)
