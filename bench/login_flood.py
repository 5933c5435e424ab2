"""Login flood benchmark (issue 13, finding 1): the gateway's peak memory and the latency of legitimate
logins while one address sends made-up client-credentials logins (a fresh random ``client_id`` each).

It creates a scratch database on the given PostgreSQL server, migrates the gateway there with the code under
``--root`` (a checkout of the old code measures "before"), starts that gateway as a real uvicorn process,
creates one account, then sends ``--flood`` made-up client logins from 127.0.0.2 (``--concurrency`` at a
time) while a legitimate user logs in from 127.0.0.1 every 0.25 s. Reported: the gateway's peak RSS
(VmHWM) and the p50/p90 of the legitimate logins, plus how the flood was answered.

    .venv/bin/python -m bench.login_flood --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python -m bench.login_flood --database-url ... --root /tmp/main-checkout   # before
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import asyncpg
import httpx

from bench._util import ROOT, free_port, percentile, process

PASSWORD = "correct horse battery"


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _in_root(root: Path, code: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-c", code], cwd=root, env={**os.environ, **env}, check=True)


async def _flood(url: str, count: int, concurrency: int) -> collections.Counter[int]:
    statuses: collections.Counter[int] = collections.Counter()
    queue = iter(range(count))
    transport = httpx.AsyncHTTPTransport(
        local_address="127.0.0.2", limits=httpx.Limits(max_connections=concurrency)
    )
    async with httpx.AsyncClient(base_url=url, transport=transport, timeout=120) as client:

        async def worker() -> None:
            for _ in queue:
                form = {
                    "grant_type": "client_credentials",
                    "client_id": "cl_" + secrets.token_hex(8),
                    "client_secret": secrets.token_urlsafe(32),
                }
                try:
                    statuses[(await client.post("/auth/token", data=form)).status_code] += 1
                except httpx.HTTPError:
                    statuses[0] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return statuses


async def _legitimate(url: str, done: asyncio.Event) -> list[float]:
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        while not done.is_set():
            started = loop.time()
            resp = await client.post(
                "/auth/token", data={"grant_type": "password", "username": "siti", "password": PASSWORD}
            )
            if resp.status_code == 200:
                latencies.append((loop.time() - started) * 1000)
            await asyncio.sleep(0.25)
    return latencies


async def _measure(url: str, pid: int, count: int, concurrency: int) -> dict[str, object]:
    done = asyncio.Event()
    legit = asyncio.create_task(_legitimate(url, done))
    loop = asyncio.get_running_loop()
    started = loop.time()
    statuses = await _flood(url, count, concurrency)
    elapsed = loop.time() - started
    done.set()
    latencies = sorted(await legit)
    return {
        "peak_rss_mib": round(_peak_rss_mib(pid), 1),
        "legit_logins": len(latencies),
        "legit_p50_ms": round(percentile(latencies, 50), 1),
        "legit_p90_ms": round(percentile(latencies, 90), 1),
        "flood_s": round(elapsed, 1),
        "flood_statuses": dict(sorted(statuses.items())),
    }


async def _scratch_database(server_url: str) -> str:
    name = f"bench_flood_{os.getpid()}"
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return server_url.rsplit("/", 1)[0] + "/" + name


def main(argv: list[str] | None = None) -> None:
    """Run the flood once against the gateway built from ``--root`` and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server (a scratch db is made)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the code to run the gateway from")
    parser.add_argument("--flood", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args(argv)

    db_url = asyncio.run(_scratch_database(args.database_url))
    root = args.root.resolve()
    env = {"GATEWAY_DATABASE_URL": db_url}
    _in_root(
        root,
        "import sys; from asn_cli.database import migrate; migrate('gateway', sys.argv[1])".replace(
            "sys.argv[1]", repr(db_url)
        ),
        env,
    )
    _in_root(
        root,
        "import asyncio\n"
        "from asn_cli.seed import app_session\n"
        "from gateway.identity.bootstrap import ensure_account\n"
        "async def go():\n"
        f"    async with app_session({db_url!r}) as s:\n"
        f"        await ensure_account(s, username='siti', password={PASSWORD!r}, roles=['admin'])\n"
        "asyncio.run(go())\n",
        env,
    )
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        gateway_env = {
            **env,
            "GATEWAY_ENVIRONMENT": "test",
            "GATEWAY_DATA_DIR": data_dir,
            "GATEWAY_OUTBOX_ENABLED": "false",
            "GATEWAY_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(root),
        }
        command = [
            sys.executable, "-m", "uvicorn", "gateway.main:create_app", "--factory", "--app-dir", str(root),
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        with process(command, port=port, env=gateway_env) as proc:
            result = asyncio.run(_measure(f"http://127.0.0.1:{port}", proc.pid, args.flood, args.concurrency))
    print(f"root={root}")
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
