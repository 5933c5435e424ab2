"""The bounded fuzz run of the test command: schemathesis over the gateway's merged OpenAPI (every
service's paths with their /kinerja, /pelatihan, /publik prefix, and the gateway's own), against the four
apps as real processes on a seeded database, as every role and with no token.

It must find no 5xx and no response that breaks the declared schema (status code, content type, body).
The longer run is ``scripts/fuzz.py`` (``make fuzz``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fuzz.runner import FuzzReport, run_fuzz
from tests.support.seeded import Seeded, seeded_stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CALLERS = ("admin", "pegawai", "supervisor", "pelatihan_admin", "mitra", "integrator", None)


@pytest.fixture(scope="module")
def seeded(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    with seeded_stack(pg_server, Path(tmp_path_factory.mktemp("fuzz"))) as s:
        yield s


def known_path_values(s: Seeded) -> dict[str, list[str]]:
    """Real ids from the seed, so that some cases reach real objects."""
    admin = s.headers("admin")

    def ids(url: str, key: str = "id") -> list[str]:
        resp = httpx.get(s.url + url, headers=admin, params={"limit": 3}, timeout=10)
        return (
            [str(item[key]) for item in resp.json().get("items", [])][:3] if resp.status_code == 200 else []
        )

    return {
        "unit_id": ids("/kinerja/v1/units"),
        "nip": [s.nips["pegawai"], s.nips["supervisor"]],
        "session_id": ids("/pelatihan/v1/sessions"),
        "evaluation_id": ids("/kinerja/v1/evaluations"),
        "skp_id": ids("/kinerja/v1/skp"),
        "item_id": ids("/publik/v1/feed"),
        "publication_id": ids("/publik/v1/publications"),
    }


# The bounded run's budget grows with the spec (per operation) up to a hard cap that keeps CI's fuzz step
# within about four minutes; every operation gets every caller's first example before any gets more.
SECONDS_PER_OPERATION = 1.2
HARD_CAP_S = 240.0


def run_bounded(s: Seeded, per_caller: dict[str | None, int], budget_s: float = HARD_CAP_S) -> FuzzReport:
    callers = {str(c or "anonymous"): s.headers(c) for c in CALLERS}
    return run_fuzz(
        s.url,
        callers,
        max_examples=2,
        examples_for=lambda c: per_caller.get(None if c == "anonymous" else c, 1),
        known_path_values=known_path_values(s),
        time_budget_s=budget_s,
        seconds_per_operation=SECONDS_PER_OPERATION,
    )


def test_fuzz_finds_no_server_error_and_no_schema_violation(seeded: Seeded) -> None:
    report = run_bounded(seeded, per_caller={"admin": 4, "pegawai": 2, None: 2})
    sys.stderr.write(f"FUZZ {report.summary()}\n")
    distinct = report.distinct_failures()
    lines = [
        f"{op} [{f.caller}] {check} {status}: {f.detail}\n    {f.curl}"
        for (op, check, status), f in sorted(distinct.items(), key=lambda kv: str(kv[0]))
    ]
    sys.stderr.write("\n".join(lines) + "\n")
    assert not report.errors, "\n".join(report.errors[:20])
    assert not distinct, f"{len(distinct)} distinct failures:\n" + "\n".join(lines[:40])
    assert len(report.operations_run) == report.operations, (
        "the time budget ran out before every operation had one example per caller: " + report.summary()
    )
    # No token: nothing protected answered 2xx (the checks above only look at the schema).
    assert report.cases > report.operations * 7
