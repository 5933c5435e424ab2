"""Two instances of a service behind the gateway: both serve, and losing one loses no request."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def replicated(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(
        database_url=e2e_database,
        workdir=Path(tmp_path_factory.mktemp("e2e-replicas")),
        instances={"kinerja": 2},
    )
    try:
        s.start()
        yield s
    finally:
        s.stop()


def _served_request_ids(path: Path) -> set[str]:
    ids = set()
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "asn.access" and entry.get("request_id"):
                ids.add(entry["request_id"])
    return ids


def test_both_instances_serve_and_one_may_die(replicated: Stack) -> None:
    headers = {"Authorization": f"Bearer {replicated.token()}"}
    first, second = replicated.procs["kinerja"]
    with httpx.Client(timeout=10) as client:
        rids = [f"replica-{i}" for i in range(20)]
        for rid in rids:
            resp = client.get(replicated.url + "/kinerja/v1/whoami", headers={**headers, "X-Request-ID": rid})
            assert resp.status_code == 200
        # Access lines are written just after each response: give them a moment to land.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (
            _served_request_ids(first.log_path) & set(rids)
            and _served_request_ids(second.log_path) & set(rids)
        ):
            time.sleep(0.1)
        assert _served_request_ids(first.log_path) & set(rids)
        assert _served_request_ids(second.log_path) & set(rids)

        first.kill()
        statuses = [
            client.get(replicated.url + "/kinerja/v1/whoami", headers=headers).status_code for _ in range(30)
        ]
        assert statuses == [200] * 30
