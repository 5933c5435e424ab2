"""``gateway.fastclient`` on its own against a tiny in-process HTTP server: the pool's slots (handed to
waiters in order, never leaked by a waiter that gives up) and the response-head deadline (ReadTimeout for
a silent upstream; any other cancellation stays a cancellation)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest

from gateway.fastclient import Client, PoolTimeout, ReadTimeout


class Server:
    """Answers each GET after ``delay_s`` (``path`` ``/silent`` never answers)."""

    def __init__(self) -> None:
        self.delay_s = 0.0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if b" /silent " in head.split(b"\r\n", 1)[0]:
                    await asyncio.sleep(3600)
                await asyncio.sleep(self.delay_s)
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                await writer.drain()
        writer.close()

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()


@contextlib.asynccontextmanager
async def client(pool_size: int, read_timeout_s: float = 5.0) -> AsyncIterator[Client]:
    c = Client(pool_size=pool_size, connect_timeout_s=1.0, read_timeout_s=read_timeout_s)
    try:
        yield c
    finally:
        await c.aclose()


async def _get(c: Client, port: int, path: bytes = b"/") -> bytes:
    resp = await c.request("127.0.0.1", port, b"GET", path, [])
    try:
        return await resp.read()
    finally:
        await resp.aclose()


async def test_a_full_pool_hands_released_slots_to_waiters_in_order() -> None:
    async with Server() as server, client(pool_size=1) as c:
        server.delay_s = 0.05
        order: list[int] = []

        async def one(i: int) -> None:
            assert await _get(c, server.port) == b"ok"
            order.append(i)

        tasks = []
        for i in range(5):
            tasks.append(asyncio.create_task(one(i)))
            await asyncio.sleep(0.005)  # queue them in a known order
        await asyncio.gather(*tasks)
        assert order == [0, 1, 2, 3, 4]
        assert c.in_use == 0


async def test_a_waiter_that_gives_up_leaks_no_slot() -> None:
    async with Server() as server, client(pool_size=1, read_timeout_s=0.2) as c:
        held = await c.request("127.0.0.1", server.port, b"GET", b"/", [])  # the only slot, kept
        with pytest.raises(PoolTimeout):
            await c.request("127.0.0.1", server.port, b"GET", b"/", [])
        cancelled = asyncio.create_task(c.request("127.0.0.1", server.port, b"GET", b"/", []))
        await asyncio.sleep(0.05)
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        assert c.in_use == 1
        await held.read()
        await held.aclose()
        assert c.in_use == 0
        assert await _get(c, server.port) == b"ok"  # the slot is usable again
        assert c.in_use == 0


async def test_a_silent_upstream_is_a_read_timeout_at_the_deadline() -> None:
    async with Server() as server, client(pool_size=2, read_timeout_s=0.3) as c:
        started = time.monotonic()
        with pytest.raises(ReadTimeout):
            await c.request("127.0.0.1", server.port, b"GET", b"/silent", [])
        assert 0.25 < time.monotonic() - started < 2.0
        assert c.in_use == 0
        assert await _get(c, server.port) == b"ok"  # the timed-out connection was not reused


async def test_another_cancellation_is_not_turned_into_a_timeout() -> None:
    async with Server() as server, client(pool_size=2, read_timeout_s=0.3) as c:
        task = asyncio.create_task(c.request("127.0.0.1", server.port, b"GET", b"/silent", []))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert c.in_use == 0
        # The deadline's timer was cancelled with the request: nothing fires on this task later.
        await asyncio.sleep(0.4)


async def test_a_deadline_inside_an_outer_timeout_leaves_the_outer_one_working() -> None:
    async with Server() as server, client(pool_size=2, read_timeout_s=5.0) as c:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await c.request("127.0.0.1", server.port, b"GET", b"/silent", [])
        assert c.in_use == 0
