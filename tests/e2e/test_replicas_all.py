"""Two replicas of every service behind the gateway, as real processes on loopback: the end-to-end checks
of test_platform.py pass through them, a small write/read flow spreads over both replicas of each, and
with one replica of each killed every request still succeeds.

The replica killed is the second of each: the Stack points the services' calls to each other at the first
instance of the callee (in Kubernetes that is a Service name in front of every replica)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.common.apps import SERVICE_NAMES
from tests.e2e import test_platform
from tests.support.stack import Stack, small_pools

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def replicas(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(
        database_url=e2e_database,
        workdir=Path(tmp_path_factory.mktemp("e2e-replicas-all")),
        instances=dict.fromkeys(SERVICE_NAMES, 2),
        extra_env=small_pools(),
    )
    try:
        s.start()
        yield s
    finally:
        s.stop()


def served_ids(stack: Stack, app: str) -> list[set[str]]:
    """Request ids each replica of ``app`` logged an access line for."""
    out = []
    for proc in stack.procs[app]:
        ids = set()
        for line in proc.log_path.read_text().splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("logger") == "asn.access" and entry.get("request_id"):
                    ids.add(entry["request_id"])
        out.append(ids)
    return out


def test_platform_checks_pass_through_two_replicas_of_everything(replicas: Stack) -> None:
    assert all(len(replicas.procs[app]) == 2 for app in SERVICE_NAMES)
    test_platform.test_gateway_ready_lists_every_upstream(replicas)
    test_platform.test_service_rejects_request_without_token_through_gateway(replicas)
    test_platform.test_internal_paths_are_never_forwarded(replicas)
    test_platform.test_jwks_serves_the_token_key_and_publiks_snapshot_key(replicas)
    body = httpx.get(replicas.url + "/readyz", timeout=10).json()
    for app in SERVICE_NAMES:
        assert len(json.dumps(body["upstreams"][app])) > 0


def test_login_and_one_request_id_on_every_replica(replicas: Stack) -> None:
    headers = {"Authorization": f"Bearer {replicas.token()}"}
    with httpx.Client(base_url=replicas.url, timeout=10) as client:
        for app in SERVICE_NAMES:
            rids = [f"rep-{app}-{i}-{uuid.uuid4().hex[:6]}" for i in range(12)]
            for rid in rids:
                resp = client.get(f"/{app}/v1/whoami", headers={**headers, "X-Request-ID": rid})
                assert resp.status_code == 200, resp.text
                assert resp.headers.get_list("x-request-id") == [rid]
                assert "admin" in resp.json()["roles"]
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                seen = served_ids(replicas, app)
                if all(s & set(rids) for s in seen) and set(rids) <= set().union(*seen):
                    break
                time.sleep(0.1)
            seen = served_ids(replicas, app)
            assert all(s & set(rids) for s in seen), f"a replica of {app} served none of the requests"
            assert set(rids) <= set().union(*seen), f"{app}: a request id was not logged"


def flow(stack: Stack, headers: dict[str, str], tag: str) -> dict[str, int]:
    """Write through the gateway, then read back many times (each read may land on either replica)."""
    counts = {"writes": 0, "reads": 0}
    with httpx.Client(base_url=stack.url, timeout=15) as c:
        unit = c.post(
            "/kinerja/v1/units", json={"code": f"REP-{tag}", "name": f"Replica {tag}"}, headers=headers
        )
        assert unit.status_code == 201, unit.text
        inst = c.post(
            "/pelatihan/v1/institutions", json={"name": f"Replica {tag}", "kind": "LAINNYA"}, headers=headers
        )
        assert inst.status_code == 201, inst.text
        form = c.post("/publik/v1/surveys/form-token", json={"unit_id": unit.json()["id"]})
        assert form.status_code == 201, form.text
        survey = c.post(
            "/publik/v1/surveys",
            json={"unit_id": unit.json()["id"], "answers": [4] * 9, "form_token": form.json()["token"]},
        )
        assert survey.status_code == 201, survey.text
        counts["writes"] += 3
        for _ in range(10):
            got = c.get(f"/kinerja/v1/units/{unit.json()['id']}", headers=headers)
            assert got.status_code == 200
            assert got.json()["code"] == f"REP-{tag}"
            names = [
                i["name"]
                for i in c.get("/pelatihan/v1/institutions", params={"limit": 200}, headers=headers).json()[
                    "items"
                ]
            ]
            assert f"Replica {tag}" in names
            ikm = c.get(
                "/publik/v1/ikm", params={"unit_id": unit.json()["id"], "year": time.gmtime().tm_year}
            )
            assert ikm.status_code == 200, ikm.text
            counts["reads"] += 3
    return counts


def test_write_read_flow_then_one_replica_of_each_dies(replicas: Stack) -> None:
    headers = {"Authorization": f"Bearer {replicas.token()}"}
    flow(replicas, headers, uuid.uuid4().hex[:6].upper())
    for app in SERVICE_NAMES:
        replicas.procs[app][1].kill()
    statuses: list[int] = []
    with httpx.Client(base_url=replicas.url, timeout=15) as c:
        for _ in range(10):
            for app in SERVICE_NAMES:
                statuses.append(c.get(f"/{app}/v1/whoami", headers=headers).status_code)
    assert statuses == [200] * len(statuses)
    # Writes and reads keep succeeding on the replicas that are left.
    flow(replicas, headers, uuid.uuid4().hex[:6].upper())
