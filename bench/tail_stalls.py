"""Where the closed loop's tail comes from: when the slow requests happen, and whether kinerja had a CPU then.

Starts the bench.mixed_load stack on a kept dataset (``bench.datagen --keep``), then drives kinerja's
``GET /v1/whoami`` (token check, no database) and ``GET /healthz`` (no token) with a closed loop of
``--connections`` keep-alive connections (uvloop, bench.mixed_load's connection), recording each request's
completion time and latency, while a thread reads kinerja's ``/proc/PID/schedstat`` (time on a CPU, time
runnable but waiting for one), and the client's own event loop's, every 5 ms. It prints p50/p99, the slow
requests (over 3x the median) grouped into episodes (completions less than 20 ms apart), and for each episode
the share of its wall time kinerja and the client spent on a CPU and waiting for one. An in-process stall (a
collection, a poller, a blocking call) shows as an episode with kinerja *on* a CPU; a descheduled process as
one where it waited for a CPU; a starved load generator as one where the client waited.

``--path`` drives other paths instead (repeatable; ``{unit}`` in a path becomes the unit with the most 2026-Q1
results, the largest page of the evaluation list). ``--wrk`` follows each closed-loop run with wrk on the same
path, connections and duration (``--timeout 10s``, so a slow request is measured, not cut off at wrk's default 2 s
and counted as a timeout), ``--rounds`` times, and after each wrk run waits until kinerja answers ``/healthz``
promptly and the machine is idle (wrk leaves a request in flight on every connection; bench._util.settle);
``--overlap`` does not wait, so the next closed loop opens its connections while the app still answers them. Each
closed loop also reports how long each connection's first request took from its connect: a connection the app is
slow to accept shows there (asn_cli/eventloop.py; ``--loop uvloop`` runs the apps on uvloop's own accept, one
connection per turn). For each run it also prints how many answers kinerja itself timed over 1 s (its
``asn_http_request_duration_seconds`` histogram, from the outermost Starlette middleware to the last byte handed to
the transport): a client's slow requests that the app did not time as slow waited outside that span.

Prints only (docs/benchmarks.md quotes it by hand):

    .venv/bin/python -m bench.tail_stalls --database-url URL --data-dir DIR [--connections 64] [--duration 5]
        [--path '/v1/evaluations?unit_id={unit}&period=2026-Q1' --connections 256 --wrk --rounds 4 [--overlap]]
        [--loop uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import asyncpg
import httpx

from bench import datagen
from bench._util import parse_wrk, settle
from bench.mixed_load import ADMIN_PASSWORD, ADMIN_USER, SECRETS, _Conn, login, stack
from tests.support.fixtures import plain_dsn, postgres_server

# seconds since start, then ms on a CPU and ms waiting for one: kinerja's, then this client's event loop's
Sample = tuple[float, float, float, float, float]


def _schedstat(path: str) -> tuple[float, float]:
    on_ns, wait_ns, _ = Path(path).read_text().split()
    return int(on_ns) / 1e6, int(wait_ns) / 1e6


def _sampler(pid: int, out: list[Sample], stop: threading.Event, t0: float) -> None:
    # The client's own main thread (the event loop): a starved load generator reads its answers late.
    client = f"/proc/{os.getpid()}/task/{threading.main_thread().native_id}/schedstat"
    while not stop.is_set():
        out.append((time.perf_counter() - t0, *_schedstat(f"/proc/{pid}/schedstat"), *_schedstat(client)))
        time.sleep(0.005)


async def closed_loop(
    port: int, raw: bytes, connections: int, duration_s: float, pid: int
) -> tuple[list[tuple[float, float]], list[Sample], list[float]]:
    """(completion s since start, latency ms) per request, kinerja's schedstat samples, and the latency (ms,
    from the connect) of each connection's first request."""
    loop = asyncio.get_running_loop()
    done: list[tuple[float, float]] = []
    sched: list[Sample] = []
    firsts: list[float] = []
    t0 = time.perf_counter()
    end = t0 + duration_s
    stop = threading.Event()
    thread = threading.Thread(target=_sampler, args=(pid, sched, stop, t0))
    thread.start()

    async def worker() -> None:
        connecting = time.perf_counter()
        _, conn = await loop.create_connection(_Conn, "127.0.0.1", port)
        while time.perf_counter() < end:
            started = time.perf_counter()
            await conn.send(raw)
            now = time.perf_counter()
            done.append((now - t0, (now - started) * 1000))
            if connecting:
                firsts.append((now - connecting) * 1000)
                connecting = 0.0
        conn.close()

    try:
        await asyncio.gather(*(worker() for _ in range(connections)))
    finally:
        stop.set()
        thread.join()
    return done, sched, firsts


def share(sched: list[Sample], a: float, b: float) -> str:
    """kinerja's and the client's shares of [a, b] on a CPU and waiting for one."""
    pts = [s for s in sched if a <= s[0] <= b]
    if len(pts) < 2:
        return "-"
    wall = (pts[-1][0] - pts[0][0]) * 1000
    first, last = pts[0], pts[-1]
    return (
        f"kinerja on a CPU {100 * (last[1] - first[1]) / wall:.0f} %, "
        f"waiting for one {100 * (last[2] - first[2]) / wall:.0f} %; "
        f"client on a CPU {100 * (last[3] - first[3]) / wall:.0f} %, "
        f"waiting for one {100 * (last[4] - first[4]) / wall:.0f} %"
    )


def report(label: str, done: list[tuple[float, float]], sched: list[Sample], firsts: list[float]) -> None:
    lat = sorted(ms for _, ms in done)
    p50, p99 = lat[len(lat) // 2], lat[int(len(lat) * 0.99)]
    slow = sorted((t, ms) for t, ms in done if ms > 3 * p50)
    episodes: list[list[float]] = []  # first completion, last completion, count, worst ms
    for t, ms in slow:
        if episodes and t - episodes[-1][1] < 0.02:
            episodes[-1][1] = t
            episodes[-1][2] += 1
            episodes[-1][3] = max(episodes[-1][3], ms)
        else:
            episodes.append([t, t, 1, ms])
    print(
        f"{label}: {len(lat)} requests, {len(lat) / done[-1][0]:,.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms "
        f"(p99/p50 {p99 / p50:.1f}), max {lat[-1]:.0f} ms; {len(slow)} over 3x p50 in {len(episodes)} episodes; "
        f"whole run: {share(sched, 0, 1e9)}"
    )
    print(
        f"  each connection's first request (from its connect): median {sorted(firsts)[len(firsts) // 2]:.0f} ms, "
        f"max {max(firsts):.0f} ms, {sum(ms > 1000 for ms in firsts)} of {len(firsts)} over 1 s"
    )
    for first, last, n, worst in episodes:
        since = first - worst / 1000
        print(
            f"  {first:6.3f}-{last:6.3f} s: {n:4.0f} slow, worst {worst:4.0f} ms; {share(sched, since, last)}"
        )


def app_timed_over_1s(base: str, token: str) -> int:
    """Answers kinerja has timed so far, all routes: the total minus those within 1 s."""
    text = httpx.get(
        base + "/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=30.0, trust_env=False
    ).text
    total = within = 0.0
    for line in text.splitlines():
        if line.startswith("asn_http_request_duration_seconds_count"):
            total += float(line.rsplit(" ", 1)[1])
        elif line.startswith("asn_http_request_duration_seconds_bucket") and 'le="1.0"' in line:
            within += float(line.rsplit(" ", 1)[1])
    return round(total - within)


def wrk_run(url: str, token: str, connections: int, duration_s: float, *, settled: bool = True) -> str:
    """wrk's req/s, p50, p99 and errors (bench._util.parse_wrk) and its max, with a 10 s timeout."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration_s))}s", "--timeout", "10s", "--latency",
         "-H", f"Authorization: Bearer {token}", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    if settled:
        settle(url)  # the requests wrk left in flight are answered before the next run starts
    result = parse_wrk(out)
    latency = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out)  # the max, which parse_wrk does not read
    return (
        f"{result.rps:,.0f} req/s, p50 {result.p50_ms:.0f} ms, p99 {result.p99_ms:.0f} ms, "
        f"max {latency.group(1) if latency else '?'}, errors (non-2xx and socket) {result.errors}"
    )


async def largest_unit(database_url: str) -> str:
    """The unit with the most 2026-Q1 results (the evaluation list's largest page set)."""
    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        return str(
            await conn.fetchval(
                "SELECT unit_id FROM kinerja.evaluation WHERE period = '2026-Q1' GROUP BY unit_id"
                " ORDER BY count(*) DESC LIMIT 1"
            )
        )
    finally:
        await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="a database kept by bench.datagen --keep")
    parser.add_argument("--data-dir", required=True, help="the PUBLIK_DATA_DIR datagen printed")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument(
        "--path", action="append", help="path to drive (repeatable; {unit}: the largest unit)"
    )
    parser.add_argument("--wrk", action="store_true", help="follow each run with wrk on the same path")
    parser.add_argument("--rounds", type=int, default=1, help="closed loop (and wrk) runs per path")
    parser.add_argument(
        "--overlap",
        action="store_true",
        help="with --wrk: start the next closed loop at once, while the requests wrk left in flight are still "
        "answered (how the 256-connection tail was found: its new connections waited to be accepted)",
    )
    parser.add_argument(
        "--loop",
        choices=("eager", "uvloop"),
        default="eager",
        help="the apps' event loop (ASN_SERVE_LOOP): eager accepts every waiting connection per turn, uvloop one",
    )
    args = parser.parse_args()
    import uvloop

    from asn_cli.seed import bootstrap, create_admin

    async def accounts() -> None:
        await bootstrap(args.database_url, SECRETS)
        await create_admin(args.database_url, ADMIN_USER, ADMIN_PASSWORD)

    workdir = Path(tempfile.mkdtemp(prefix="asn-bench-tail-"))
    try:
        with postgres_server() as server_url:
            dataset = datagen.Dataset(server_url, args.database_url, Path(args.data_dir), 0, 0)
            asyncio.run(accounts())
            with stack(dataset.database_url, workdir, dataset.data_dir, serve_loop=args.loop) as s:
                token = login(s.url("gateway"))
                kinerja = s.apps["kinerja"]
                base = s.url("kinerja")
                unit = asyncio.run(largest_unit(dataset.database_url))
                for path in [p.replace("{unit}", unit) for p in args.path or ["/v1/whoami", "/healthz"]]:
                    raw = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
                    uvloop.run(
                        closed_loop(kinerja.port, raw.encode(), args.connections, 2.0, kinerja.popen.pid)
                    )
                    for n in range(1, args.rounds + 1):
                        before = app_timed_over_1s(base, token)
                        done, sched, firsts = uvloop.run(
                            closed_loop(
                                kinerja.port, raw.encode(), args.connections, args.duration, kinerja.popen.pid
                            )
                        )
                        report(f"round {n} GET {path}", done, sched, firsts)
                        print(f"  kinerja timed {app_timed_over_1s(base, token) - before} answers over 1 s")
                        if args.wrk:
                            before = app_timed_over_1s(base, token)
                            line = wrk_run(
                                base + path, token, args.connections, args.duration, settled=not args.overlap
                            )
                            after = app_timed_over_1s(base, token)
                            print(f"round {n} wrk: {line}; kinerja timed {after - before} answers over 1 s")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
