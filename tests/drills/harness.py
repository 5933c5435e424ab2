"""Shared pieces of the fault drills: a bounded stream of writes through the gateway that records every
outcome, and a check of what the database holds against what was acknowledged."""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from tests.support.fixtures import plain_dsn

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Target:
    """What a stream writes: a create endpoint behind the gateway, the table it lands in, and the unique
    column that identifies each write."""

    service: str
    path: str
    table: str
    key_column: str
    # SQL giving one text per row, and its Python twin for a key, to checksum what was stored.
    row_sql: str
    row_text: Callable[[str], str]
    body: Callable[[str], dict[str, Any]]


KINERJA_UNITS = Target(
    service="kinerja",
    path="/kinerja/v1/units",
    table="kinerja.unit",
    key_column="code",
    row_sql="code || '|' || name",
    row_text=lambda key: f"{key}|Drill {key}",
    body=lambda key: {"code": key, "name": f"Drill {key}"},
)
PELATIHAN_INSTITUTIONS = Target(
    service="pelatihan",
    path="/pelatihan/v1/institutions",
    table="pelatihan.institution",
    key_column="name",
    row_sql="name || '|' || kind",
    row_text=lambda key: f"{key}|LAINNYA",
    body=lambda key: {"name": key, "kind": "LAINNYA"},
)


@dataclass(frozen=True)
class Outcome:
    """One request of a stream: what was sent, what came back, and when."""

    kind: str  # "write" or "read"
    code: str | None
    status: int | None  # None: no answer (a client-side timeout or a broken connection)
    started: float  # time.monotonic()
    duration_s: float
    content_type: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class LoadStream:
    """Writers POST new rows with unique keys through the gateway, readers list them; every request is
    bounded by ``timeout_s`` and recorded. Run with ``start()``, end with ``stop()``."""

    base_url: str
    token: str
    target: Target = KINERJA_UNITS
    writers: int = 3
    readers: int = 1
    timeout_s: float = 10.0
    pause_s: float = 0.01
    prefix: str = field(default_factory=lambda: "DR" + uuid.uuid4().hex[:6].upper())
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def start(self) -> None:
        for i in range(self.writers):
            self._threads.append(threading.Thread(target=self._loop, args=("write",), name=f"writer-{i}"))
        for i in range(self.readers):
            self._threads.append(threading.Thread(target=self._loop, args=("read",), name=f"reader-{i}"))
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(self.timeout_s + 5)

    def _loop(self, kind: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base_url, timeout=self.timeout_s, headers=headers) as client:
            while not self._stop.is_set():
                code = None
                started = time.monotonic()
                try:
                    if kind == "write":
                        with self._lock:
                            code = f"{self.prefix}-{next(self._counter):05d}"
                        resp = client.post(self.target.path, json=self.target.body(code))
                    else:
                        resp = client.get(self.target.path, params={"limit": 5})
                    outcome = Outcome(
                        kind,
                        code,
                        resp.status_code,
                        started,
                        time.monotonic() - started,
                        resp.headers.get("content-type"),
                    )
                except httpx.HTTPError as exc:
                    outcome = Outcome(
                        kind, code, None, started, time.monotonic() - started, None, type(exc).__name__
                    )
                with self._lock:
                    self.outcomes.append(outcome)
                time.sleep(self.pause_s)

    # ------------------------------------------------------------------------------------------ figures

    def writes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == "write"]

    def acknowledged(self) -> set[str]:
        """Keys of the writes that got a 2xx."""
        return {o.code for o in self.writes() if o.ok and o.code}

    def failures_between(self, start: float, end: float) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and start <= o.started <= end]

    def first_ok_after(self, moment: float) -> float | None:
        """When the first request started after ``moment`` that succeeded (the service is back)."""
        times = [o.started + o.duration_s for o in self.outcomes if o.ok and o.started >= moment]
        return min(times) if times else None


async def stored_keys(database_url: str, target: Target, prefix: str) -> set[str]:
    """The keys of a stream's writes that the database holds."""
    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        rows = await conn.fetch(
            f"SELECT {target.key_column} AS k FROM {target.table} WHERE {target.key_column} LIKE $1",
            prefix + "-%",
        )
    finally:
        await conn.close()
    return {str(r["k"]) for r in rows}


async def stored_checksum(database_url: str, target: Target, keys: set[str]) -> tuple[int, str]:
    """Count and md5 of the stored rows of ``keys`` (ordered by key), to compare with what was sent."""
    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        row = await conn.fetchrow(
            f"SELECT count(*) AS n, coalesce(md5(string_agg({target.row_sql}, ',' "
            f"ORDER BY {target.key_column})), '') AS h "
            f"FROM {target.table} WHERE {target.key_column} = ANY($1::text[])",
            sorted(keys),
        )
    finally:
        await conn.close()
    assert row is not None
    return int(row["n"]), str(row["h"])


def expected_checksum(target: Target, keys: set[str]) -> tuple[int, str]:
    """What ``stored_checksum`` must give when every key in ``keys`` was stored as sent."""
    joined = ",".join(target.row_text(k) for k in sorted(keys))
    return len(keys), hashlib.md5(joined.encode()).hexdigest() if keys else ""


def summary(name: str, stream: LoadStream, stored: set[str], **extra: object) -> str:
    """One line of figures for docs/reliability.md."""
    writes = stream.writes()
    statuses: dict[str, int] = {}
    for o in stream.outcomes:
        key = str(o.status) if o.status is not None else (o.error or "error")
        statuses[key] = statuses.get(key, 0) + 1
    figures = {
        "writes_attempted": len(writes),
        "writes_acknowledged": len(stream.acknowledged()),
        "writes_stored": len(stored),
        "stored_not_acknowledged": len(stored - stream.acknowledged()),
        "acknowledged_lost": len(stream.acknowledged() - stored),
        "reads": len(stream.outcomes) - len(writes),
        "statuses": dict(sorted(statuses.items())),
        "max_request_s": round(max((o.duration_s for o in stream.outcomes), default=0.0), 3),
        **extra,
    }
    return f"DRILL {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items())
