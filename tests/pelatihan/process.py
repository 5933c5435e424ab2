"""Run pelatihan_api as a real uvicorn process on a free loopback port (for contention tests and the bench)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from tests.support.fixtures import free_port


@contextlib.asynccontextmanager
async def pelatihan_process(
    database_url: str, public_pem: str, kinerja_url: str, log_path: Path, **extra_env: str
) -> AsyncIterator[str]:
    """Start ``uvicorn services.pelatihan_api.main:create_app --factory``; yields its URL; stops it after."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PELATIHAN_")}
    env.update(
        {
            "PELATIHAN_DATABASE_URL": database_url,
            "PELATIHAN_JWT_PUBLIC_KEYS_PEM": public_pem,
            "PELATIHAN_KINERJA_URL": kinerja_url,
            "PELATIHAN_GATEWAY_URL": kinerja_url,
            "PELATIHAN_ENVIRONMENT": "test",
            "PELATIHAN_OUTBOX_ENABLED": "false",
            "PELATIHAN_LOG_LEVEL": "WARNING",
            **extra_env,
        }
    )
    log = open(log_path, "ab")  # noqa: ASYNC230, SIM115  (a log file handed to the child; closed below)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        "services.pelatihan_api.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--backlog",
        "2048",
        # Longer than any wait in a test, so the server never closes a keep-alive connection the client is
        # about to reuse (that race surfaces as a client-side ReadError, not as an answer).
        "--timeout-keep-alive",
        "120",
        env=env,
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=1.0) as probe:
            for _ in range(200):
                if proc.returncode is not None:
                    raise RuntimeError(f"pelatihan exited with {proc.returncode}; see {log_path}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await probe.get(url + "/readyz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                raise TimeoutError(f"pelatihan did not become ready; see {log_path}")
        yield url
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        log.close()
