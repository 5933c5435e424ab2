"""Where the closed loop's tail comes from: when the slow requests happen, and whether kinerja had a CPU then.

Starts the bench.mixed_load stack on a kept dataset (``bench.datagen --keep``), then drives kinerja's
``GET /v1/whoami`` (token check, no database) and ``GET /healthz`` (no token) with a closed loop of
``--connections`` keep-alive connections (uvloop, bench.mixed_load's connection), recording each request's
completion time and latency, while a thread reads kinerja's ``/proc/PID/schedstat`` (time on a CPU, time
runnable but waiting for one) every 5 ms. It prints p50/p99, the slow requests (over 3x the median)
grouped into episodes (completions less than 20 ms apart), and for each episode the share of its wall time
kinerja spent on a CPU and waiting for one. An in-process stall (a collection, a poller, a blocking call)
shows as an episode with kinerja *on* a CPU; a descheduled process as one where it waited for a CPU.

Prints only (docs/benchmarks.md quotes it by hand):

    .venv/bin/python -m bench.tail_stalls --database-url URL --data-dir DIR [--connections 64] [--duration 5]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import datagen
from bench.mixed_load import ADMIN_PASSWORD, ADMIN_USER, SECRETS, _Conn, login, stack
from tests.support.fixtures import postgres_server

Sample = tuple[float, float, float]  # seconds since start, ms on a CPU, ms waiting for one


def _sampler(pid: int, out: list[Sample], stop: threading.Event, t0: float) -> None:
    while not stop.is_set():
        on_ns, wait_ns, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
        out.append((time.perf_counter() - t0, int(on_ns) / 1e6, int(wait_ns) / 1e6))
        time.sleep(0.005)


async def closed_loop(
    port: int, raw: bytes, connections: int, duration_s: float, pid: int
) -> tuple[list[tuple[float, float]], list[Sample]]:
    """(completion s since start, latency ms) per request, and kinerja's schedstat samples."""
    loop = asyncio.get_running_loop()
    done: list[tuple[float, float]] = []
    sched: list[Sample] = []
    t0 = time.perf_counter()
    end = t0 + duration_s
    stop = threading.Event()
    thread = threading.Thread(target=_sampler, args=(pid, sched, stop, t0))
    thread.start()

    async def worker() -> None:
        _, conn = await loop.create_connection(_Conn, "127.0.0.1", port)
        while time.perf_counter() < end:
            started = time.perf_counter()
            await conn.send(raw)
            now = time.perf_counter()
            done.append((now - t0, (now - started) * 1000))
        assert conn.transport is not None
        conn.transport.close()

    try:
        await asyncio.gather(*(worker() for _ in range(connections)))
    finally:
        stop.set()
        thread.join()
    return done, sched


def share(sched: list[Sample], a: float, b: float) -> str:
    """kinerja's share of [a, b] on a CPU and waiting for one."""
    pts = [s for s in sched if a <= s[0] <= b]
    if len(pts) < 2:
        return "-"
    wall = (pts[-1][0] - pts[0][0]) * 1000
    return (
        f"on a CPU {100 * (pts[-1][1] - pts[0][1]) / wall:.0f} %, "
        f"waiting for one {100 * (pts[-1][2] - pts[0][2]) / wall:.0f} %"
    )


def report(label: str, done: list[tuple[float, float]], sched: list[Sample]) -> None:
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
        f"(p99/p50 {p99 / p50:.1f}); {len(slow)} over 3x p50 in {len(episodes)} episodes; "
        f"whole run: {share(sched, 0, 1e9)}"
    )
    for first, last, n, worst in episodes:
        since = first - worst / 1000
        print(
            f"  {first:6.3f}-{last:6.3f} s: {n:4.0f} slow, worst {worst:4.0f} ms; {share(sched, since, last)}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="a database kept by bench.datagen --keep")
    parser.add_argument("--data-dir", required=True, help="the PUBLIK_DATA_DIR datagen printed")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=5.0)
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
            with stack(dataset.database_url, workdir, dataset.data_dir) as s:
                token = login(s.url("gateway"))
                kinerja = s.apps["kinerja"]
                for path in ("/v1/whoami", "/healthz"):
                    raw = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
                    uvloop.run(
                        closed_loop(kinerja.port, raw.encode(), args.connections, 2.0, kinerja.popen.pid)
                    )
                    done, sched = uvloop.run(
                        closed_loop(
                            kinerja.port, raw.encode(), args.connections, args.duration, kinerja.popen.pid
                        )
                    )
                    report(f"GET {path}", done, sched)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
