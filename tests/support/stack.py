"""The four apps as real processes on loopback, for end-to-end tests (and the fault drills later)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from services.common.apps import APP_NAMES, SERVICE_NAMES
from tests.support.fixtures import free_ports

SERVICE_SECRETS = {f"svc-{n}": f"e2e-secret-{n}-0123456789abcdef" for n in SERVICE_NAMES}
ADMIN_USER, ADMIN_PASSWORD = "e2e-admin", "e2e-admin-password-123"
RUNTIME_DB_PASSWORD = "e2e-runtime-db-password-0123456789"


def runtime_urls(database_url: str) -> dict[str, str]:
    """Each app's runtime role on ``database_url`` (created and granted as ``asn run`` does; idempotent): the
    URL each app serves with, so the stacks run with the production rights (no UPDATE, DELETE or TRUNCATE
    on the audit tables)."""
    from asn_cli.runtime_roles import ensure_runtime_roles

    env = {app.upper() + "_RUNTIME_DATABASE_PASSWORD": RUNTIME_DB_PASSWORD for app in APP_NAMES}
    # In a thread: ensure_runtime_roles runs its own event loop, and a caller may be inside one.
    with ThreadPoolExecutor(1) as pool:
        roles = pool.submit(ensure_runtime_roles, dict.fromkeys(APP_NAMES, database_url), env).result()
    for role in roles.values():
        assert role.separate, role
        assert not role.warning, role
    return {app: role.url for app, role in roles.items()}


@dataclass
class Proc:
    """One app instance: its process, port and log file."""

    app: str
    port: int
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._log = open(self.log_path, "ab")  # noqa: SIM115  (closed in stop())
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "asn_cli.main", "serve", self.app, "--port", str(self.port)],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, like a crashed pod."""
        if self.popen and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        if self._log:
            self._log.close()
            self._log = None

    def wait_healthy(self, timeout_s: float = 90.0) -> None:
        """Wait for /readyz to name this app. Generous: on a loaded two-core machine four apps importing at once
        took over 30 s, and a process that exits is reported at once anyway."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.popen and self.popen.poll() is not None:
                raise RuntimeError(f"{self.app} exited with {self.popen.returncode}; see {self.log_path}")
            try:
                # Ask which app answers, so another process on the port is never taken for this one.
                if httpx.get(self.url + "/readyz", timeout=1.0).json().get("app") == self.app:
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.app} on {self.port} did not become healthy; see {self.log_path}")


@dataclass
class Stack:
    """Gateway plus services (optionally several instances of a service) against one database."""

    database_url: str
    workdir: Path
    instances: dict[str, int] = field(default_factory=dict)
    procs: dict[str, list[Proc]] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    serve_urls: dict[str, str] = field(default_factory=dict)

    @property
    def gateway(self) -> Proc:
        return self.procs["gateway"][0]

    @property
    def url(self) -> str:
        return self.gateway.url

    def _env(self, gateway_port: int, ports: dict[str, list[int]]) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("KINERJA_", "PELATIHAN_", "PUBLIK_", "GATEWAY_", "ASN_"))
        }
        gw = f"http://127.0.0.1:{gateway_port}"
        for app in APP_NAMES:
            p = app.upper() + "_"
            env[p + "DATABASE_URL"] = self.serve_urls.get(app, self.database_url)
            env[p + "ENVIRONMENT"] = "test"
            env[p + "UPSTREAM_TIMEOUT_S"] = "3"
        for app in SERVICE_NAMES:
            p = app.upper() + "_"
            env[p + "JWKS_URL"] = gw + "/.well-known/jwks.json"
            env[p + "GATEWAY_URL"] = gw
            env[p + "SERVICE_CLIENT_ID"] = f"svc-{app}"
            env[p + "SERVICE_CLIENT_SECRET"] = SERVICE_SECRETS[f"svc-{app}"]
            env["GATEWAY_" + app.upper() + "_URLS"] = ",".join(f"http://127.0.0.1:{q}" for q in ports[app])
        first = {app: f"http://127.0.0.1:{ports[app][0]}" for app in SERVICE_NAMES}
        env["KINERJA_PUBLIK_URL"] = first["publik"]
        env["KINERJA_PELATIHAN_URL"] = first["pelatihan"]
        env["PELATIHAN_KINERJA_URL"] = first["kinerja"]
        env["PELATIHAN_PUBLIK_URL"] = first["publik"]
        env["PUBLIK_KINERJA_URL"] = first["kinerja"]
        env["PUBLIK_PELATIHAN_URL"] = first["pelatihan"]
        env["GATEWAY_DATA_DIR"] = str(self.workdir / "gateway-data")
        env["GATEWAY_HEALTH_CHECK_INTERVAL_S"] = "0.5"
        env["GATEWAY_UPSTREAM_READ_TIMEOUT_S"] = "5"
        env.update(self.extra_env)
        return env

    def start(self) -> None:
        if not self.serve_urls:
            self.serve_urls = runtime_urls(self.database_url)
        counts = {app: self.instances.get(app, 1) for app in SERVICE_NAMES}
        pool = free_ports(1 + sum(counts.values()))
        gateway_port = pool.pop()
        ports = {app: [pool.pop() for _ in range(counts[app])] for app in SERVICE_NAMES}
        env = self._env(gateway_port, ports)
        self.procs["gateway"] = [Proc("gateway", gateway_port, env, self.workdir / "gateway.log")]
        for app in SERVICE_NAMES:
            self.procs[app] = [
                Proc(app, port, env, self.workdir / f"{app}-{i}.log") for i, port in enumerate(ports[app])
            ]
        # A start that fails (an app not healthy in time on a loaded machine) stops what it started: the caller's
        # try/finally only begins once start returns, and a leaked gateway would go on claiming the shared test
        # database's webhook deliveries under its own settings (later tests saw "Webhook URLs must use https").
        try:
            for procs in self.procs.values():
                for proc in procs:
                    proc.start()
            for procs in self.procs.values():
                for proc in procs:
                    proc.wait_healthy()
            self.wait_ready()
        except BaseException:
            self.stop()
            raise

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        last = None
        while time.monotonic() < deadline:
            try:
                last = httpx.get(self.url + "/readyz", timeout=2.0)
                body = last.json()
                # Every instance in rotation, not just one per upstream: replica tests count on both.
                instances = [i for up in (body.get("upstreams") or {}).values() for i in up["instances"]]
                if (
                    last.status_code == 200
                    and body.get("status") == "ready"
                    and all(i["healthy"] for i in instances)
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"gateway not ready: {last.text if last is not None else 'no answer'}")

    def stop(self) -> None:
        for procs in self.procs.values():
            for proc in procs:
                proc.stop()

    def logs(self) -> str:
        return "\n".join(
            p.log_path.read_text(errors="replace")
            for ps in self.procs.values()
            for p in ps
            if p.log_path.exists()
        )

    def token(self, username: str = ADMIN_USER, password: str = ADMIN_PASSWORD) -> str:
        resp = httpx.post(
            self.url + "/auth/token",
            data={"grant_type": "password", "username": username, "password": password},
            timeout=10.0,
        )
        resp.raise_for_status()
        return str(resp.json()["access_token"])

    def move_clock(self, instant: str | None, apps: tuple[str, ...] = APP_NAMES) -> None:
        """Set the test clock of every process of ``apps`` (``PUT /internal/v1/clock`` with an admin token;
        None returns them to real time). Each process keeps its own clock, so all of an app's replicas move."""
        auth = {"Authorization": f"Bearer {self.token()}"}
        for app in apps:
            for proc in self.procs.get(app, []):
                resp = httpx.put(
                    proc.url + "/internal/v1/clock", json={"now": instant}, headers=auth, timeout=10
                )
                assert resp.status_code == 200, (proc.app, resp.text)


def drill_env() -> dict[str, str]:
    """Stack environment for the drills: small pools, and no per-person rate limit at the edge (a drill's
    load comes from one admin token; it measures outages, and the per-person limit would answer 429 first)."""
    return {**small_pools(), "GATEWAY_USER_RATE_LIMIT_PER_MINUTE": "1000000000"}


def small_pools() -> dict[str, str]:
    """Stack environment that keeps each app to 4 + 4 database connections (the drills share the test
    server with other test runs)."""
    env: dict[str, str] = {}
    for prefix in ("KINERJA_", "PELATIHAN_", "PUBLIK_", "GATEWAY_"):
        env[prefix + "DB_POOL_SIZE"] = "4"
        env[prefix + "DB_MAX_OVERFLOW"] = "4"
    return env


@contextmanager
def running_on_clock(database_url: str, workdir: Path, now: str) -> Iterator[Stack]:
    """The four apps started on the test clock at ``now`` (``ASN_FAKE_NOW``, ISO 8601 with an offset), stopped
    when the block ends: the module fixture of the e2e scenarios that move through a year."""
    stack = Stack(database_url=database_url, workdir=workdir, extra_env={"ASN_FAKE_NOW": now})
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
