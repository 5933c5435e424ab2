"""Drill: kinerja is SIGKILLed in the middle of a stream of writes through the gateway, then started again.

Every write that got a 2xx is stored; while kinerja is down the gateway answers 503 (problem+json); the
gateway puts kinerja back by itself once it answers its health checks. Figures: run with ``-s``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.drills.harness import (
    PROBLEM_JSON,
    LoadStream,
    expected_checksum,
    stored_codes,
    summary,
    units_checksum,
)
from tests.e2e.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CLIENT_TIMEOUT_S = 10.0
DOWN_FOR_S = 2.0


@pytest.fixture
def stack(drill_database: str, tmp_path: Path) -> Iterator[Stack]:
    s = Stack(database_url=drill_database, workdir=tmp_path)
    try:
        s.start()
        yield s
    finally:
        s.stop()


def test_service_killed_mid_stream(
    stack: Stack, drill_database: str, drill_report: Callable[[str], None]
) -> None:
    began = time.monotonic()
    stream = LoadStream(stack.url, stack.token(), writers=4, readers=1, timeout_s=CLIENT_TIMEOUT_S)
    kinerja = stack.procs["kinerja"][0]
    stream.start()
    try:
        time.sleep(1.5)
        assert stream.acknowledged(), "no write succeeded before the kill"
        killed_at = time.monotonic()
        kinerja.kill()
        time.sleep(DOWN_FOR_S)
        restarted_at = time.monotonic()
        kinerja.stop()  # closes the old log handle; the process is gone already
        kinerja.start()
        deadline = restarted_at + 30
        while stream.first_ok_after(restarted_at) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # keep writing a little after recovery
    finally:
        stream.stop()

    back_at = stream.first_ok_after(restarted_at)
    assert back_at is not None, f"the gateway did not recover within 30 s; see {kinerja.log_path}"
    down = stream.failures_between(killed_at, restarted_at)
    assert down, "no request failed while kinerja was down"
    failures = [o for o in stream.outcomes if not o.ok]
    assert {o.status for o in failures} <= {503}, {o.status for o in failures}
    assert all(o.content_type == PROBLEM_JSON for o in failures)
    assert max(o.duration_s for o in stream.outcomes) < CLIENT_TIMEOUT_S

    # The restarted kinerja logs structured lines carrying the request id the client chose, end to end.
    rid = f"drill-{stream.prefix}"
    traced = httpx.post(
        stack.url + "/kinerja/v1/units",
        json={"code": f"TRACE{stream.prefix}", "name": "traced"},
        headers={"Authorization": f"Bearer {stack.token()}", "X-Request-ID": rid},
        timeout=CLIENT_TIMEOUT_S,
    )
    assert traced.status_code == 201
    assert traced.headers["x-request-id"] == rid
    for proc in (stack.gateway, kinerja):
        lines = [json.loads(x) for x in proc.log_path.read_text().splitlines() if x.startswith("{")]
        mine = [x for x in lines if x.get("request_id") == rid and x.get("logger") == "asn.access"]
        assert mine, f"{proc.app} logged no access line with request id {rid}"
        assert mine[0]["status"] == 201
        assert {"ts", "level", "app", "msg", "duration_ms"} <= mine[0].keys()

    acknowledged = stream.acknowledged()
    stored = asyncio.run(stored_codes(drill_database, stream.prefix))
    assert acknowledged <= stored, f"acknowledged but lost: {sorted(acknowledged - stored)[:10]}"
    # What was acknowledged is stored exactly as sent (count and checksum of the rows).
    assert asyncio.run(units_checksum(drill_database, acknowledged)) == expected_checksum(acknowledged)
    drill_report(
        summary(
            "service-killed",
            stream,
            stored,
            down_s=round(restarted_at - killed_at, 2),
            recovery_after_restart_s=round(back_at - restarted_at, 2),
            failed_while_down=len(down),
            drill_s=round(time.monotonic() - began, 1),
        )
    )
