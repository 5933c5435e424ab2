"""Raw-socket helpers for the framing and slow-body suites: a recording upstream written on bare asyncio
streams (so it can answer with any bytes at all) and the real gateway app as a uvicorn process.

The upstream parses requests the way a plain HTTP/1.1 server does (Content-Length, else chunked) and
records every request it reads, with the connection it came on: a smuggled request shows up as one
request more than the gateway was sent, and a reused connection as a repeated connection number.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Seen:
    """One request as the upstream read it."""

    conn: int
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RawUpstream:
    """A loopback HTTP/1.1 server on asyncio streams. ``/v1/bad/<name>`` answers with ``bad[name]``
    verbatim (then closes the connection); ``/healthz`` is answered and not recorded; anything else gets
    a small JSON naming the target it was asked for."""

    bad: dict[str, bytes] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _conns: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> RawUpstream:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, limit=1 << 20)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = next(self._conns)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head[:-4].split(b"\r\n")
                method, target, _ = lines[0].decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                if "content-length" in headers:
                    body = await reader.readexactly(int(headers["content-length"]))
                elif headers.get("transfer-encoding", "").lower() == "chunked":
                    parts = []
                    while True:
                        size = int((await reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
                        if size == 0:
                            await reader.readuntil(b"\r\n")
                            break
                        parts.append(await reader.readexactly(size))
                        await reader.readexactly(2)
                    body = b"".join(parts)
                else:
                    body = b""
                if target == "/healthz":
                    out = b'{"status":"ok"}'
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(out), out))
                    await writer.drain()
                    continue
                self.seen.append(Seen(conn, method, target, headers, body))
                name = target.removeprefix("/v1/bad/")
                if name in self.bad:
                    writer.write(self.bad[name])
                    await writer.drain()
                    return
                out = json.dumps({"target": target, "size": len(body)}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                    % (len(out), out)
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            writer.close()


def gateway_env(database_url: str, data_dir: Path, upstream: str, **extra: str) -> dict[str, str]:
    """The environment of a gateway process whose three upstreams are ``upstream``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEWAY_", "ASN_"))}
    env.update(
        {
            "GATEWAY_DATABASE_URL": database_url,
            "GATEWAY_ENVIRONMENT": "test",
            "GATEWAY_DATA_DIR": str(data_dir),
            "GATEWAY_KINERJA_URLS": upstream,
            "GATEWAY_PELATIHAN_URLS": upstream,
            "GATEWAY_PUBLIK_URLS": upstream,
            "GATEWAY_OUTBOX_ENABLED": "false",
            "GATEWAY_HEALTH_CHECK_INTERVAL_S": "0.5",
            "GATEWAY_UPSTREAM_READ_TIMEOUT_S": "2",
            "GATEWAY_ANONYMOUS_RATE_LIMIT_PER_MINUTE": "100000",
            "GATEWAY_LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


# gateway_process's ``http`` for ``asn serve gateway`` itself: its event loop (asn_cli/eventloop.py) and httptools.
ASN_SERVE = "asn serve"


def _command(http: str, port: int) -> list[str]:
    if http == ASN_SERVE:
        return [
            sys.executable,
            "-m",
            "asn_cli.main",
            "serve",
            "gateway",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
    return [
        sys.executable, "-m", "uvicorn", "gateway.main:create_app", "--factory",
        "--http", http, "--host", "127.0.0.1", "--port", str(port),
        "--no-proxy-headers", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip


def _spawn(http: str, port: int, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with open(log_path, "ab") as log:
        return subprocess.Popen(_command(http, port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _log(path: Path) -> str:
    return path.read_text(errors="replace")[-4000:]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.asynccontextmanager
async def raw_upstream() -> AsyncIterator[RawUpstream]:
    """A started :class:`RawUpstream`, closed on the way out."""
    up = await RawUpstream().start()
    try:
        yield up
    finally:
        await up.close()


@contextlib.asynccontextmanager
async def gateway_process(
    http: str, port: int, env: dict[str, str], log_path: Path
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """The real gateway app (``gateway.main:create_app``) served by uvicorn with ``--http h11`` or
    ``--http httptools``, as ``asn serve gateway`` serves it (no proxy headers); with :data:`ASN_SERVE`, by
    ``asn serve gateway`` itself."""
    proc = await asyncio.to_thread(_spawn, http, port, env, log_path)
    try:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError(f"gateway exited: {await asyncio.to_thread(_log, log_path)}")
            try:
                status, _, body = await request(port, b"GET /readyz HTTP/1.1\r\nHost: gw\r\n\r\n")
                if status == 200 and b'"ready"' in body:
                    break
            except OSError:
                pass
            await asyncio.sleep(0.1)
        else:
            raise TimeoutError(f"gateway not ready: {await asyncio.to_thread(_log, log_path)}")
        yield proc
    finally:
        await asyncio.to_thread(_stop, proc)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """One response (Content-Length or chunked framing) from a raw connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")
    status = int(lines[0].split(b" ")[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    else:
        body = b""
    return status, headers, body


async def request(
    port: int, raw: bytes, *, local: str = "127.0.0.1", timeout_s: float = 10.0
) -> tuple[int, dict[str, str], bytes]:
    """Send ``raw`` on a fresh connection from address ``local`` and read one response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(local, 0))
    try:
        writer.write(raw)
        await writer.drain()
        async with asyncio.timeout(timeout_s):
            return await read_response(reader)
    finally:
        writer.close()
