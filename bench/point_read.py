"""Point read: one employee by NIP from kinerja, against the same query on the raw asyncpg driver.

In one run, on the province-scale dataset (bench.datagen, or a kept one with ``--database-url``), as real
uvicorn processes on free loopback ports:

- ``kinerja``  — ``GET /v1/employees/{nip}`` of the real app (``asn serve kinerja``: one worker, log level
  WARNING), with an admin token it verifies on every request (RS256, a key it is configured to trust);
- ``raw``      — a tiny pure-ASGI app in this file: one ``SELECT`` of the same columns by primary key on an
  asyncpg pool of the same size (``db_pool_size`` + ``db_max_overflow``), JSON out with the same ETag;
- ``raw+auth`` — the same, plus the same token check kinerja does (``services.common.auth``: RS256, verified
  tokens cached until they expire), to show how much of the difference is authentication rather than the
  framework and the ORM.

Experiments (``--no-experiments`` skips them): kinerja as it was before the point-read fixes (engine with
``pool_pre_ping``, every token verified again), kinerja with only the token cache off, and the raw app with
the ORM session's own round trips (BEGIN ... COMMIT around the SELECT).

wrk (one thread, 64 connections) requests a random NIP of 1,000 per request (Lua); the servers run
interleaved, round by round, and the ratio is the median of the per-round ratios. Writes the
``point-read`` section of docs/benchmarks.md and rebuilds the ``targets`` section.

    .venv/bin/python -m bench.point_read [--duration 5] [--rounds 3] [--connections 64]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg

from bench import datagen
from bench._util import (
    ROOT,
    LoadResult,
    command_line,
    cpu_seconds,
    free_port,
    machine,
    parse_wrk,
    settle,
    table,
    wait_for_port,
    write_section,
)
from bench.targets import write_targets
from tests.support.fixtures import Tokens, drop_database, new_signer, plain_dsn, postgres_server

SECTION = "point-read"
COLUMNS = "nip, name, unit_id, position, position_type, rank, employment, supervisor_nip, active, version"


def raw_app(with_auth: bool, orm_trips: bool = False) -> Any:
    """The raw-driver app: pure ASGI, one asyncpg pool, one SELECT per request. ``orm_trips`` adds the round
    trips the app's SQLAlchemy session makes around that SELECT (BEGIN ... COMMIT; the engine's pre-ping is
    off by default now), to show what they cost on their own."""
    from services.common.auth import StaticKeySource, TokenVerifier
    from tests.support.fixtures import AUDIENCE, ISSUER

    holder: dict[str, Any] = {}
    pool_size = int(os.environ.get("BENCH_POOL_SIZE", "20"))

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    holder["pool"] = await asyncpg.create_pool(
                        os.environ["BENCH_DSN"], min_size=pool_size, max_size=pool_size
                    )
                    if with_auth:
                        keys = StaticKeySource.from_pems(os.environ["KINERJA_JWT_PUBLIC_KEYS_PEM"])
                        holder["verifier"] = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE)
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await holder["pool"].close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        if with_auth:
            headers = dict(scope["headers"])
            token = headers.get(b"authorization", b"").removeprefix(b"Bearer ").decode()
            await holder["verifier"].verify(token)
        nip = scope["path"].rsplit("/", 1)[-1]
        query = f"SELECT {COLUMNS} FROM kinerja.employee WHERE nip = $1"
        if orm_trips:
            async with holder["pool"].acquire() as conn, conn.transaction():
                row = await conn.fetchrow(query, nip)
        else:
            row = await holder["pool"].fetchrow(query, nip)
        if row is None:
            body, status, etag = b'{"title":"Not Found"}', 404, b'""'
        else:
            data = dict(row)
            etag = f'"{data.pop("version")}"'.encode()
            data["unit_id"] = str(data["unit_id"])
            body, status = json.dumps(data, separators=(",", ":")).encode(), 200
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"etag", etag)],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def raw_factory() -> Any:
    """For ``uvicorn --factory``."""
    return raw_app(with_auth=False)


def raw_auth_factory() -> Any:
    """For ``uvicorn --factory``: with the token check."""
    return raw_app(with_auth=True)


def raw_trips_factory() -> Any:
    """For ``uvicorn --factory``: with the session's extra round trips."""
    return raw_app(with_auth=False, orm_trips=True)


def kinerja_experiment_factory() -> Any:
    """kinerja with a bench-only patch (nothing in the app's code changes): ``BENCH_NO_TOKEN_CACHE`` verifies
    every token again (RS256 on every request, as before verified tokens were cached). The engine's
    pre-ping needs no patch: ``KINERJA_DB_POOL_PRE_PING=true`` turns it back on."""
    from services.common.auth import Principal, TokenVerifier
    from services.kinerja_api.main import create_app

    if os.environ.get("BENCH_NO_TOKEN_CACHE"):

        async def uncached(self: TokenVerifier, token: str) -> Principal:
            principal, _kid = await self._verify(token)
            return principal

        TokenVerifier._verify_cached = uncached  # type: ignore[method-assign]
    return create_app()


@contextlib.contextmanager
def server(args: list[str], port: int, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """One server process; waits until it listens; always stopped."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            try:
                wait_for_port(port, timeout_s=40)
            except TimeoutError:
                raise RuntimeError(log.read_text(errors="replace")[-2000:]) from None
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wrk_script(url: str, script: Path, connections: int, duration_s: float) -> LoadResult:
    """One wrk run with a Lua script (one thread: the servers need the other core)."""
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(duration_s))}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    settle(url)  # the requests wrk left in flight are answered before the next run starts
    return parse_wrk(out)


def measure(
    args: argparse.Namespace, dataset: datagen.Dataset, workdir: Path
) -> tuple[dict[str, list[LoadResult]], dict[str, list[float]]]:
    """Start kinerja and the raw apps, then run wrk on each, interleaved."""
    from services.common.settings import AppSettings

    tokens = Tokens(new_signer())
    defaults = AppSettings()
    pool = defaults.db_pool_size + defaults.db_max_overflow
    script = workdir / "point.lua"
    nips = ", ".join(f'"{n}"' for n in dataset.sample_nips)
    script.write_text(
        f"local nips = {{{nips}}}\n"
        f'wrk.headers["Authorization"] = "{tokens.admin()["Authorization"]}"\n'
        "request = function()\n"
        '  return wrk.format("GET", "/v1/employees/" .. nips[math.random(#nips)])\n'
        "end\n"
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KINERJA_", "PELATIHAN_", "PUBLIK_", "GATEWAY_"))
    }
    kinerja_env = {
        **base,
        "KINERJA_DATABASE_URL": dataset.database_url,
        "KINERJA_JWT_PUBLIC_KEYS_PEM": tokens.signer.public_pem,
        "KINERJA_ENVIRONMENT": "test",
        "KINERJA_LOG_LEVEL": "WARNING",
        "KINERJA_OUTBOX_ENABLED": "false",
    }
    raw_env = {**kinerja_env, "BENCH_DSN": plain_dsn(dataset.database_url), "BENCH_POOL_SIZE": str(pool)}
    names = ["kinerja", "raw", "raw+auth"]
    if args.experiments:
        names += ["kinerja-before", "kinerja-nocache", "raw-orm-trips"]
    ports = {name: free_port() for name in names}
    uvicorn = [
        sys.executable,
        "-m",
        "uvicorn",
        "--host",
        "127.0.0.1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    commands = {
        "kinerja": [
            sys.executable,
            "-m",
            "asn_cli.main",
            "serve",
            "kinerja",
            "--port",
            str(ports["kinerja"]),
        ],
        "raw": [*uvicorn, "--port", str(ports["raw"]), "--factory", "bench.point_read:raw_factory"],
        "raw+auth": [
            *uvicorn,
            "--port",
            str(ports["raw+auth"]),
            "--factory",
            "bench.point_read:raw_auth_factory",
        ],
    }
    experiment = [*uvicorn, "--factory", "bench.point_read:kinerja_experiment_factory", "--port"]
    extra_env: dict[str, dict[str, str]] = {
        "kinerja-before": {"BENCH_NO_TOKEN_CACHE": "1", "KINERJA_DB_POOL_PRE_PING": "true"},
        "kinerja-nocache": {"BENCH_NO_TOKEN_CACHE": "1"},
    }
    if args.experiments:
        commands["kinerja-before"] = [*experiment, str(ports["kinerja-before"])]
        commands["kinerja-nocache"] = [*experiment, str(ports["kinerja-nocache"])]
        commands["raw-orm-trips"] = [
            *uvicorn,
            "--port",
            str(ports["raw-orm-trips"]),
            "--factory",
            "bench.point_read:raw_trips_factory",
        ]
    results: dict[str, list[LoadResult]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    pids: dict[str, int] = {}
    with contextlib.ExitStack() as stack:
        for name, cmd in commands.items():
            env = {**(raw_env if name.startswith("raw") else kinerja_env), **extra_env.get(name, {})}
            pids[name] = stack.enter_context(server(cmd, ports[name], env, workdir / f"{name}.log")).pid
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for url in urls.values():
            wrk_script(url, script, args.connections, 1)  # warm-up
            if wrk_script(url, script, 1, 1).errors:
                raise RuntimeError(f"{url} answers errors; see {workdir}")
        for n in range(1, args.rounds + 1):
            for name, url in urls.items():
                before = cpu_seconds(pids[name])
                r = wrk_script(url, script, args.connections, args.duration)
                # CPU per request of the server process: far steadier than req/s on a busy shared machine.
                cpu[name].append((cpu_seconds(pids[name]) - before) * 1000 / max(1, r.requests))
                results[name].append(r)
                print(
                    f"round {n} {name:>9}: {r.rps:8,.0f} req/s  p50 {r.p50_ms:7.2f} ms  "
                    f"p99 {r.p99_ms:7.2f} ms  errors {r.errors}  cpu {cpu[name][-1]:.3f} ms/req",
                    flush=True,
                )
    return results, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--database-url", help="a database kept by bench.datagen --keep (else one is generated)"
    )
    parser.add_argument(
        "--no-experiments",
        dest="experiments",
        action="store_false",
        help="skip the bench-only variants (kinerja before the fixes / without the token cache, raw with the ORM's trips)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="asn-bench-point-"))
    try:
        with postgres_server() as server_url:
            owned = not args.database_url
            if args.database_url:
                dataset = datagen.Dataset(server_url, args.database_url, workdir, 0, 0)
                asyncio.run(datagen.sample(dataset))
            else:
                dataset = asyncio.run(datagen.create(server_url, data_dir=workdir / "publik", verbose=False))
            try:
                results, cpu = measure(args, dataset, workdir)
            finally:
                if owned:
                    asyncio.run(drop_database(server_url, dataset.database_url))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    ratios = {
        name: statistics.median(a.rps / b.rps for a, b in zip(results[name], results["raw"], strict=True))
        for name in results
    }
    labels = {
        "kinerja": "kinerja GET /v1/employees/{nip} (FastAPI, token check, SQLAlchemy ORM)",
        "raw": "raw asyncpg, pure ASGI, same query (no token check)",
        "raw+auth": "raw asyncpg + the same token check (cached)",
        "kinerja-before": "experiment: kinerja before the fixes (pre-ping on, no token cache)",
        "kinerja-nocache": "experiment: kinerja without the verified-token cache",
        "raw-orm-trips": "experiment: raw + the session's round trips (BEGIN/COMMIT)",
    }
    rows = []
    for name, runs in results.items():
        m = sorted(runs, key=lambda r: r.rps)[len(runs) // 2]
        cpu_ms = statistics.median(cpu[name])
        rows.append([labels[name], f"{m.rps:,.0f}", f"{m.p50_ms:.2f}", f"{m.p99_ms:.2f}", f"{ratios[name]:.2f}",
                     f"{cpu_ms:.3f}", f"{statistics.median(cpu['raw']) / cpu_ms:.2f}",
                     sum(r.errors for r in runs)])  # fmt: skip
    text = table(
        [
            "server",
            "req/s",
            "p50 ms",
            "p99 ms",
            "ratio to raw",
            "server CPU ms/req",
            "CPU ratio to raw",
            "errors",
        ],
        rows,
    )
    ratio = ratios["kinerja"]
    verdict = "met" if ratio >= 0.6 else "NOT met"
    took = time.perf_counter() - started
    print(text, f"target: point read >= 0.60 of raw -> {ratio:.2f} ({verdict}); took {took:.0f} s", sep="\n")
    if not args.no_write:
        from services.common.settings import AppSettings

        defaults = AppSettings()
        pool = defaults.db_pool_size + defaults.db_max_overflow
        med = {n: statistics.median(r.rps for r in runs) for n, runs in results.items()}
        figures = {
            "ratio": ratio,
            "app_rps": med["kinerja"],
            "raw_rps": med["raw"],
            "auth_ratio": ratios["raw+auth"],
        }
        write_section(
            SECTION,
            f"""## Point read: one employee by NIP, app vs raw driver

Command: `{command_line()}` (wrk, one thread, {args.connections} connections, a random NIP of 1,000 per
request; {args.rounds} interleaved rounds of {args.duration:g} s after a warm-up; ratio = median of per-round
ratios). Dataset: bench.datagen province scale (50,000 employees). One uvicorn process per server, log level
WARNING; the raw apps use an asyncpg pool of {pool} connections (kinerja's `db_pool_size` + `db_max_overflow`).
Machine: {machine()}.

{text}

**Point read: {ratio:.2f} of the raw driver** (target 0.60: {verdict}).

Since the last figures kinerja caches verified tokens (`TokenVerifier`) and its engine no longer pre-pings a
pooled connection before each checkout (`db_pool_pre_ping`, off by default). The experiment rows, when present,
measure the same app with those fixes undone in the same rounds: "before the fixes" turns the pre-ping back on
(`KINERJA_DB_POOL_PRE_PING=true`) and verifies every token again; "without the verified-token cache" only the
latter.

"server CPU ms/req" is the server process's user+system CPU time during its wrk runs divided by the requests
answered (from /proc; PostgreSQL's own CPU is not in it); "CPU ratio to raw" is raw's CPU per request divided
by this one's, a throughput ratio that a busy shared machine disturbs much less than req/s. "errors" are
non-2xx answers (503 when a request waited longer than `db_pool_timeout_s` for a pooled connection) plus
wrk timeouts (2 s).

<!-- figures: {json.dumps({k: round(v, 4) for k, v in figures.items()})} -->
""",
        )
        write_targets()
    return 0


if __name__ == "__main__":
    sys.exit(main())
