"""Drill: a service (kinerja, then pelatihan) is SIGKILLed in the middle of a stream of writes through the
gateway, then started again.

Every write that got a 2xx is stored; while the service is down the gateway answers 503 (problem+json); the
gateway puts the service back by itself once it answers its health checks. The apps run against the drill's own
embedded PostgreSQL. The figures are printed in the terminal summary.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from services.common.metrics import samples
from tests.drills.harness import (
    KINERJA_UNITS,
    PELATIHAN_INSTITUTIONS,
    PROBLEM_JSON,
    LoadStream,
    Target,
    expected_checksum,
    stored_checksum,
    stored_keys,
    summary,
)
from tests.support.stack import Stack, drill_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CLIENT_TIMEOUT_S = 10.0
DOWN_FOR_S = 2.0


@pytest.fixture
def stack(own_database: str, tmp_path: Path) -> Iterator[Stack]:
    s = Stack(database_url=own_database, workdir=tmp_path, extra_env=drill_env())
    try:
        s.start()
        yield s
    finally:
        s.stop()


@pytest.mark.parametrize("target", [KINERJA_UNITS, PELATIHAN_INSTITUTIONS], ids=lambda t: t.service)
def test_service_killed_mid_stream(
    stack: Stack, own_database: str, drill_report: Callable[[str], None], target: Target
) -> None:
    began = time.monotonic()
    stream = LoadStream(
        stack.url, stack.token(), target=target, writers=4, readers=1, timeout_s=CLIENT_TIMEOUT_S
    )
    victim = stack.procs[target.service][0]
    stream.start()
    try:
        time.sleep(1.5)
        assert stream.acknowledged(), "no write succeeded before the kill"
        killed_at = time.monotonic()
        victim.kill()
        time.sleep(DOWN_FOR_S)
        restarted_at = time.monotonic()
        victim.stop()  # closes the old log handle; the process is gone already
        victim.start()
        deadline = restarted_at + 30
        while stream.first_ok_after(restarted_at) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # keep writing a little after recovery
    finally:
        stream.stop()

    back_at = stream.first_ok_after(restarted_at)
    assert back_at is not None, f"the gateway did not recover within 30 s; see {victim.log_path}"
    down = stream.failures_between(killed_at, restarted_at)
    assert down, f"no request failed while {target.service} was down"
    failures = [o for o in stream.outcomes if not o.ok]
    # A request the kill cut while the service was writing its answer (started before the kill, answered after)
    # may get 502: the service closed the connection after the answer's head, an invalid answer by the rule of
    # tests/gateway/test_smuggling.py (nginx answers the same). Every other failure is the gateway's 503.
    cut = [o for o in failures if o.started < killed_at <= o.started + o.duration_s]
    assert {o.status for o in cut} <= {502, 503}, {o.status for o in cut}
    rest = [o for o in failures if not (o.started < killed_at <= o.started + o.duration_s)]
    assert {o.status for o in rest} <= {503}, {o.status for o in rest}
    assert all(o.content_type == PROBLEM_JSON for o in failures)
    assert max(o.duration_s for o in stream.outcomes) < CLIENT_TIMEOUT_S

    # The restarted service logs structured lines carrying the request id the client chose, end to end.
    rid = f"drill-{stream.prefix}"
    traced = httpx.post(
        stack.url + target.path,
        json=target.body(f"TRACE{stream.prefix}"),
        headers={"Authorization": f"Bearer {stack.token()}", "X-Request-ID": rid},
        timeout=CLIENT_TIMEOUT_S,
    )
    assert traced.status_code == 201
    assert traced.headers["x-request-id"] == rid
    for proc in (stack.gateway, victim):
        mine = _access_lines(proc.log_path, rid)
        assert mine, f"{proc.app} logged no access line with request id {rid}"
        assert mine[0]["status"] == 201
        assert {"ts", "level", "app", "msg", "duration_ms"} <= mine[0].keys()

    # The gateway's own metrics counted every 503 it gave for this upstream; a service's metrics are never
    # served through the gateway, only to a direct peer.
    assert httpx.get(f"{stack.url}/{target.service}/metrics", timeout=CLIENT_TIMEOUT_S).status_code == 404
    assert "asn_http_requests_total" in httpx.get(victim.url + "/metrics", timeout=CLIENT_TIMEOUT_S).text
    scraped = httpx.get(stack.url + "/metrics", timeout=CLIENT_TIMEOUT_S).text
    counted = sum(
        value
        for labels, value in samples(scraped, "asn_http_requests_total")
        if labels["route"] == f"upstream:{target.service}" and labels["status"] == "503"
    )
    assert counted == sum(1 for o in stream.outcomes if o.status == 503)

    acknowledged = stream.acknowledged()
    stored = asyncio.run(stored_keys(own_database, target, stream.prefix))
    assert acknowledged <= stored, f"acknowledged but lost: {sorted(acknowledged - stored)[:10]}"
    # What was acknowledged is stored exactly as sent (count and checksum of the rows).
    checksum = asyncio.run(stored_checksum(own_database, target, acknowledged))
    assert checksum == expected_checksum(target, acknowledged)
    drill_report(
        summary(
            f"service-killed ({target.service})",
            stream,
            stored,
            down_s=round(restarted_at - killed_at, 2),
            recovery_after_restart_s=round(back_at - restarted_at, 2),
            failed_while_down=len(down),
            drill_s=round(time.monotonic() - began, 1),
        )
    )


def _access_lines(path: Path, rid: str, timeout_s: float = 5.0) -> list[dict[str, object]]:
    """The JSON access lines with request id ``rid``; the line is written once the response is sent, so it
    may land a moment after the client has its answer."""
    deadline = time.monotonic() + timeout_s
    while True:
        lines = [json.loads(x) for x in path.read_text().splitlines() if x.startswith("{")]
        mine = [x for x in lines if x.get("request_id") == rid and x.get("logger") == "asn.access"]
        if mine or time.monotonic() > deadline:
            return mine
        time.sleep(0.1)
