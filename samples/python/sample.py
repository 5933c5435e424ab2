"""A small client of the ASN Bengkulu API that needs only httpx and the published spec (openapi/gateway.json).

Operations are looked up by their operationId, so the paths come from the contract, not from this file:
a supervisor logs in, lists the employees they may see, evaluates and finalises one direct report for the
current quarter, enrols that report in an open training session, and reads the public feed.

    python samples/python/sample.py --base-url http://127.0.0.1:8000
    python samples/python/sample.py --base-url ... --username atasan.bkd --password bengkulu-demo

Each step prints one line ``ok <step>: ...``; any failure prints the problem document and exits 1.
The defaults are the demo accounts (``make run`` loads them).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import httpx

DEFAULT_SPEC = Path(__file__).resolve().parents[2] / "openapi" / "gateway.json"


class ApiError(Exception):
    """An answer that was not the one the step needed; carries the problem document."""


class Api:
    """Calls operations of the spec by operationId: ``api.call("kinerja_employees_list", params=...)``."""

    def __init__(self, base_url: str, spec: dict[str, Any], *, timeout_s: float = 20.0) -> None:
        self.routes: dict[str, tuple[str, str]] = {
            op["operationId"]: (method.upper(), path)
            for path, item in spec["paths"].items()
            for method, op in item.items()
            if isinstance(op, dict) and "operationId" in op
        }
        self.http = httpx.Client(base_url=base_url, timeout=timeout_s, trust_env=False)
        self.token: str | None = None

    def close(self) -> None:
        self.http.close()

    def call(
        self, operation_id: str, *, expect: int = 200, path: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        method, template = self.routes[operation_id]
        url = template.format(**(path or {}))
        headers = dict(kwargs.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        resp = self.http.request(method, url, headers=headers, **kwargs)
        if resp.status_code != expect:
            raise ApiError(f"{operation_id}: {method} {url} answered {resp.status_code}: {resp.text}")
        return resp


BERAKHLAK = (
    "BERORIENTASI_PELAYANAN",
    "AKUNTABEL",
    "KOMPETEN",
    "HARMONIS",
    "LOYAL",
    "ADAPTIF",
    "KOLABORATIF",
)


def current_quarter(today: date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def run(api: Api, username: str, password: str) -> list[str]:
    """The five steps; returns the lines it printed."""
    lines: list[str] = []

    def ok(step: str, detail: str) -> None:
        line = f"ok {step}: {detail}"
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
        lines.append(line)

    # 1. Log in (RFC 6749 password grant, form-encoded).
    token = api.call(
        "issue_token", data={"grant_type": "password", "username": username, "password": password}
    ).json()
    api.token = token["access_token"]
    me = api.call("kinerja_whoami").json()
    ok("login", f"{me['subject']} with roles {', '.join(me['roles'])}, token for {token['expires_in']} s")

    # 2. Employees the caller may see (themself and their direct reports), one page.
    page = api.call("kinerja_employees_list", params={"limit": 50}).json()
    reports = [e for e in page["items"] if e["supervisor_nip"] == me["nip"] and e["active"]]
    if not reports:
        raise ApiError(f"{username} has no active direct reports to evaluate")
    ok("employees", f"{len(page['items'])} visible, {len(reports)} direct report(s)")
    report = reports[0]

    # 3. Evaluate that report for the current quarter: create, rate (If-Match), finalise (If-Match).
    period = current_quarter(date.today())
    created = api.call(
        "kinerja_evaluations_create", expect=201, json={"nip": report["nip"], "period": period}
    )
    evaluation_id = created.json()["id"]
    # The rating rests on the report's approved SKP: every main result is rated, and the seven BerAKHLAK levels
    # agree with the overall behaviour rating (their median).
    to_rate = api.call("kinerja_evaluations_main_results", path={"evaluation_id": evaluation_id}).json()
    sesuai = "SESUAI_EKSPEKTASI"
    rated = api.call(
        "kinerja_evaluations_update",
        path={"evaluation_id": evaluation_id},
        headers={"If-Match": created.headers["ETag"]},
        json={
            "result_rating": sesuai,
            "behavior_rating": sesuai,
            "main_ratings": {
                item["skp_result_id"]: {"rating": sesuai, "note": "sesuai target"}
                for item in to_rate["items"]
            },
            "behavior_notes": {value: {"level": sesuai} for value in BERAKHLAK},
        },
    )
    final = api.call(
        "kinerja_evaluations_finalize",
        path={"evaluation_id": evaluation_id},
        headers={"If-Match": rated.headers["ETag"]},
    ).json()
    ok("finalize", f"{report['nip']} {period}: {final['status']}, predikat {final['predikat']}")

    # 4. Enrol the report in an open session that any position may join.
    sessions = api.call("pelatihan_sessions_list", params={"open": "true", "limit": 50}).json()["items"]
    target = next((s for s in sessions if not s.get("eligible_position_types")), None)
    if target is None:
        raise ApiError("no open training session to enrol in")
    enrolment = api.call(
        "pelatihan_enrolments_create",
        expect=201,
        path={"session_id": target["id"]},
        json={"nip": report["nip"]},
    ).json()
    ok("enrol", f"session {target['id']}: {enrolment['status']}")

    # 5. The public feed needs no token.
    api.token = None
    feed = api.call("publik_feed_list", params={"limit": 10}).json()
    kinds = sorted({item["kind"] for item in feed["items"]})
    ok("feed", f"{len(feed['items'])} item(s) ({', '.join(kinds) or 'nothing published yet'})")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="the gateway")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="the gateway's OpenAPI (JSON)")
    parser.add_argument("--username", default="atasan.bkd", help="a supervisor (demo: atasan.bkd)")
    parser.add_argument("--password", default="bengkulu-demo")
    args = parser.parse_args(argv)
    api = Api(args.base_url, json.loads(args.spec.read_text()))
    try:
        run(api, args.username, args.password)
    except (ApiError, httpx.HTTPError, KeyError) as exc:
        sys.stderr.write(f"failed: {exc}\n")
        return 1
    finally:
        api.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
