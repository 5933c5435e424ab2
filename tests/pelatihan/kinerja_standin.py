"""A tiny FastAPI app standing in for kinerja's two employee endpoints (and the gateway's token endpoint),
served for real on loopback. Used where kinerja's own registry is not the point of the test (contention);
the supervisor rule is also checked against the real kinerja app in test_supervisor_kinerja.py."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException

from services.common.auth import Role
from tests.support.fixtures import Tokens, free_port


@dataclass
class StandIn:
    """The stand-in's data and address."""

    url: str
    employees: dict[str, dict[str, Any]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    calls: int = 0
    # Called (in the stand-in's thread, before it answers) with the path of every kinerja read: a test uses
    # it to change something while pelatihan is between the two phases of a flow.
    on_call: Callable[[str], None] | None = None

    def asked(self, path: str) -> None:
        """Count a kinerja read and run the test's hook."""
        self.calls += 1
        if self.on_call is not None:
            self.on_call(path)

    def add(
        self,
        nip: str,
        *,
        supervisor_nip: str | None = None,
        unit_id: str | None = None,
        employment: str = "PNS",
        position_type: str = "PELAKSANA",
        rank: str = "III/a",
    ) -> None:
        self.employees[nip] = {
            "nip": nip,
            "name": f"Pegawai {nip[-4:]}",
            "unit_id": unit_id,
            "position": "Analis",
            "position_type": position_type,
            "rank": rank,
            "employment": employment,
            "supervisor_nip": supervisor_nip,
            "active": True,
        }


def build_app(state: StandIn, tokens: Tokens) -> FastAPI:
    """The stand-in's routes: kinerja's employee and supervisor reads, a unit read, and /auth/token."""
    app = FastAPI()

    @app.post("/auth/token")
    async def token() -> dict[str, Any]:
        return {
            "access_token": tokens.token("svc-pelatihan", [Role.SERVICE]),
            "token_type": "bearer",
            "expires_in": 600,
        }

    @app.get("/v1/employees/{nip}")
    async def employee(nip: str) -> dict[str, Any]:
        state.asked(f"/v1/employees/{nip}")
        if nip not in state.employees:
            raise HTTPException(404)
        return state.employees[nip]

    @app.get("/v1/employees/{nip}/supervisor")
    async def supervisor(nip: str, on: str) -> dict[str, Any]:
        state.asked(f"/v1/employees/{nip}/supervisor")
        if nip not in state.employees:
            raise HTTPException(404)
        e = state.employees[nip]
        return {"nip": nip, "on": on, "supervisor_nip": e["supervisor_nip"], "unit_id": e["unit_id"]}

    @app.get("/v1/units/{unit_id}")
    async def unit(unit_id: str) -> dict[str, Any]:
        state.asked(f"/v1/units/{unit_id}")
        if unit_id not in state.units:
            raise HTTPException(404)
        return {"id": unit_id, "code": "U", "name": state.units[unit_id], "parent_id": None}

    return app


@contextlib.asynccontextmanager
async def serve(app: Any, port: int | None = None) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in its own thread and event loop (so the test's own
    load does not slow it down); yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", backlog=2048)
    )
    thread = threading.Thread(target=server.run, name=f"standin-{port}", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the stand-in server did not start")
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 10)


@contextlib.asynccontextmanager
async def standin(tokens: Tokens) -> AsyncIterator[StandIn]:
    """A running stand-in."""
    port = free_port()
    state = StandIn(url=f"http://127.0.0.1:{port}")
    async with serve(build_app(state, tokens), port):
        yield state
