"""Mixed load through the gateway, the same requests straight to the services, and a bare ASGI ceiling.

In one run: generates the province-scale dataset (bench.datagen: 50,000 employees, 250,000 evaluations;
or uses a kept one with ``--database-url`` and ``--data-dir``), starts the four apps as real processes on
free loopback ports (``asn serve <app>``, one uvicorn worker each, log level WARNING), bootstraps the
service clients and an admin account, logs in through the gateway's ``/auth/token``, then measures in
interleaved rounds:

- ``ceiling``  — a bare ASGI hello-world on uvicorn (one process);
- ``gateway``  — the mix below through the gateway;
- ``direct``   — the same requests (same paths without the service prefix, same token) to each service;
- ``feed``     — wrk on publik's cached ``GET /v1/feed`` directly vs wrk on the ceiling (issue 7's
  feed target, re-measured beside the mix).

The mix (shares of requests issued; every connection walks a shuffled 20-slot schedule):

    40% GET  /publik/v1/feed
    20% GET  /kinerja/v1/employees/{nip}                      random NIP of 1,000 sampled
    15% GET  /kinerja/v1/evaluations?unit_id=&period=         random unit of 40, random 2026 period
    10% GET  /kinerja/v1/reports/predikat-distribution?period=&unit_id=   random OPD (with sub-units)
    10% GET  /pelatihan/v1/employees/{nip}/jp?year=2026
     5% POST /publik/v1/surveys                               anonymous, random unit, each after its
                                                              POST /publik/v1/surveys/form-token (not timed)

wrk cannot spread one run over three hosts or report latency per request type, so the mix is driven by
a small asyncio load generator (uvloop, one keep-alive connection per host and worker, latency measured
per request); the ceiling is measured with it too, so the ratios compare like with like, and once with
wrk to show how much the generator itself costs. Results go to the terminal and to the ``mixed-load``
section of docs/benchmarks.md; the ``targets`` section is rebuilt from the sections present.

    .venv/bin/python -m bench.mixed_load [--duration 10] [--rounds 3] [--connections 64]

``--open-loop`` runs only the overload measurement of kinerja's point read (issue 21): wrk at 64 and 256
connections, then a fixed arrival rate of 1x and 2x the 64-connection 2xx rate from this script's own
generators (``--open-loop-connections``: a new connection whenever none is idle, and/or a fixed pool of
keep-alive connections), into the ``overload`` section.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import gc
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx

from bench import datagen
from bench._util import (
    ROOT,
    LoadResult,
    command_line,
    cpu_seconds,
    free_port,
    load,
    machine,
    parse_wrk,
    percentile,
    process,
    settle,
    table,
    wait_for_port,
    write_section,
    wrk_available,
)
from bench.targets import write_targets
from services.common.apps import APP_NAMES, SERVICE_NAMES
from tests.support.fixtures import drop_database, postgres_server

SECTION = "mixed-load"
SECRETS = {f"svc-{n}": f"bench-secret-{n}-{uuid.uuid4().hex}" for n in SERVICE_NAMES}
ADMIN_USER, ADMIN_PASSWORD = "bench-admin", "bench-admin-password-" + uuid.uuid4().hex[:12]
SHARES: tuple[tuple[str, int], ...] = (
    ("GET /publik/v1/feed", 8),
    ("GET /kinerja/v1/employees/{nip}", 4),
    ("GET /kinerja/v1/evaluations?unit_id=&period=", 3),
    ("GET /kinerja/v1/reports/predikat-distribution", 2),
    ("GET /pelatihan/v1/employees/{nip}/jp", 2),
    ("POST /publik/v1/surveys", 1),
)
POOL_PER_TYPE = 200
DIRTY_SETTLE_S = 4.0


async def hello_app(scope: Any, receive: Any, send: Any) -> None:
    """The ceiling: the smallest useful ASGI app."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"Hello, world!"})


# --------------------------------------------------------------------------------------------- the stack


@dataclass
class App:
    """One app process."""

    name: str
    port: int
    popen: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Stack:
    """The four apps and the hello-world, as real processes."""

    apps: dict[str, App] = field(default_factory=dict)
    hello_port: int = 0

    def url(self, name: str) -> str:
        return self.apps[name].url


def _env(database_url: str, workdir: Path, publik_data: Path, ports: dict[str, int]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KINERJA_", "PELATIHAN_", "PUBLIK_", "GATEWAY_", "ASN_"))
    }
    gw = f"http://127.0.0.1:{ports['gateway']}"
    for app in APP_NAMES:
        p = app.upper() + "_"
        env[p + "DATABASE_URL"] = database_url
        env[p + "ENVIRONMENT"] = "test"
        # The access log would cost a log line per request; the figures are for the apps' work.
        env[p + "LOG_LEVEL"] = "WARNING"
    for app in SERVICE_NAMES:
        p = app.upper() + "_"
        env[p + "JWKS_URL"] = gw + "/.well-known/jwks.json"
        env[p + "GATEWAY_URL"] = gw
        env[p + "SERVICE_CLIENT_ID"] = f"svc-{app}"
        env[p + "SERVICE_CLIENT_SECRET"] = SECRETS[f"svc-{app}"]
        env["GATEWAY_" + app.upper() + "_URLS"] = f"http://127.0.0.1:{ports[app]}"
    env["KINERJA_PUBLIK_URL"] = f"http://127.0.0.1:{ports['publik']}"
    env["KINERJA_PELATIHAN_URL"] = f"http://127.0.0.1:{ports['pelatihan']}"
    env["PELATIHAN_KINERJA_URL"] = f"http://127.0.0.1:{ports['kinerja']}"
    env["PELATIHAN_PUBLIK_URL"] = f"http://127.0.0.1:{ports['publik']}"
    env["PUBLIK_KINERJA_URL"] = f"http://127.0.0.1:{ports['kinerja']}"
    env["GATEWAY_DATA_DIR"] = str(workdir / "gateway-data")
    env["PUBLIK_DATA_DIR"] = str(publik_data)
    # One client IP drives the whole load: lift the per-IP limits so they measure the path, not the limiter.
    env["GATEWAY_ANONYMOUS_RATE_LIMIT_PER_MINUTE"] = "1000000000"
    env["GATEWAY_CLIENT_RATE_LIMIT_PER_MINUTE"] = "1000000000"
    env["GATEWAY_USER_RATE_LIMIT_PER_MINUTE"] = "1000000000"
    env["PUBLIK_SURVEY_RATE_LIMIT"] = "1000000000"
    env["PUBLIK_SURVEY_TOKEN_RATE_LIMIT"] = "1000000000"
    return env


@contextlib.contextmanager
def stack(
    database_url: str,
    workdir: Path,
    publik_data: Path,
    *,
    workers: int = 1,
    max_in_flight: int | None = None,
    shed_lag_ms: float | None = None,
    serve_loop: str | None = None,
    shed_new_connections: bool | None = None,
    shed_accept_wait_ms: float | None = None,
) -> Iterator[Stack]:
    """Start everything (``workers`` uvicorn workers per app; ``max_in_flight``: each app's shedder limit,
    services/common/admission.py); stop every process started here, whatever happens. With several workers
    the apps start one after the other (all at once, 4 x N processes importing on two loaded cores did not
    answer /healthz within 80 s)."""
    ports = {name: free_port() for name in APP_NAMES}
    env = _env(database_url, workdir, publik_data, ports)
    per_app = {  # each app's own setting of that name; None: the app's default
        "MAX_IN_FLIGHT": None if max_in_flight is None else str(max_in_flight),
        "SHED_LOOP_LAG_MS": None if shed_lag_ms is None else f"{shed_lag_ms:g}",
        "SHED_NEW_CONNECTIONS": None if shed_new_connections is None else str(shed_new_connections).lower(),
        "SHED_ACCEPT_WAIT_MS": None if shed_accept_wait_ms is None else f"{shed_accept_wait_ms:g}",
    }
    for setting, value in per_app.items():
        if value is not None:
            for name in APP_NAMES:
                env[f"{name.upper()}_{setting}"] = value
    if serve_loop is not None:
        env["ASN_SERVE_LOOP"] = serve_loop  # asn serve's event loop (asn_cli/eventloop.py)
    result = Stack(hello_port=free_port())
    logs = []
    try:
        for name in APP_NAMES:
            log = open(workdir / f"{name}.log", "ab")  # noqa: SIM115  (closed below)
            logs.append(log)
            popen = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "asn_cli.main",
                    "serve",
                    name,
                    "--port",
                    str(ports[name]),
                    *(["--workers", str(workers)] if workers > 1 else []),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            result.apps[name] = App(name, ports[name], popen)
            if workers > 1:
                _wait_healthy(result.apps[name], workdir, timeout_s=40.0 * workers)
        hello_log = open(workdir / "hello.log", "ab")  # noqa: SIM115
        logs.append(hello_log)
        hello = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.mixed_load:hello_app", "--host", "127.0.0.1",
             "--port", str(result.hello_port), "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, stdout=hello_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        result.apps["hello"] = App("hello", result.hello_port, hello)
        for app in result.apps.values():
            _wait_healthy(app, workdir, timeout_s=40.0 * workers)  # each worker starts on its own
        _wait_ready(result.url("gateway"))
        yield result
    finally:
        for app in result.apps.values():
            if app.popen.poll() is None:
                app.popen.terminate()
        for app in result.apps.values():
            try:
                app.popen.wait(10)
            except subprocess.TimeoutExpired:
                app.popen.kill()
                app.popen.wait()
        for log in logs:
            log.close()


@contextlib.contextmanager
def extra_app(
    s: Stack, name: str, code: Path, database_url: str, workdir: Path, publik_data: Path
) -> Iterator[App]:
    """One more process of app ``name`` beside the running stack, from the source tree ``code`` (an older
    revision, bench._util.export_revision), with the same settings and database, so old and new code are
    measured in the same minutes."""
    env = _env(database_url, workdir, publik_data, {n: s.apps[n].port for n in APP_NAMES})
    port = free_port()
    args = [sys.executable, "-m", "asn_cli.main", "serve", name, "--port", str(port)]
    with process(args, port=port, env=env, cwd=code) as popen:
        app = App(f"{name}-old", port, popen)
        _wait_healthy(app, workdir)
        yield app


def _wait_healthy(app: App, workdir: Path, timeout_s: float = 40.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if app.popen.poll() is not None:
            log = workdir / f"{app.name}.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
            raise RuntimeError(f"{app.name} exited with {app.popen.returncode}:\n{tail}")
        if app.name == "hello":
            wait_for_port(app.port, timeout_s=timeout_s)
            return
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(app.url + "/healthz", timeout=1.0, trust_env=False).status_code == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(f"{app.name} did not become healthy")


def _wait_ready(gateway: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            resp = httpx.get(gateway + "/readyz", timeout=2.0, trust_env=False)
            if resp.status_code == 200 and resp.json().get("status") == "ready":
                return
        time.sleep(0.2)
    raise TimeoutError("gateway not ready")


def login(gateway: str) -> str:
    """An admin token from the gateway (the way a user gets one)."""
    resp = httpx.post(
        gateway + "/auth/token",
        data={"grant_type": "password", "username": ADMIN_USER, "password": ADMIN_PASSWORD},
        timeout=10.0,
        trust_env=False,
    )
    resp.raise_for_status()
    return str(resp.json()["access_token"])


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MiB, from /proc."""
    text = Path(f"/proc/{pid}/status").read_text()
    rss = re.search(r"VmRSS:\s+(\d+) kB", text)
    hwm = re.search(r"VmHWM:\s+(\d+) kB", text)
    return (int(rss.group(1)) / 1024 if rss else 0.0, int(hwm.group(1)) / 1024 if hwm else 0.0)


# ------------------------------------------------------------------------------------ the load generator

Target = tuple[str, int]  # host, port
Prepared = tuple[Target, bytes]


@dataclass(frozen=True)
class SurveyForm:
    """A survey the way the widget answers it: open the form (``POST .../form-token``, a one-answer token),
    then answer with that token. Only the answer is timed; the form is opened on the same connection."""

    target: Target
    open_form: Prepared
    path: str
    body: dict[str, Any]

    def answer(self, token: str) -> Prepared:
        data = json.dumps({**self.body, "form_token": token}).encode()
        return _request("POST", self.target, self.path, {"Content-Type": "application/json"}, data)


Entry = Prepared | SurveyForm
TOKEN = re.compile(rb'"token"\s*:\s*"([^"]+)"')


def _request(method: str, target: Target, path: str, headers: dict[str, str], body: bytes = b"") -> Prepared:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {target[0]}:{target[1]}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if method != "GET":
        lines.append(f"Content-Length: {len(body)}")
    return target, ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def build_requests(
    dataset: datagen.Dataset, token: str, hosts: dict[str, Target], via_gateway: bool, seed: int = 7
) -> dict[str, list[Entry]]:
    """Per request type, a pool of ready-to-send requests (same draws for the gateway and direct)."""
    rnd = random.Random(seed)
    auth = {"Authorization": f"Bearer {token}"}

    def where(service: str, path: str) -> tuple[Target, str]:
        return (hosts["gateway"], f"/{service}{path}") if via_gateway else (hosts[service], path)

    pools: dict[str, list[Entry]] = {name: [] for name, _ in SHARES}
    publik_units = dataset.unit_ids
    for _ in range(POOL_PER_TYPE):
        nip = rnd.choice(dataset.sample_nips)
        t, p = where("publik", "/v1/feed")
        pools[SHARES[0][0]].append(_request("GET", t, p, {}))
        t, p = where("kinerja", f"/v1/employees/{nip}")
        pools[SHARES[1][0]].append(_request("GET", t, p, auth))
        unit, period = rnd.choice(dataset.unit_ids), rnd.choice(dataset.periods)
        t, p = where("kinerja", f"/v1/evaluations?unit_id={unit}&period={period}")
        pools[SHARES[2][0]].append(_request("GET", t, p, auth))
        opd, period = rnd.choice(dataset.opd_ids), rnd.choice(dataset.periods)
        t, p = where("kinerja", f"/v1/reports/predikat-distribution?period={period}&unit_id={opd}")
        pools[SHARES[3][0]].append(_request("GET", t, p, auth))
        nip = rnd.choice(dataset.sample_nips)
        t, p = where("pelatihan", f"/v1/employees/{nip}/jp?year=2026")
        pools[SHARES[4][0]].append(_request("GET", t, p, auth))
        survey = {"unit_id": rnd.choice(publik_units), "answers": [rnd.randint(2, 4) for _ in range(9)]}
        t, p = where("publik", "/v1/surveys")
        opened = json.dumps({"unit_id": survey["unit_id"]}).encode()
        form = _request("POST", t, p + "/form-token", {"Content-Type": "application/json"}, opened)
        pools[SHARES[5][0]].append(SurveyForm(t, form, p, survey))
    return pools


class _Conn(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; one request at a time (no pipelining)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.body = b""  # the last response's body (raw: chunk framing kept)
        self.head = b""  # the last response's status line and headers, lower-cased
        self.closed = False
        # The loop's clock when the last response was complete: when the client had its answer, before the
        # coroutine that awaits it resumes (a turn of the generator's own loop later).
        self.answered_at = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have the same interface.
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("closed"))

    def data_received(self, data: bytes) -> None:
        self.buf += data
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        head_end = self.buf.find(b"\r\n\r\n")
        if head_end < 0:
            return
        head = bytes(self.buf[:head_end]).lower()
        match = re.search(rb"\r\ncontent-length:\s*(\d+)", head)
        if match:
            end = head_end + 4 + int(match.group(1))
            if len(self.buf) < end:
                return
        elif b"transfer-encoding: chunked" in head:
            if not self.buf.endswith(b"0\r\n\r\n"):
                return
            end = len(self.buf)
        else:
            end = head_end + 4
        status = int(head[9:12])
        self.head = head
        self.body = bytes(self.buf[head_end + 4 : end])
        del self.buf[:end]
        self.answered_at = asyncio.get_running_loop().time()
        waiter.set_result(status)

    async def send(self, data: bytes, timeout_s: float | None = None) -> int:
        """Send one request and await its status; after ``timeout_s`` raise TimeoutError (the answer may still
        come: the caller closes the connection or leaves it for that). A timer, not ``asyncio.wait_for``: that
        makes a task a request, which at thousands a second was a good part of the generator's own loop."""
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[int] = loop.create_future()
        self.waiter = waiter
        self.transport.write(data)
        if timeout_s is None:
            return await waiter
        timer = loop.call_later(timeout_s, _expire, waiter)
        try:
            return await waiter
        finally:
            timer.cancel()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def _expire(waiter: asyncio.Future[int]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


@dataclass
class TypeStats:
    """Latencies (ms) and errors of one request type in one phase."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


@dataclass
class MixResult:
    """One phase of the mixed load."""

    elapsed_s: float
    per_type: dict[str, TypeStats]

    @property
    def requests(self) -> int:
        return sum(len(s.latencies) for s in self.per_type.values())

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed_s

    def overall(self) -> list[float]:
        return sorted(x for s in self.per_type.values() for x in s.latencies)

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.per_type.values())


def schedule(seed: int = 11) -> list[str]:
    """The 20-slot request schedule with the stated shares, shuffled once."""
    slots = [name for name, weight in SHARES for _ in range(weight)]
    random.Random(seed).shuffle(slots)
    return slots


async def drive(pools: dict[str, list[Entry]], connections: int, duration_s: float) -> MixResult:
    """Keep ``connections`` requests in flight for ``duration_s``, drawing types from the schedule."""
    loop = asyncio.get_running_loop()
    slots = schedule() if set(pools) == {name for name, _ in SHARES} else list(pools)
    stats = {name: TypeStats() for name in pools}
    deadline = time.perf_counter() + duration_s

    async def worker(w: int) -> None:
        conns: dict[Target, _Conn] = {}
        rnd = random.Random(w)
        i = w * 7
        while time.perf_counter() < deadline:
            name = slots[i % len(slots)]
            i += 1
            entry = rnd.choice(pools[name])
            target = entry.target if isinstance(entry, SurveyForm) else entry[0]
            conn = conns.get(target)
            if conn is None or conn.closed:
                _, conn = await loop.create_connection(_Conn, target[0], target[1])
                conns[target] = conn
            try:
                if isinstance(entry, SurveyForm):
                    opened = await conn.send(entry.open_form[1])
                    token = TOKEN.search(conn.body)
                    if opened >= 400 or token is None:
                        stats[name].statuses[opened] = stats[name].statuses.get(opened, 0) + 1
                        stats[name].errors += 1
                        continue
                    data = entry.answer(token.group(1).decode())[1]
                else:
                    data = entry[1]
                started = time.perf_counter()
                status = await conn.send(data)
            except ConnectionError:
                stats[name].errors += 1
                conns.pop(target, None)
                continue
            stats[name].latencies.append((time.perf_counter() - started) * 1000)
            stats[name].statuses[status] = stats[name].statuses.get(status, 0) + 1
            if status >= 400:
                stats[name].errors += 1
        for conn in conns.values():
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(connections)))
    return MixResult(time.perf_counter() - started, stats)


def run_drive(pools: dict[str, list[Entry]], connections: int, duration_s: float) -> MixResult:
    """``drive`` on uvloop (when installed): the generator shares the machine and should cost little."""
    try:
        import uvloop

        factory: Any = uvloop.new_event_loop
    except ImportError:  # pragma: no cover
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(drive(pools, connections, duration_s))


# ------------------------------------------------------------------------------------------- the bench


@dataclass
class Round:
    """Everything measured in one round."""

    ceiling: MixResult
    gateway: MixResult
    direct: MixResult
    wrk_ceiling: LoadResult | None
    wrk_feed: LoadResult | None
    cpu: dict[str, dict[str, float]] = field(default_factory=dict)  # phase -> app -> CPU ms per request


def smoke(pools: dict[str, dict[str, list[Entry]]]) -> None:
    """Every request type answers 2xx on both paths before anything is timed."""
    for mode, by_type in pools.items():
        for name, pool in by_type.items():
            res = run_drive({name: pool[:1]}, 1, 0.2)
            s = res.per_type[name]
            bad = {code: n for code, n in s.statuses.items() if code >= 400}
            if bad or not s.latencies:
                raise RuntimeError(f"{mode}: {name} answered {s.statuses or 'nothing'}")


def measure(args: argparse.Namespace, dataset: datagen.Dataset, workdir: Path) -> tuple[list[Round], str]:
    """Start the stack and run the rounds; returns the rounds and the memory table."""
    from asn_cli.seed import bootstrap, create_admin

    async def accounts() -> None:
        await bootstrap(dataset.database_url, SECRETS)
        await create_admin(dataset.database_url, ADMIN_USER, ADMIN_PASSWORD)

    asyncio.run(accounts())
    with stack(
        dataset.database_url,
        workdir,
        dataset.data_dir,
        workers=args.workers,
        max_in_flight=args.max_in_flight,
        serve_loop=args.loop,
    ) as s:
        token = login(s.url("gateway"))
        hosts = {name: ("127.0.0.1", app.port) for name, app in s.apps.items()}
        pools = {
            "gateway": build_requests(dataset, token, hosts, via_gateway=True),
            "direct": build_requests(dataset, token, hosts, via_gateway=False),
        }
        hello: dict[str, list[Entry]] = {"GET /": [_request("GET", hosts["hello"], "/", {})]}
        feed_url = f"{s.url('publik')}/v1/feed"
        hello_url = f"{s.url('hello')}/"
        smoke(pools)
        idle = {name: rss_mb(app.popen.pid)[0] for name, app in s.apps.items() if name != "hello"}
        for target in (hello, pools["gateway"], pools["direct"]):  # warm-up: pools, caches, JIT-less paths
            run_drive(target, args.connections, 2)
        use_wrk = wrk_available() and args.tool != "python"

        def phase(name: str, pool: dict[str, list[Entry]], cpu: dict[str, dict[str, float]]) -> MixResult:
            # CPU per request of each app: steadier than req/s when the shared machine is busy.
            before = {a: cpu_seconds(app.popen.pid) for a, app in s.apps.items()}
            result = run_drive(pool, args.connections, args.duration)
            cpu[name] = {
                a: (cpu_seconds(app.popen.pid) - before[a]) * 1000 / max(1, result.requests)
                for a, app in s.apps.items()
            }
            return result

        rounds: list[Round] = []
        for n in range(1, args.rounds + 1):
            cpu: dict[str, dict[str, float]] = {}
            ceiling = phase("ceiling", hello, cpu)
            gateway = phase("gateway", pools["gateway"], cpu)
            direct = phase("direct", pools["direct"], cpu)
            wrk_ceiling = wrk_feed = None
            if use_wrk:
                # The mix's surveys keep publik's cache rebuilding (the IKM refresher bumps the publication
                # version every second; each write makes the replica re-read the version on every cached read
                # for a few seconds): let it settle, as a feed between surveys would see it.
                time.sleep(DIRTY_SETTLE_S)
                load(feed_url, connections=args.connections, duration_s=1)
                wrk_ceiling = load(hello_url, connections=args.connections, duration_s=args.feed_duration)
                wrk_feed = load(feed_url, connections=args.connections, duration_s=args.feed_duration)
            rounds.append(Round(ceiling, gateway, direct, wrk_ceiling, wrk_feed, cpu))
            print(
                f"round {n}: ceiling {ceiling.rps:,.0f} req/s, gateway {gateway.rps:,.0f} "
                f"(errors {gateway.errors}), direct {direct.rps:,.0f} (errors {direct.errors})"
                + (
                    f"; wrk ceiling {wrk_ceiling.rps:,.0f}, wrk feed {wrk_feed.rps:,.0f}"
                    if wrk_ceiling and wrk_feed
                    else ""
                ),
                flush=True,
            )
        memory = table(
            ["app", "RSS idle MiB", "peak RSS after the rounds MiB"],
            [
                [name, f"{idle[name]:.0f}", f"{rss_mb(app.popen.pid)[1]:.0f}"]
                for name, app in s.apps.items()
                if name != "hello"
            ],
        )
    return rounds, memory


def _median_round(rounds: list[Round], pick: str) -> MixResult:
    results: list[MixResult] = [getattr(r, pick) for r in rounds]
    return sorted(results, key=lambda r: r.rps)[len(results) // 2]


def render(rounds: list[Round]) -> tuple[str, str, dict[str, float]]:
    """The overall table, the per-type table, and the figures the targets section quotes."""
    gw_ratio = statistics.median(r.gateway.rps / r.direct.rps for r in rounds)
    ceil_gw = statistics.median(r.gateway.rps / r.ceiling.rps for r in rounds)
    ceil_direct = statistics.median(r.direct.rps / r.ceiling.rps for r in rounds)
    rows: list[list[object]] = []
    for label, pick, ratio in (
        ("bare ASGI hello-world (ceiling)", "ceiling", "1.00"),
        ("mix straight to the services", "direct", f"{ceil_direct:.2f}"),
        ("mix through the gateway", "gateway", f"{ceil_gw:.2f}"),
    ):
        m = _median_round(rounds, pick)
        lat = m.overall()
        rows.append(
            [label, f"{m.rps:,.0f}", f"{percentile(lat, 50):.1f}", f"{percentile(lat, 99):.1f}", ratio,
             "1.00" if pick == "direct" else (f"{gw_ratio:.2f}" if pick == "gateway" else "-"), m.errors]
        )  # fmt: skip
    overall = table(
        [
            "load (python generator)",
            "req/s",
            "p50 ms",
            "p99 ms",
            "ratio to ceiling",
            "ratio to direct",
            "errors",
        ],
        rows,
    )
    gw, direct = _median_round(rounds, "gateway"), _median_round(rounds, "direct")
    type_rows: list[list[object]] = []
    for name, weight in SHARES:
        g, d = gw.per_type[name], direct.per_type[name]
        gl, dl = sorted(g.latencies), sorted(d.latencies)
        type_rows.append(
            [name, f"{weight * 5}%", f"{len(gl) / gw.elapsed_s:,.0f}", f"{percentile(gl, 50):.1f}",
             f"{percentile(gl, 99):.1f}", f"{len(dl) / direct.elapsed_s:,.0f}", f"{percentile(dl, 50):.1f}",
             f"{percentile(dl, 99):.1f}", f"{g.errors}/{d.errors}"]
        )  # fmt: skip
    per_type = table(
        ["request", "share", "gateway req/s", "p50 ms", "p99 ms", "direct req/s", "p50 ms", "p99 ms",
         "errors gw/direct"],
        type_rows,
    )  # fmt: skip
    apps = ("gateway", *SERVICE_NAMES)
    cpu_rows: list[list[object]] = []
    totals: dict[str, float] = {}
    for phase in ("direct", "gateway"):
        per_app = {a: statistics.median(r.cpu[phase][a] for r in rounds) for a in apps}
        totals[phase] = sum(per_app.values())
        cpu_rows.append([f"mix {phase}", *(f"{per_app[a]:.2f}" for a in apps), f"{totals[phase]:.2f}"])
    cpu_table = table(["path", *(f"{a} CPU ms/req" for a in apps), "all apps CPU ms/req"], cpu_rows)
    per_type = (
        per_type
        + "\n\nCPU time of each app process per request of the mix (user+system from /proc, median of the rounds;\n"
        + ("PostgreSQL and the load generator not included):\n\n" + cpu_table)
    )
    figures = {
        "gateway_ratio": gw_ratio,
        "gateway_rps": gw.rps,
        "direct_rps": direct.rps,
        "cpu_ratio": totals["direct"] / totals["gateway"],
    }
    wrk_rounds = [r for r in rounds if r.wrk_ceiling and r.wrk_feed]
    if wrk_rounds:
        figures["feed_ratio"] = statistics.median(
            r.wrk_feed.rps / r.wrk_ceiling.rps  # type: ignore[union-attr]
            for r in wrk_rounds
        )
        figures["wrk_ceiling_rps"] = statistics.median(r.wrk_ceiling.rps for r in wrk_rounds)  # type: ignore[union-attr]
        figures["wrk_feed_rps"] = statistics.median(r.wrk_feed.rps for r in wrk_rounds)  # type: ignore[union-attr]
        figures["py_ceiling_rps"] = _median_round(rounds, "ceiling").rps
    return overall, per_type, figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--feed-duration", type=float, default=4.0, help="seconds per wrk feed/ceiling run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--tool", choices=("auto", "python"), default="auto", help="python: skip the wrk runs"
    )
    parser.add_argument(
        "--database-url", help="a database kept by bench.datagen --keep (else one is generated)"
    )
    parser.add_argument("--data-dir", help="with --database-url: the PUBLIK_DATA_DIR datagen printed")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn workers per app (asn serve --workers)"
    )
    parser.add_argument(
        "--max-in-flight", type=int, help="each app's MAX_IN_FLIGHT (the shedder's limit; default: the apps')"
    )
    parser.add_argument(
        "--shed-lag-ms",
        type=float,
        help="each app's SHED_LOOP_LAG_MS (shed while the event loop lags more; 0: off; default: the apps')",
    )
    parser.add_argument(
        "--shed-new-connections",
        choices=("on", "off"),
        help="each app's SHED_NEW_CONNECTIONS (refuse at accept while the shedder refuses; default: the apps')",
    )
    parser.add_argument(
        "--shed-accept-wait-ms",
        type=float,
        help="each app's SHED_ACCEPT_WAIT_MS (refuse at accept while the accept queue stands longer; 0: off; "
        "default: the apps')",
    )
    parser.add_argument(
        "--closed-reads",
        action="store_true",
        help="with --open-loop: also wrk at 64 and 256 connections on the mix's other reads (evaluations, "
        "predikat distribution, JP, feed)",
    )
    parser.add_argument(
        "--open-loop-connections",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[0, 512],
        help="open loop generators, comma-separated: 0 opens a new connection whenever none is idle; -1 a new "
        "connection for each request; N > 0 sends on a fixed pool of N keep-alive connections (default 0,512)",
    )
    parser.add_argument(
        "--via",
        choices=("direct", "gateway"),
        default="direct",
        help="with --open-loop: send the point read straight to kinerja (default) or through the gateway's "
        "/kinerja route; through the gateway writes the overload-gateway section",
    )
    parser.add_argument(
        "--loop",
        choices=("eager", "uvloop"),
        default="eager",
        help="the apps' event loop (ASN_SERVE_LOOP, asn_cli/eventloop.py): eager accepts every waiting "
        "connection per turn, uvloop one",
    )
    parser.add_argument(
        "--open-loop",
        action="store_true",
        help="only the overload runs: kinerja's point read at 64/256 connections (wrk) and an open loop at 1x "
        "and 2x the measured capacity; writes the overload section",
    )
    args = parser.parse_args()
    if args.open_loop:
        return open_loop_main(args)
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="asn-bench-mixed-"))
    try:
        with postgres_server() as server_url:
            if args.database_url:
                dataset = datagen.Dataset(server_url, args.database_url, Path(args.data_dir or workdir), 0, 0)
                asyncio.run(datagen.sample(dataset))
                owned = False
            else:
                data_dir = workdir / "publik-data"
                dataset = asyncio.run(datagen.create(server_url, data_dir=data_dir, verbose=False))
                print(f"dataset generated in {time.perf_counter() - started:.0f} s", flush=True)
                owned = True
            try:
                rounds, memory = measure(args, dataset, workdir)
            finally:
                if owned:
                    asyncio.run(drop_database(server_url, dataset.database_url))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    overall, per_type, figures = render(rounds)
    feed_line = ""
    if "feed_ratio" in figures:
        feed_line = (
            f"Cached feed served directly, wrk (one thread, {args.connections} connections, {args.feed_duration:g} s "
            f"per run, same rounds): {figures['wrk_feed_rps']:,.0f} req/s vs the hello-world's "
            f"{figures['wrk_ceiling_rps']:,.0f} req/s: **{figures['feed_ratio']:.2f} of the ceiling**. "
            f"(The python generator reaches {figures['py_ceiling_rps']:,.0f} req/s on the hello-world, "
            f"{figures['py_ceiling_rps'] / figures['wrk_ceiling_rps']:.2f} of wrk's figure in the same rounds"
            + (
                ": the ceiling row above is bounded by the generator, so the mix ratios to it are upper bounds.)"
                if figures["py_ceiling_rps"] < 0.9 * figures["wrk_ceiling_rps"]
                else ", so the generator is not what limits the mix.)"
            )
        )
    took = time.perf_counter() - started
    print(overall, per_type, feed_line, memory, f"(took {took:.0f} s)", sep="\n\n")
    if not args.no_write:
        body = f"""## Mixed load: gateway vs direct vs bare ASGI

Command: `{command_line()}` ({args.rounds} interleaved rounds of {args.duration:g} s per phase after a 2 s
warm-up, {args.connections} connections, medians; took {took:.0f} s including data generation).
Dataset: bench.datagen at province scale (50,000 employees in 40 units, 250,000 evaluations, 250,000 JP
entries, 20,000 surveys, publik's demo publications). Each app is one `asn serve` process (one uvicorn
worker, log level WARNING); PostgreSQL, the four apps, the hello-world and the load generator share the
machine. The gateway and the services check the same admin token (from the gateway's `/auth/token`);
rate limits lifted (one client IP drives the load).
Machine: {machine()}.

Shares of requests issued (each connection walks a shuffled 20-slot schedule): 40% `GET /publik/v1/feed`,
20% `GET /kinerja/v1/employees/{{nip}}`, 15% `GET /kinerja/v1/evaluations?unit_id=&period=`, 10%
`GET /kinerja/v1/reports/predikat-distribution?period=&unit_id=<OPD>`, 10% `GET /pelatihan/v1/employees/{{nip}}/jp`,
5% `POST /publik/v1/surveys` (each after its `POST /publik/v1/surveys/form-token` on the same connection, which
is not timed or counted). "Direct" sends the same requests (same draws, same token) to each service without
the prefix.

{overall}

Per request type (the median round of each path):

{per_type}

Why the feed is slow inside the mix: publik answers `GET /v1/feed` from its rendered cache only while the
publication version stands still, and the mix's surveys keep moving it. The IKM refresher bumps the version
every second while surveys arrive (`services/publik_api/surveys/refresher.py`), and every write makes the
replica re-read the version from the database on every cached read for `DIRTY_WINDOW_S` (3 s,
`services/publik_api/cache/store.py`), so with 5% survey POSTs each feed read costs a database round trip and
often a re-render. The wrk feed figure below is taken {DIRTY_SETTLE_S:g} s after the mix stopped, as a feed
between surveys sees it.

**Gateway throughput: {figures["gateway_ratio"]:.2f} of direct** (target 0.40: {"met" if figures["gateway_ratio"] >= 0.4 else "NOT met"}).
{feed_line}

Resident memory (from /proc; peak = VmHWM over the whole run, warm-up and rounds included):

{memory}

<!-- figures: {json.dumps({k: round(v, 4) for k, v in figures.items()})} -->
"""
        write_section(SECTION, body)
        write_targets()
    return 0


# -------------------------------------------------------------------------------------------- targets


# ------------------------------------------------------------------------------------ open loop (issue 21)


@dataclass
class OpenLoopResult:
    """A fixed arrival rate: what was accepted, refused, and how fast each answer came."""

    rate: float
    sent: int
    ok_ms: list[float]
    refused_ms: list[float]
    refused_with_retry_after: int
    other: dict[str, int]
    # How late the generator itself sent each request (its own loop shares the two cores): part of every
    # latency above, not the server's.
    send_late_ms: list[float] = field(default_factory=list)
    # Each refusal's latency less how late it was sent: from the moment the generator sent it (or, on the new
    # connection generator, began to connect), the server's part alone.
    refused_after_send_ms: list[float] = field(default_factory=list)

    def line(self) -> list[object]:
        ok, ref = sorted(self.ok_ms), sorted(self.refused_ms)
        late = sorted(self.send_late_ms)
        within = sum(1 for ms in ref if ms <= 50.0)
        within_sent = sum(1 for ms in self.refused_after_send_ms if ms <= 50.0)
        return [f"{self.rate:,.0f}", self.sent, len(ok), f"{percentile(ok, 50):.1f}", f"{percentile(ok, 99):.1f}",
                f"{percentile(ok, 99) / max(percentile(ok, 50), 0.001):.1f}",
                len(ref), f"{self.refused_with_retry_after}", f"{percentile(ref, 50):.1f}",
                f"{percentile(ref, 99):.1f}", f"{max(ref, default=0.0):.1f}",
                f"{100 * within / len(ref):.0f} %" if ref else "-",
                f"{100 * within_sent / len(ref):.0f} %" if ref else "-",
                f"{percentile(late, 50):.1f} / {percentile(late, 99):.1f}",
                ", ".join(f"{k}: {v}" for k, v in sorted(self.other.items())) or "-"]  # fmt: skip


async def open_loop(
    host: str,
    port: int,
    raw: bytes,
    rate: float,
    duration_s: float,
    timeout_s: float = 5.0,
    *,
    keep_alive: bool = True,
) -> OpenLoopResult:
    """Requests at a fixed arrival rate, whatever the server's pace (no coordinated omission: each latency
    counts from the request's scheduled time to the moment its answer was read), on an idle keep-alive
    connection, or a new one when none is idle; without ``keep_alive``, each on a new connection closed after
    its answer (a client without a session).

    A reused connection that the server had closed (uvicorn ends a keep-alive connection idle for 5 s) answers
    nothing at all: the request is sent again on a new connection, as HTTP clients do with an idempotent
    request. A connection the server says it closes (``Connection: close``, a refusal at accept) is not kept.
    One task a request and the connections' own protocol (no streams, no ``wait_for``): the generator shares
    the two cores, and its own loop's lateness counts in every latency it records."""
    loop = asyncio.get_running_loop()
    idle: list[_Conn] = []
    result = OpenLoopResult(rate, 0, [], [], 0, {})
    pending: set[asyncio.Task[None]] = set()

    async def connect(local: str | None) -> _Conn:
        _, conn = await loop.create_connection(
            _Conn, host, port, local_addr=None if local is None else (local, 0)
        )
        return conn

    async def fire(at: float, local: str | None) -> None:
        late_ms = (loop.time() - at) * 1000
        result.send_late_ms.append(late_ms)
        conn: _Conn | None = None
        try:
            while idle and conn is None:
                conn = idle.pop()
                if conn.closed:
                    conn = None
            reused = conn is not None
            if conn is None:
                conn = await connect(local)
            try:
                status = await conn.send(raw, timeout_s)
            except ConnectionError:
                if not reused or conn.buf:
                    raise  # a new connection closed under the request, or an answer cut short
                conn = await connect(local)
                status = await conn.send(raw, timeout_s)
        except (TimeoutError, OSError) as error:
            # By kind: a timeout waiting for the answer, a refused, reset or cut connection.
            if conn is not None:
                conn.close()
            what = "timeout" if isinstance(error, TimeoutError) else type(error).__name__
            code = error.errno if isinstance(error, OSError) else None
            if code is not None and code in errno.errorcode:
                what += " " + errno.errorcode[code]  # which: ports, descriptors, the listen queue
            result.other[what] = result.other.get(what, 0) + 1
            return
        if keep_alive and not conn.closed and b"\r\nconnection: close" not in conn.head:
            idle.append(conn)
        else:
            conn.close()
        ms = (conn.answered_at - at) * 1000
        if 200 <= status < 300:
            result.ok_ms.append(ms)
        elif status in (429, 503):
            result.refused_ms.append(ms)
            result.refused_after_send_ms.append(ms - late_ms)
            result.refused_with_retry_after += b"\r\nretry-after:" in conn.head
        else:
            result.other[str(status)] = result.other.get(str(status), 0) + 1

    start = loop.time() + 0.05
    n = int(rate * duration_s)
    for i in range(n):
        at = start + i / rate
        delay = at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        # A connection for each request: from 250 loopback addresses in turn, so its closed connections' ports
        # (TIME_WAIT for a minute) do not run out (28,000 for one address, four seconds at twice the capacity).
        local = None if keep_alive else f"127.0.0.{2 + i % 250}"
        task = asyncio.create_task(fire(at, local))
        pending.add(task)  # the loop keeps only a weak reference; a finished one is not kept (memory, the GC)
        task.add_done_callback(pending.discard)
        result.sent += 1
    while pending:
        await asyncio.gather(*pending)
    for conn in idle:
        conn.close()
    return result


async def open_loop_pool(
    host: str, port: int, raw: bytes, rate: float, duration_s: float, connections: int, timeout_s: float = 5.0
) -> OpenLoopResult:
    """Requests at a fixed arrival rate on a fixed pool of ``connections`` keep-alive connections, opened
    before the clock starts (wrk2-style; as the gateway's and most clients' pools behave).

    A request is due at its scheduled time; when no connection is free it waits for one, and its latency
    still counts from the scheduled time (no coordinated omission). A request still waiting for a connection
    ``timeout_s`` after its scheduled time is not sent, and an answer that comes later than that counts as a
    timeout, not as 2xx or a refusal: either way the connection stays open and the pool fixed (closing it and
    sending the next request on a new one would leave the abandoned request in the server and turn a slow
    server into connection churn, which is what the other generator does). ``send_late_ms`` is how late each
    request was sent: the generator's own lateness plus the wait for a free connection."""
    loop = asyncio.get_running_loop()
    result = OpenLoopResult(rate, 0, [], [], 0, {})
    n = int(rate * duration_s)
    conns: list[_Conn] = []
    for _ in range(connections):
        _, conn = await loop.create_connection(_Conn, host, port)
        conns.append(conn)
    start = loop.time() + 0.05
    next_i = 0

    def count(what: str) -> None:
        result.other[what] = result.other.get(what, 0) + 1

    async def worker(conn: _Conn | None) -> None:
        nonlocal next_i
        while next_i < n:
            at = start + next_i / rate
            next_i += 1
            result.sent += 1
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            late = loop.time() - at
            result.send_late_ms.append(late * 1000)
            if late >= timeout_s:
                count("timeout")  # waited its whole budget for a free connection: never sent
                continue
            try:
                if conn is None or conn.closed:
                    _, conn = await loop.create_connection(_Conn, host, port)
                # The hard limit only ends a run whose server stopped answering; the answer is awaited on the
                # same connection well past timeout_s and counted as a timeout.
                status = await conn.send(raw, 6 * timeout_s)
            except (TimeoutError, OSError):  # ConnectionError included: closed under the request
                count("error")
                if conn is not None:
                    conn.close()
                conn = None
                continue
            ms = (conn.answered_at - at) * 1000
            if ms > timeout_s * 1000:
                count("timeout")
            elif 200 <= status < 300:
                result.ok_ms.append(ms)
            elif status in (429, 503):
                result.refused_ms.append(ms)
                result.refused_after_send_ms.append(ms - late * 1000)
                result.refused_with_retry_after += b"\r\nretry-after:" in conn.head
            else:
                count(str(status))
        if conn is not None:
            conn.close()

    await asyncio.gather(*(worker(c) for c in conns))
    return result


class Trickle:
    """A client that now and then opens a new connection for one request, while a closed loop keeps the app's
    loop busy with open ones (a user arriving at a busy hour): such a connection waits out a long turn of the
    loop before it is accepted, and must still be served, not refused for a standing accept queue
    (SHED_ACCEPT_WAIT_MS, asn_cli/eventloop.py). Statuses counted by class ("2xx", "503", "error")."""

    def __init__(self, url: str, token: str, per_s: float = 10.0) -> None:
        self.url, self.token, self.per_s = url, token, per_s
        self.counts: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Trickle:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(1 / self.per_s):
            try:  # a client of its own for each request: a new connection each time
                status = httpx.get(
                    self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=10.0, trust_env=False
                ).status_code
                what = "2xx" if 200 <= status < 300 else str(status)
            except httpx.HTTPError:
                what = "error"
            self.counts[what] = self.counts.get(what, 0) + 1

    def line(self) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted(self.counts.items())) or "-"


def cpu_wait(pid: int) -> tuple[float, float, float]:
    """(wall, on-CPU, waiting for a CPU) seconds so far, from /proc/PID/schedstat (the kernel's run delay)."""
    try:
        on_ns, wait_ns, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    except (OSError, ValueError):
        return (time.monotonic(), 0.0, 0.0)
    return (time.monotonic(), int(on_ns) / 1e9, int(wait_ns) / 1e9)


def wait_share(before: tuple[float, float, float], after: tuple[float, float, float]) -> str:
    """Shares of the time between two :func:`cpu_wait` readings the process ran on a CPU and was runnable but
    not running (another process had its CPU: the server could not have answered anything then)."""
    wall = after[0] - before[0]
    if wall <= 0 or after[2] == before[2] == 0.0:
        return "-"
    return f"{100 * (after[1] - before[1]) / wall:.0f} % / {100 * (after[2] - before[2]) / wall:.0f} %"


def run_open_loop(
    host: str, port: int, raw: bytes, rate: float, duration_s: float, connections: int
) -> OpenLoopResult:
    """One open-loop run on uvloop (when installed): ``connections`` 0 is the generator that opens a new
    connection whenever none is idle, -1 the one that opens one for each request, else a fixed pool of that
    many."""
    try:
        import uvloop

        factory: Any = uvloop.new_event_loop
    except ImportError:  # pragma: no cover
        factory = None
    # The generator's own garbage collections were pauses of its loop (its tens of thousands of requests' objects
    # scanned again and again), counted in the latencies of the answers that came meanwhile: none during a run.
    gc.collect()
    gc.disable()
    try:
        with asyncio.Runner(loop_factory=factory) as runner:
            if connections > 0:
                return runner.run(open_loop_pool(host, port, raw, rate, duration_s, connections))
            return runner.run(open_loop(host, port, raw, rate, duration_s, keep_alive=connections == 0))
    finally:
        gc.enable()


def measure_open_loop(
    args: argparse.Namespace, dataset: datagen.Dataset, workdir: Path
) -> tuple[str, dict[str, float]]:
    """kinerja's point read direct: capacity by wrk (closed loop), then a fixed arrival rate of twice that."""
    from asn_cli.seed import bootstrap, create_admin

    async def accounts() -> None:
        await bootstrap(dataset.database_url, SECRETS)
        await create_admin(dataset.database_url, ADMIN_USER, ADMIN_PASSWORD)

    asyncio.run(accounts())
    rows: list[list[object]] = []
    closed: list[list[object]] = []
    figures: dict[str, float] = {}
    with stack(
        dataset.database_url,
        workdir,
        dataset.data_dir,
        workers=args.workers,
        max_in_flight=args.max_in_flight,
        shed_lag_ms=args.shed_lag_ms,
        serve_loop=args.loop,
        shed_new_connections=None if args.shed_new_connections is None else args.shed_new_connections == "on",
        shed_accept_wait_ms=args.shed_accept_wait_ms,
    ) as s:
        token = login(s.url("gateway"))
        via_gateway = args.via == "gateway"
        # Straight to kinerja, or through the gateway's /kinerja route (its upstream pool and bounded wait).
        entry = s.apps["gateway"] if via_gateway else s.apps["kinerja"]
        base = entry.url + ("/kinerja" if via_gateway else "")
        port = entry.port
        nip = dataset.sample_nips[0]
        path = f"/v1/employees/{nip}"
        request_path = ("/kinerja" if via_gateway else "") + path
        raw = (
            f"GET {request_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
        ).encode()
        # Warm-up, not recorded: the first seconds after start-up (statement caches, first connections to
        # the database) made the 64-connection run, which sets the open loop's rate, slower and its tail longer.
        subprocess.run(
            ["wrk", "-t1", "-c64", "-d2s", "-H", f"Authorization: Bearer {token}", f"{base}{path}"],
            check=True, capture_output=True,
        )  # fmt: skip
        kinerja_pid = s.apps["kinerja"].popen.pid
        for conns in (64, 256):
            settle(s.url("kinerja"))
            before = cpu_wait(kinerja_pid)
            with Trickle(f"{base}{path}", token) as trickle:
                out = subprocess.run(
                    ["wrk", "-t1", f"-c{conns}", f"-d{args.duration:g}s", "--latency", "-H",
                     f"Authorization: Bearer {token}", f"{base}{path}"],
                    check=True, capture_output=True, text=True,
                ).stdout  # fmt: skip
            r = parse_wrk(out)
            closed.append([conns, f"{r.rps:,.0f}", f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}",
                           f"{r.p99_ms / max(r.p50_ms, 0.001):.1f}", r.errors, trickle.line(),
                           wait_share(before, cpu_wait(kinerja_pid))])  # fmt: skip
            figures[f"closed_c{conns}_rps"] = r.rps
            figures[f"closed_c{conns}_errors"] = r.errors
            figures[f"closed_c{conns}_trickle_not_2xx"] = sum(
                v for k, v in trickle.counts.items() if k != "2xx"
            )
            if conns == 64:
                # 2xx only: with a low MAX_IN_FLIGHT most of wrk's requests are fast 503s, and twice *that*
                # rate is far beyond what the app serves (and what this generator can send).
                capacity = r.rps * max(r.requests - r.errors, 0) / max(r.requests, 1)
        reads: list[list[object]] = []
        if args.closed_reads:
            unit, period, opd = dataset.unit_ids[0], dataset.periods[0], dataset.opd_ids[0]
            for name, url, auth in (
                ("kinerja GET /v1/evaluations?unit_id=&period=",
                 f"{s.url('kinerja')}/v1/evaluations?unit_id={unit}&period={period}", True),
                ("kinerja GET /v1/reports/predikat-distribution",
                 f"{s.url('kinerja')}/v1/reports/predikat-distribution?period={period}&unit_id={opd}", True),
                ("pelatihan GET /v1/employees/{nip}/jp", f"{s.url('pelatihan')}/v1/employees/{nip}/jp?year=2026", True),
                ("publik GET /v1/feed", f"{s.url('publik')}/v1/feed", False),
            ):  # fmt: skip
                headers = ["-H", f"Authorization: Bearer {token}"] if auth else []
                subprocess.run(["wrk", "-t1", "-c64", "-d2s", *headers, url], check=True, capture_output=True)
                for conns in (64, 256):
                    settle(url)  # the service this read goes to: wrk left requests in flight there
                    r = parse_wrk(subprocess.run(
                        ["wrk", "-t1", f"-c{conns}", f"-d{args.duration:g}s", "--latency", *headers, url],
                        check=True, capture_output=True, text=True,
                    ).stdout)  # fmt: skip
                    reads.append([name, conns, f"{r.rps:,.0f}", f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}",
                                  f"{r.p99_ms / max(r.p50_ms, 0.001):.1f}", r.errors])  # fmt: skip
                    figures[f"closed_read{len(reads)}_errors"] = r.errors
                settle(url)
        for pool in args.open_loop_connections:
            for factor in (1.0, 2.0):
                settle(s.url("kinerja"))
                before = cpu_wait(kinerja_pid)
                res = run_open_loop("127.0.0.1", port, raw, factor * capacity, args.duration, pool)
                label = {0: "new when none idle", -1: "new for each request"}.get(pool, f"pool {pool}")
                rows.append([label, f"{factor:g}x", *res.line(), wait_share(before, cpu_wait(kinerja_pid))])
                key = f"open_p{pool}_{factor:g}x"
                figures[f"{key}_refused"] = len(res.refused_ms)
                figures[f"{key}_ok"] = len(res.ok_ms)
                figures[f"{key}_timeouts"] = sum(res.other.values())
        counted: dict[str, float] = {}
        for app in ("kinerja", "gateway") if via_gateway else ("kinerja",):
            metrics = ""
            for _ in range(3):  # the process may still be working off the last run's backlog
                with contextlib.suppress(httpx.HTTPError):
                    metrics = httpx.get(s.url(app) + "/metrics", timeout=20.0, trust_env=False).text
                    break
            for m in re.finditer(
                r'^asn_admission_refused_total\{reason="(\w+)"\} ([\d.e+]+)$', metrics, re.M
            ):
                key = m.group(1) if app == "kinerja" else f"{app} {m.group(1)}"
                counted[key] = counted.get(key, 0.0) + float(m.group(2))
    text = (
        "Closed loop (wrk, one thread, the same point read):\n\n"
        + table(
            [
                "connections",
                "req/s",
                "p50 ms",
                "p99 ms",
                "p99/p50",
                "non-2xx + timeouts",
                "a new connection 10 times a second meanwhile",
                "kinerja on a CPU / waiting for one",
            ],
            closed,
        )
        + (
            "\n\nClosed loop on the other reads of the mix (wrk, one thread, straight to each service, one URL each):\n\n"
            + table(
                ["read", "connections", "req/s", "p50 ms", "p99 ms", "p99/p50", "non-2xx + timeouts"], reads
            )
            if reads
            else ""
        )
        + f"\n\nOpen loop at the measured capacity ({capacity:,.0f} 2xx/s at 64 connections) and twice it:\n\n"
        + table(
            [
                "connections",
                "rate",
                "req/s offered",
                "sent",
                "2xx",
                "2xx p50 ms",
                "2xx p99 ms",
                "2xx p99/p50",
                "429/503",
                "with Retry-After",
                "refused p50 ms",
                "refused p99 ms",
                "refused max ms",
                "refused within 50 ms",
                "of being sent",
                "sent late p50 / p99 ms",
                "other",
                "kinerja on a CPU / waiting for one",
            ],
            rows,
        )
        + f"\n\n/metrics after the runs (kinerja's; the gateway's prefixed): asn_admission_refused_total {json.dumps(counted)}"
    )
    return text, figures


def open_loop_main(args: argparse.Namespace) -> int:
    """``--open-loop``: only the overload runs; writes the ``overload`` section."""
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="asn-bench-open-"))
    try:
        with postgres_server() as server_url:
            if args.database_url:
                dataset = datagen.Dataset(server_url, args.database_url, Path(args.data_dir or workdir), 0, 0)
                asyncio.run(datagen.sample(dataset))
                owned = False
            else:
                dataset = asyncio.run(
                    datagen.create(server_url, data_dir=workdir / "publik-data", verbose=False)
                )
                owned = True
            try:
                text, figures = measure_open_loop(args, dataset, workdir)
            finally:
                if owned:
                    asyncio.run(drop_database(server_url, dataset.database_url))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(text, f"(took {time.perf_counter() - started:.0f} s)", sep="\n\n")
    if not args.no_write:
        via = " through the gateway" if args.via == "gateway" else ""
        write_section(
            "overload-gateway" if args.via == "gateway" else "overload",
            f"""## Overload: kinerja's point read{via} at 64 and 256 connections, and an open loop at twice capacity

Command: `{command_line()}` ({args.duration:g} s per run; the stack of bench.mixed_load, {args.workers} uvicorn
worker(s) per app on the {args.loop} event loop, MAX_IN_FLIGHT {args.max_in_flight or "default"}, SHED_LOOP_LAG_MS {"default" if args.shed_lag_ms is None else f"{args.shed_lag_ms:g}"}, SHED_NEW_CONNECTIONS {args.shed_new_connections or "default"}, SHED_ACCEPT_WAIT_MS {"default" if args.shed_accept_wait_ms is None else f"{args.shed_accept_wait_ms:g}"}, admin token; the open loop is this script's own generator: a fixed arrival rate, each latency counted from the
request's scheduled time, either on a new connection whenever none is idle ("new when none idle"), on a new
connection for each request, closed after its answer ("new for each request", a client without a session), or on a fixed
pool of keep-alive connections opened before the clock starts ("pool N"; a request waits for a free one). Admission in front of
kinerja's pool (services/common/admission.py, defaults: {AppSettingsDefaults.text()}) refuses what cannot be
served soon with 503 + Retry-After at once. The generator runs on uvloop with its own garbage collector off during
a run (its pauses were counted in every latency it took). "refused within 50 ms" counts from each request's scheduled time;
"of being sent" from the moment the generator sent it (on the new connection generator, began to connect): the
server's part, without the generator's own lateness ("sent late"). Machine: {machine()} (shared with other jobs:
compare within the run).

{text}

<!-- figures: {json.dumps({k: round(v, 3) for k, v in figures.items()})} -->
""",
        )
    return 0


class AppSettingsDefaults:
    """The admission defaults, as the docs name them."""

    @staticmethod
    def text() -> str:
        from services.common.settings import AppSettings

        d = AppSettings()
        return (
            f"{d.db_pool_size} in flight = DB_POOL_SIZE, queue DB_ADMISSION_QUEUE={d.db_admission_queue}, "
            f"DB_ADMISSION_MAX_WAIT_S={d.db_admission_max_wait_s:g}"
        )


if __name__ == "__main__":
    sys.exit(main())
