"""Helpers for the pelatihan tests: NIPs, token headers, and building a catalogue through the API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from services.common import clock
from services.common.auth import Role
from tests.support.fixtures import Tokens


def nip(i: int) -> str:
    """A distinct, well-formed 18-digit NIP."""
    return str(198001012005011000 + i)


class Headers:
    """Token headers for the roles the tests use."""

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens

    def training_admin(self) -> dict[str, str]:
        return self.tokens.headers("trainer", [Role.PELATIHAN_ADMIN])

    def admin(self) -> dict[str, str]:
        return self.tokens.admin()

    def pegawai(self, n: str) -> dict[str, str]:
        return self.tokens.pegawai(n)

    def mitra(self, institution_id: str) -> dict[str, str]:
        return self.tokens.headers(f"mitra-{institution_id[:6]}", [Role.MITRA], institution_id=institution_id)

    def service(self) -> dict[str, str]:
        return self.tokens.service("svc-kinerja")

    def integrator(self, *scopes: str) -> dict[str, str]:
        """An integrator's token; by default granted ``pelatihan:individual`` (most tests read people's rows),
        pass scopes to narrow it (none at all: ``integrator("")``)."""
        granted = " ".join(s for s in (scopes or ("pelatihan:individual",)) if s)
        return self.tokens.headers("client-1", [Role.INTEGRATOR], scope=granted or None)


def window(
    *, opens_in: timedelta = timedelta(hours=-1), closes_in: timedelta = timedelta(days=1), days: int = 3
) -> dict[str, Any]:
    """Session dates with an enrolment window relative to now; the session starts on the first Monday at
    least two days after the window closes, so a run of up to five days is all training days (issue 18)."""
    now = datetime.now(UTC)
    start = (now + max(closes_in, timedelta(0))).date() + timedelta(days=2)
    start += timedelta(days=-start.weekday() % 7)
    return {
        "enrol_opens_at": (now + opens_in).isoformat(),
        "enrol_closes_at": (now + closes_in).isoformat(),
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=days - 1)).isoformat(),
    }


async def make_institution(
    client: httpx.AsyncClient, h: Headers, name: str | None = None, kind: str = "BPSDM"
) -> str:
    r = await client.post(
        "/v1/institutions",
        json={"name": name or f"Lembaga {uuid.uuid4().hex[:6]}", "kind": kind},
        headers=h.training_admin(),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def make_program(
    client: httpx.AsyncClient,
    h: Headers,
    institution_id: str,
    *,
    jp: int = 20,
    tags: list[str] | None = None,
    mode: str = "KLASIKAL",
) -> str:
    r = await client.post(
        "/v1/programs",
        json={
            "institution_id": institution_id,
            "title": f"Program {uuid.uuid4().hex[:6]}",
            "competency": "TEKNIS",
            "tags": tags or [],
            "jp": jp,
            "mode": mode,
        },
        headers=h.training_admin(),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def make_session(
    client: httpx.AsyncClient, h: Headers, program_id: str, *, capacity: int = 30, **extra: Any
) -> dict[str, Any]:
    body = {"program_id": program_id, "capacity": capacity, "location": "Aula BPSDM", **window(), **extra}
    r = await client.post("/v1/sessions", json=body, headers=h.training_admin())
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def enrol_and_approve(
    client: httpx.AsyncClient, h: Headers, session_id: str, employee: str, supervisor: str
) -> dict[str, Any]:
    r = await client.post(
        f"/v1/sessions/{session_id}/enrolments", json={"nip": employee}, headers=h.pegawai(employee)
    )
    assert r.status_code == 201, r.text
    r = await client.post(f"/v1/enrolments/{r.json()['id']}/approve", headers=h.pegawai(supervisor))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def today() -> date:
    return datetime.now(UTC).date()


@contextmanager
def on_day(day: str | date) -> Iterator[None]:
    """Run the block with the province clock (in-process apps) at 10:00 WIB on ``day``, then back to real
    time: attendance for a day and a session's results are taken only on or after the day (issue 11)."""
    when = date.fromisoformat(day) if isinstance(day, str) else day
    clock.set_fake_now(datetime.combine(when, time(10), tzinfo=clock.WIB))
    try:
        yield
    finally:
        clock.set_fake_now(None)


def at_end(session: dict[str, Any]) -> AbstractContextManager[None]:
    """:func:`on_day` on the session's last day, when its results may be recorded."""
    return on_day(str(session["ends_on"]))
