"""Hot reads of kinerja relative to the same app's ``GET /v1/whoami``, direct and through the gateway (issue 21).

In one run, on the province-scale dataset (bench.datagen, or a kept one with ``--database-url`` and
``--data-dir``), the four apps as real processes (``asn serve``, one uvicorn worker each unless ``--workers``),
as a **pegawai** who supervises a team (an account created for a generated supervisor, logged in through the
gateway's ``/auth/token``):

- ``whoami``       — ``GET /v1/whoami``: middleware + token check, no database (the framework's cost);
- ``employee``     — ``GET /v1/employees/{own nip}`` (the point read);
- ``team``         — ``GET /v1/employees/{nip}`` of each of the pegawai's direct reports in turn (the point
  read with a different key on each request: a wrk Lua script rotates the NIPs);
- ``evaluations``  — ``GET /v1/evaluations?unit_id=<own unit>&period=2026-Q1``;
- ``employees``    — ``GET /v1/employees?unit_id=<own unit>``;
- ``tasks``        — ``GET /v1/me/tasks``.

Each path is requested straight from kinerja and through the gateway (``/kinerja/...``) with wrk (one thread,
``--connections``); cases are interleaved round by round, and each ratio (req/s of the path / req/s of whoami
on the same route) is the median of the per-round ratios. ``--connections`` takes a list (``64,256``).
kinerja's CPU per request (from /proc) is recorded beside it. Writes the ``hot-reads`` section of
docs/benchmarks.md.

    .venv/bin/python -m bench.hot_reads [--duration 5] [--rounds 5] [--connections 64,256] [--workers 1]
        [--compare REV]

``--compare REV`` also starts kinerja as of git revision REV beside the current one (same database and
settings) and requests it directly in the same rounds (route ``direct@REV``), so a change is measured against
the old code in the same minutes.

``--churn RATE`` commits RATE writes a second to ``kinerja.evaluation`` and ``kinerja.employee`` in turn (rows of
other units, values unchanged) from a thread of the bench while every case runs. Each commit changes its table's
change mark, so kinerja's kept list pages (services/common/readcache.py) are read afresh after each: the lists'
figures then show what the read cache costs and saves when the province is writing. Its section is
``hot-reads-churn``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx

from bench import datagen
from bench._util import (
    LoadResult,
    command_line,
    cpu_seconds,
    export_revision,
    machine,
    parse_wrk,
    settle,
    table,
    write_section,
)
from bench.mixed_load import ADMIN_PASSWORD, ADMIN_USER, SECRETS, extra_app, login, stack
from services.common.metrics import samples
from tests.support.fixtures import drop_database, plain_dsn, postgres_server

SECTION = "hot-reads"
PEGAWAI_USER, PEGAWAI_PASSWORD = "bench-pegawai", "bench-pegawai-password-1234"
PATHS = ("whoami", "employee", "team", "evaluations", "employees", "tasks")
TEAM = "{team}"  # in a path: each request names the next of the pegawai's direct reports


async def pick_pegawai(database_url: str) -> tuple[str, str, list[str]]:
    """A supervisor with the most direct reports in the generated data: (nip, unit_id, the reports' NIPs)."""
    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        row = await conn.fetchrow(
            "SELECT s.nip, s.unit_id FROM kinerja.employee s JOIN kinerja.employee e ON e.supervisor_nip = s.nip"
            " WHERE s.active GROUP BY s.nip, s.unit_id ORDER BY count(*) DESC, s.nip LIMIT 1"
        )
        assert row is not None
        team = await conn.fetch(
            "SELECT nip FROM kinerja.employee WHERE supervisor_nip = $1 AND active ORDER BY nip", row[0]
        )
        return str(row[0]), str(row[1]), [str(r[0]) for r in team]
    finally:
        await conn.close()


def rotating(url: str, keys: list[str], workdir: Path) -> tuple[str, list[str]]:
    """For a URL with ``{team}``: the URL with the first key, and wrk's arguments for a Lua script that sends each
    request with the next key in turn (each connection starts at a different one)."""
    split = urlsplit(url)
    script = workdir / "rotate.lua"
    script.write_text(
        "local keys = {" + ",".join(json.dumps(k) for k in keys) + "}\n"
        "local i = math.random(#keys)\n"
        "request = function()\n"
        "  i = i % #keys + 1\n"
        f"  return wrk.format(nil, {json.dumps(split.path.replace(TEAM, ''))} .. keys[i])\n"
        "end\n"
    )
    return url.replace(TEAM, keys[0]), ["-s", str(script)]


def wrk(
    url: str,
    token: str,
    connections: int,
    duration_s: float,
    settle_apps: tuple[str, ...] = (),
    *,
    team: list[str] | None = None,
    workdir: Path | None = None,
) -> LoadResult:
    """One wrk run (one thread: the servers need the other core); then wait for ``url``'s app and each of
    ``settle_apps`` to work off the requests wrk left in flight. ``{team}`` in ``url`` rotates ``team``."""
    script: list[str] = []
    if TEAM in url:
        if not team or workdir is None:
            raise ValueError(f"{url}: a rotating path needs the team and a folder for the script")
        url, script = rotating(url, team, workdir)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration_s))}s", "--latency", *script,
         "-H", f"Authorization: Bearer {token}", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    for app in (url, *settle_apps):
        settle(app)
    return parse_wrk(out)


class Churn(threading.Thread):
    """Writes committed at a steady rate while the cases run (``--churn``): an UPDATE that changes no value of a row
    of another unit, to ``kinerja.evaluation`` and ``kinerja.employee`` in turn, each its own transaction."""

    def __init__(self, database_url: str, rate: float, unit: str) -> None:
        super().__init__(daemon=True)
        self.database_url, self.rate, self.unit = database_url, rate, unit
        self.stopping = threading.Event()
        self.commits = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._write())
        except BaseException as exc:  # reported by stop()
            self.error = exc

    async def _write(self) -> None:
        conn = await asyncpg.connect(plain_dsn(self.database_url))
        try:
            ids = [r[0] for r in await conn.fetch(
                "SELECT id FROM kinerja.evaluation WHERE unit_id <> $1::uuid LIMIT 1000", self.unit)]  # fmt: skip
            nips = [r[0] for r in await conn.fetch(
                "SELECT nip FROM kinerja.employee WHERE unit_id <> $1::uuid LIMIT 1000", self.unit)]  # fmt: skip
            interval, next_at = 1 / self.rate, time.monotonic()
            while not self.stopping.is_set():
                if self.commits % 2:
                    sql, key = "UPDATE kinerja.employee SET updated_at = updated_at WHERE nip = $1", nips
                else:
                    sql, key = "UPDATE kinerja.evaluation SET updated_at = updated_at WHERE id = $1", ids
                await conn.execute(sql, random.choice(key))
                self.commits += 1
                next_at += interval
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        finally:
            await conn.close()

    def stop(self) -> float:
        """Stop; the number of commits made."""
        self.stopping.set()
        self.join(timeout=10)
        if self.error is not None:
            raise RuntimeError(f"churn failed: {self.error!r}") from self.error
        return self.commits


def format_answers(answers: dict[str, int]) -> str:
    """The read cache's answers as prose: counts and the share served kept."""
    total = sum(answers.values()) or 1
    return (
        f"{answers.get('hit', 0):,} kept ({answers.get('hit', 0) / total:.1%}), {answers.get('stale', 0):,} made"
        f" again after a write, {answers.get('miss', 0):,} made for the first time"
    )


def targets(nip: str, unit: str) -> dict[str, str]:
    """The service path of each case."""
    return {
        "whoami": "/v1/whoami",
        "employee": f"/v1/employees/{nip}",
        "team": f"/v1/employees/{TEAM}",
        "evaluations": f"/v1/evaluations?unit_id={unit}&period=2026-Q1",
        "employees": f"/v1/employees?unit_id={unit}",
        "tasks": "/v1/me/tasks",
    }


Results = dict[tuple[int, str, str], list[tuple[LoadResult, float]]]


def measure(args: argparse.Namespace, dataset: datagen.Dataset, workdir: Path) -> tuple[Results, str]:
    """Start the stack, make the pegawai, run the interleaved rounds."""
    from asn_cli.seed import app_session, bootstrap, create_admin
    from gateway.identity.bootstrap import ensure_account

    nip, unit, team = asyncio.run(pick_pegawai(dataset.database_url))
    run = functools.partial(wrk, team=team, workdir=workdir)

    async def accounts() -> None:
        await bootstrap(dataset.database_url, SECRETS)
        await create_admin(dataset.database_url, ADMIN_USER, ADMIN_PASSWORD)
        async with app_session(dataset.database_url) as session:
            await ensure_account(
                session, username=PEGAWAI_USER, password=PEGAWAI_PASSWORD, roles=["pegawai"], nip=nip
            )

    asyncio.run(accounts())
    results: Results = {}
    with contextlib.ExitStack() as running:
        s = running.enter_context(
            stack(dataset.database_url, workdir, dataset.data_dir, workers=args.workers)
        )
        login(s.url("gateway"))
        resp = httpx.post(
            s.url("gateway") + "/auth/token",
            data={"grant_type": "password", "username": PEGAWAI_USER, "password": PEGAWAI_PASSWORD},
            timeout=30.0,
            trust_env=False,
        )
        resp.raise_for_status()
        token = str(resp.json()["access_token"])
        paths = targets(nip, unit)
        routes = {"direct": s.url("kinerja"), "gateway": s.url("gateway") + "/kinerja"}
        pids = {"direct": s.apps["kinerja"].popen.pid, "gateway": s.apps["kinerja"].popen.pid}
        if args.compare:
            (workdir / "old").mkdir()
            code = export_revision(args.compare, workdir / "old")
            old = running.enter_context(
                extra_app(s, "kinerja", code, dataset.database_url, workdir, dataset.data_dir)
            )
            routes[f"direct@{args.compare}"] = old.url
            pids[f"direct@{args.compare}"] = old.popen.pid
        for route, base in routes.items():
            for path in paths.values():
                got = httpx.get(base + path.replace(TEAM, team[0]), headers={"Authorization": f"Bearer {token}"}, timeout=30.0,
                                trust_env=False)  # fmt: skip
                if got.status_code != 200:
                    raise RuntimeError(f"{route} {path}: {got.status_code} {got.text[:300]}")
                run(base + path, token, 16, 1, (s.url("kinerja"),))  # warm-up
        churn = Churn(dataset.database_url, args.churn, unit) if args.churn else None
        if churn is not None:
            churn.start()
            churn_started = time.monotonic()
        for n in range(1, args.rounds + 1):
            for conns in args.connections:
                for route, base in routes.items():
                    for name, path in paths.items():
                        before = cpu_seconds(pids[route])
                        r = run(base + path, token, conns, args.duration, (s.url("kinerja"),))
                        cpu = (cpu_seconds(pids[route]) - before) * 1000 / max(1, r.requests)
                        results.setdefault((conns, route, name), []).append((r, cpu))
                        print(
                            f"round {n} c{conns} {route:>7} {name:>11}: {r.rps:8,.0f} req/s  p50 "
                            f"{r.p50_ms:7.2f} ms  p99 {r.p99_ms:8.2f} ms  errors {r.errors}  "
                            f"kinerja cpu {cpu:.3f} ms/req",
                            flush=True,
                        )
        if churn is not None:
            rate = churn.stop() / (time.monotonic() - churn_started)
            print(f"churn: {rate:.1f} commits/s", flush=True)
            args.churn_achieved = rate
        # How the read cache answered (services/common/readcache.py), from the current kinerja's /metrics.
        scraped = httpx.get(s.url("kinerja") + "/metrics", timeout=10.0, trust_env=False).text
        answers = {labels["result"]: int(v) for labels, v in samples(scraped, "asn_read_cache_answers_total")}
        args.cache_answers = answers
        print(f"read cache answers: {answers}", flush=True)
    return results, f"pegawai {nip} (unit {unit}, {len(team)} direct reports)"


def render(args: argparse.Namespace, results: Results) -> tuple[str, dict[str, float]]:
    """One table per connection count: each path with its ratio to whoami on the same route."""
    out = []
    figures: dict[str, float] = {}
    for conns in args.connections:
        rows = []
        for route in sorted({r for c, r, _ in results if c == conns}, key=lambda r: (r != "direct", r)):
            for name in PATHS:
                runs = results[(conns, route, name)]
                base = results[(conns, route, "whoami")]
                ratio = statistics.median(a.rps / b.rps for (a, _), (b, _) in zip(runs, base, strict=True))
                m = sorted((r for r, _ in runs), key=lambda r: r.rps)[len(runs) // 2]
                cpu = statistics.median(c for _, c in runs)
                figures[f"c{conns}_{route}_{name}"] = round(ratio, 3)
                rows.append([route, name, f"{m.rps:,.0f}", f"{m.p50_ms:.2f}", f"{m.p99_ms:.2f}",
                             f"{m.p99_ms / max(m.p50_ms, 0.001):.1f}", f"{ratio:.2f}", f"{cpu:.3f}",
                             sum(r.errors for r, _ in runs)])  # fmt: skip
        out.append(f"{conns} connections:\n\n" + table(
            ["route", "path", "req/s", "p50 ms", "p99 ms", "p99/p50", "ratio to whoami",
             "kinerja CPU ms/req", "errors"], rows))  # fmt: skip
    return "\n\n".join(out), figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", default="64", help="comma-separated, e.g. 64,256")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per app")
    parser.add_argument("--database-url", help="a database kept by bench.datagen --keep")
    parser.add_argument("--data-dir", help="its publik data folder")
    parser.add_argument(
        "--compare",
        metavar="REV",
        help="also run kinerja as of this git revision beside the current one (direct route `direct@REV`), "
        "rounds interleaved",
    )
    parser.add_argument(
        "--churn",
        type=float,
        default=0.0,
        metavar="RATE",
        help="commit RATE writes a second to kinerja's evaluation and employee tables while the cases run",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    if shutil.which("wrk") is None:
        raise SystemExit("bench.hot_reads needs wrk (apt-get install wrk)")
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="asn-bench-hot-"))
    try:
        with postgres_server() as server_url:
            owned = not args.database_url
            if args.database_url:
                data_dir = Path(args.data_dir) if args.data_dir else workdir / "publik"
                dataset = datagen.Dataset(server_url, args.database_url, data_dir, 0, 0)
                asyncio.run(datagen.sample(dataset))
            else:
                dataset = asyncio.run(datagen.create(server_url, data_dir=workdir / "publik", verbose=False))
            try:
                results, who = measure(args, dataset, workdir)
            finally:
                if owned:
                    asyncio.run(drop_database(server_url, dataset.database_url))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text, figures = render(args, results)
    took = time.perf_counter() - started
    print(text, f"took {took:.0f} s", sep="\n")
    if not args.no_write:
        churned = (
            f" While every case ran, a thread of the bench committed {args.churn_achieved:.1f} writes a second to"
            " `kinerja.evaluation` and `kinerja.employee` in turn (rows of other units, no value changed), so the"
            " lists' kept pages were read afresh after each."
            if args.churn
            else ""
        )
        write_section(
            f"{SECTION}-churn" if args.churn else SECTION,
            f"""## Hot reads of kinerja relative to its own `/v1/whoami`{", while writes commit" if args.churn else ""} (issue 21)

Command: `{command_line()}` (wrk, one thread; {args.rounds} interleaved rounds of {args.duration:g} s after a
warm-up; ratio = median of the per-round ratios to whoami on the same route). As {who}, a pegawai with the
most direct reports, logged in through the gateway. {args.workers} uvicorn worker(s) per app, log level
WARNING; PostgreSQL, the four apps and wrk share the machine. Machine: {machine()}.{churned}

{text}

"kinerja CPU ms/req" is the kinerja process's user+system CPU (workers included) during the run divided by the
requests answered. The current kinerja's read cache answered {format_answers(args.cache_answers)} over the
whole run (`asn_read_cache_answers_total`: warm-up and every route and connection count).{f" Rows `direct@{args.compare}` are kinerja as of git revision {args.compare} (its tree from `git archive`), a second process beside the current one on the same database, its rounds interleaved with the others." if args.compare else ""} "errors" are non-2xx answers plus wrk timeouts (2 s).

<!-- figures: {json.dumps(figures)} -->
""",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
