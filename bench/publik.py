"""publik benchmark: throughput and p50/p99 of the hot public paths, each as a ratio to a bare ASGI
hello-world on the same machine (the ceiling), all as real uvicorn processes on free loopback ports.

Measured directly against publik (the gateway path is measured separately, later):
- GET /v1/feed (served from the pre-rendered cache),
- the same with If-None-Match (304 revalidation),
- GET /v1/units/{id}/scorecard (cached),
- POST /v1/surveys (a database write per request; run last because every survey bumps the cache version).

Run: .venv/bin/python -m bench.publik [--duration 3] [--rounds 3] [--connections 64]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.types import Receive, Scope, Send

from bench._util import ROOT, LoadResult, _ms, free_port, machine, table, wait_for_port, write_section

SECTION = "publik"


async def hello_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ceiling: the smallest useful ASGI app."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"Hello, world!"})


def publik_factory() -> Any:
    """publik_api from the environment (used by ``uvicorn --factory``)."""
    from services.publik_api.main import create_app

    return create_app()


@contextlib.contextmanager
def server(target: str, port: int, env: dict[str, str], factory: bool = False) -> Iterator[None]:
    """One uvicorn process (one worker, uvloop/httptools when installed, no access log)."""
    args = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    args += ["--no-access-log", "--log-level", "warning"] + (["--factory"] if factory else [])
    proc = subprocess.Popen(
        args, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk(
    url: str,
    *,
    connections: int,
    duration_s: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> LoadResult:
    """One wrk run (one thread: the server needs the other core)."""
    import re

    args = ["wrk", "-t1", f"-c{connections}", f"-d{duration_s}s", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    if script is not None:
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors += sum(int(g) for g in sock.groups())
    return LoadResult(rps, p50, p99, requests, errors, "wrk")


def median_of(runs: list[LoadResult]) -> LoadResult:
    """The run with the median throughput (its latencies belong to that same run)."""
    ordered = sorted(runs, key=lambda r: r.rps)
    return ordered[len(ordered) // 2]


async def prepare(data_dir: Path) -> tuple[str, str, dict[str, str]]:
    """A scratch database with publik's schema and demo data; returns (server URL, database URL, unit ids)."""
    from asn_cli.seed import app_session
    from services.common.testing import create_database, migrate_all, postgres_server
    from services.publik_api import demo

    os.environ["PUBLIK_DATA_DIR"] = str(data_dir)
    with postgres_server() as server_url:
        url = await create_database(server_url, prefix="asn_bench_publik")
    await asyncio.to_thread(migrate_all, url, ["publik"])
    context: dict[str, Any] = {}
    async with app_session(url) as session:
        await demo.seed_demo(session, context)
    return server_url, url, context["publik_demo_units"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=3, help="seconds per measured run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per case (the median is reported)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    from services.common.testing import drop_database

    with tempfile.TemporaryDirectory(prefix="asn-bench-publik-") as tmp:
        data_dir = Path(tmp)
        server_url, db_url, units = asyncio.run(prepare(data_dir))
        try:
            rows = run_all(db_url, units, data_dir, args)
        finally:
            asyncio.run(drop_database(server_url, db_url))
    headers = ["case", "req/s", "p50 ms", "p99 ms", "ratio to ceiling", "errors"]
    body_rows = [
        [name, f"{r.rps:,.0f}", f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}", f"{ratio:.2f}", r.errors]
        for name, r, ratio in rows
    ]
    text = table(headers, body_rows)
    print(text)
    feed_ratio = rows[1][2]
    verdict = "met" if feed_ratio >= 0.5 else "NOT met"
    print(f"target: cached GET /v1/feed >= 0.50 of the ceiling -> {feed_ratio:.2f} ({verdict})")
    if not args.no_write:
        write_section(
            SECTION,
            "\n".join(
                [
                    "## publik: cached public reads and surveys (direct)",
                    "",
                    f"Command: `.venv/bin/python -m bench.publik --duration {args.duration} --rounds {args.rounds} "
                    f"--connections {args.connections}` (wrk, one thread, {args.connections} connections; median of "
                    f"{args.rounds} interleaved rounds of {args.duration} s after a 1 s warm-up, ratio = median of "
                    "per-round ratios to that round's ceiling; one uvicorn worker per server, "
                    "access log off, log level warning; demo data).",
                    f"Machine: {machine()}.",
                    "",
                    text,
                    "",
                    f"Target: the cached `GET /v1/feed` served directly reaches at least 50% of the bare-ASGI "
                    f"ceiling: **{feed_ratio:.2f} ({verdict})**. Cached reads are answered by a pure-ASGI layer "
                    "in front of FastAPI's middleware and routing (`services/publik_api/cache/`); "
                    "`POST /v1/surveys` goes through FastAPI, the rate limiter and one transaction per request.",
                    "Through the gateway: not measured here yet (to be added by the gateway benchmark).",
                ]
            ),
        )
    return 0


def run_all(
    db_url: str, units: dict[str, str], data_dir: Path, args: argparse.Namespace
) -> list[tuple[str, LoadResult, float]]:
    """Measure every case; (case, median run, median ratio to the ceiling). The ceiling and the publik
    cases run interleaved, round by round, with both servers up, so a busy shared machine shifts both alike;
    each ratio is taken against the ceiling of its own round."""
    conns, dur, rounds = args.connections, args.duration, args.rounds
    hello_port, port = free_port(), free_port()
    env = {
        "PUBLIK_DATABASE_URL": db_url,
        "PUBLIK_DATA_DIR": str(data_dir),
        "PUBLIK_LOG_LEVEL": "WARNING",
        "PUBLIK_GATEWAY_URL": f"http://127.0.0.1:{free_port()}",
        "PUBLIK_KINERJA_URL": f"http://127.0.0.1:{free_port()}",
        "PUBLIK_SURVEY_RATE_LIMIT": "1000000000",
        "PUBLIK_SURVEY_DEVICE_WINDOW_S": "0",
    }
    base = f"http://127.0.0.1:{port}"
    unit = units["BKD"]
    script = data_dir / "survey.lua"
    body = json.dumps({"unit_id": unit, "answers": [4, 3, 4, 4, 3, 4, 4, 3, 3]})
    script.write_text(
        f'wrk.method = "POST"\nwrk.body = \'{body}\'\nwrk.headers["Content-Type"] = "application/json"\n'
    )
    with (
        server("bench.publik:hello_app", hello_port, {}),
        server("bench.publik:publik_factory", port, env, factory=True),
    ):
        import httpx

        with httpx.Client(trust_env=False) as client:
            etag = client.get(base + "/v1/feed", headers={"Accept-Encoding": "identity"}).headers["etag"]
        cases: list[tuple[str, str, dict[str, Any]]] = [
            ("bare ASGI hello-world (ceiling)", f"http://127.0.0.1:{hello_port}/", {}),
            ("GET /v1/feed (cached)", base + "/v1/feed", {}),
            ("GET /v1/feed, If-None-Match -> 304", base + "/v1/feed", {"headers": {"If-None-Match": etag}}),
            ("GET /v1/units/{id}/scorecard (cached)", f"{base}/v1/units/{unit}/scorecard", {}),
        ]
        for _, url, kw in cases:
            wrk(url, connections=conns, duration_s=1, **kw)  # warm-up (and the cache's first render)
        runs: dict[str, list[tuple[LoadResult, float]]] = {name: [] for name, _, _ in cases}
        for _ in range(rounds):
            ceiling = wrk(cases[0][1], connections=conns, duration_s=dur)
            runs[cases[0][0]].append((ceiling, 1.0))
            for name, url, kw in cases[1:]:
                r = wrk(url, connections=conns, duration_s=dur, **kw)
                runs[name].append((r, r.rps / ceiling.rps))
        # Surveys last: each one changes what is public, so the read caches rebuild while they run.
        surveys = []
        for _ in range(rounds):
            ceiling = wrk(cases[0][1], connections=conns, duration_s=dur)
            r = wrk(base + "/v1/surveys", connections=conns, duration_s=dur, script=script)
            surveys.append((r, r.rps / ceiling.rps))
        runs["POST /v1/surveys"] = surveys
    out = []
    for name, measured in runs.items():
        median_run = median_of([r for r, _ in measured])
        out.append((name, median_run, statistics.median(ratio for _, ratio in measured)))
    return out


if __name__ == "__main__":
    sys.exit(main())
