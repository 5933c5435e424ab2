"""IDOR sweep: for every endpoint of the merged spec that takes an id or a NIP, a caller who may not see the
victim's object gets 403 or 404 (a write may also fail validation first: 422/428), never the data, and the
victim's objects are unchanged afterwards.

The victim is a demo employee in another unit than the demo ``pegawai.bkd``/``atasan.bkd``, with an SKP,
a result, an evaluation by their own supervisor and an enrolment in another institution's session than the
demo mitra's; the demo's transferred employee gives a result with a part by the earlier supervisor, and
publik holds a service, a citizen's comment and an SKM period of the victim's unit. A unit_admin of the
demo's own unit is one more intruder. Paths are enumerated from the spec: a new path whose parameter has no victim value fails the
test until it is classified here."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest

from services.common.clock import today
from services.kinerja_api.calendar.periods import quarter_of
from tests.support.seeded import Seeded, client_token, login

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Readable by those callers by design (api-contract): (method, path) -> why.
PUBLIC = {
    ("get", "/kinerja/v1/units/{unit_id}"): "the unit registry: any employee reads it",
    ("get", "/kinerja/v1/calendar/{period}"): "the evaluation calendar is the same for everyone",
    ("get", "/kinerja/v1/calendar/{period}/rules"): "a year's objection days are the same for everyone",
    ("get", "/pelatihan/v1/certificates/{number}"): "anyone verifies a certificate",
    ("get", "/pelatihan/v1/sessions/{session_id}"): "the training catalogue",
    ("get", "/pelatihan/v1/sessions/{session_id}/feedback"): "aggregated, anonymous session feedback",
    ("post", "/pelatihan/v1/sessions/{session_id}/feedback"): "a participant's own feedback (checked there)",
    ("get", "/publik/embed/units/{unit_id}"): "public",
    ("get", "/publik/v1/items/{item_id}"): "public",
    ("get", "/publik/v1/snapshots/{n}"): "public",
    ("get", "/publik/v1/units/{unit_id}/scorecard"): "public",
    ("get", "/publik/v1/units/{unit_id}/trends"): "public (published figures only)",
    ("get", "/publik/v1/units/{unit_id}/trends/{figure}.svg"): "public (published figures only)",
}
# Integrators read the kinerja registry, SKPs and evaluations by design (docs/kinerja.md "Who reads an
# evaluation", ``reads_all`` in the routers): the SIASN export and payroll integrations need them.
INTEGRATOR_READS = ("/kinerja/v1/employees/{nip}", "/kinerja/v1/evaluations/{", "/kinerja/v1/skp/{")
# An integrator with kinerja:individual reads a JF's credit points by design; before the annual result is
# FINAL (or for someone without a jenjang) the answer is a 409 naming what is missing (issue 17).
INTEGRATOR_CONFLICTS = ("/kinerja/v1/employees/{nip}/credit-points",)
DENIED = {403, 404}
DENIED_WRITE = {403, 404, 422, 428}


@dataclass
class Victim:
    nip: str
    supervisor_nip: str
    unit_id: str
    name: str
    values: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    supervisor_headers: dict[str, str] = field(default_factory=dict)
    random_ids: list[str] = field(default_factory=list)


def make_account(s: Seeded, nip: str | None, *, unit_admin_of: str | None = None) -> dict[str, str]:
    username = f"idor.{uuid.uuid4().hex[:8]}"
    account: dict[str, Any] = (
        {"roles": ["unit_admin"], "unit_id": unit_admin_of}
        if unit_admin_of
        else {"roles": ["pegawai"], "nip": nip}
    )
    r = httpx.post(
        s.url + "/auth/accounts",
        json={"username": username, "password": "idor-password-123", **account},
        headers=s.headers("admin"),
        timeout=10,
    )
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {login(s.url, username, 'idor-password-123')}"}


def build_victim(s: Seeded) -> Victim:
    admin = s.headers("admin")
    with httpx.Client(base_url=s.url, timeout=15) as c:
        me = c.get(f"/kinerja/v1/employees/{s.nips['pegawai']}", headers=admin).json()
        emps = c.get("/kinerja/v1/employees", params={"limit": 200}, headers=admin).json()["items"]
        mine = {s.nips["pegawai"], s.nips["supervisor"]}
        v = next(
            e
            for e in emps
            if e["supervisor_nip"]
            and e["unit_id"] != me["unit_id"]
            and e["nip"] not in mine
            and e["supervisor_nip"] not in mine
            and e["position_type"] in ("PELAKSANA", "FUNGSIONAL")
        )
        victim = Victim(v["nip"], v["supervisor_nip"], v["unit_id"], v["name"])
        victim.headers = make_account(s, v["nip"])
        victim.supervisor_headers = make_account(s, v["supervisor_nip"])
        values = victim.values
        values["nip"] = v["nip"]
        values["unit_id"] = v["unit_id"]
        skp = c.post("/kinerja/v1/skp", json={"year": 2026}, headers=victim.headers)
        assert skp.status_code == 201, skp.text
        values["skp_id"] = skp.json()["id"]
        result = c.post(
            f"/kinerja/v1/skp/{values['skp_id']}/results",
            json={
                "kind": "TAMBAHAN",
                "text": "Hasil kerja korban",
                "indicators": [{"text": "Dokumen", "target": "10"}],
            },
            headers=victim.headers,
        )
        assert result.status_code == 201, result.text
        values["result_id"] = (
            result.json()["results"][-1]["id"] if "results" in result.json() else result.json()["id"]
        )
        ev = c.post(
            "/kinerja/v1/evaluations",
            # The current quarter: the demo's reporting line holds from the start of its finished quarter.
            json={"nip": v["nip"], "period": quarter_of(today()).code},
            headers=victim.supervisor_headers,
        )
        assert ev.status_code == 201, ev.text
        values["evaluation_id"] = ev.json()["id"]
        # A penilai delegation for the victim (admins only: every other caller is refused).
        delegation = c.post(
            "/kinerja/v1/penilai-delegations",
            json={
                "delegate_nip": v["supervisor_nip"],
                "for_nip": v["nip"],
                "valid_from": "2026-01-01",
                "valid_to": "2026-12-31",
                "decree_number": "800/IDOR/2026",
            },
            headers=admin,
        )
        assert delegation.status_code == 201, delegation.text
        values["delegation_id"] = delegation.json()["id"]
        sessions = c.get(
            "/pelatihan/v1/sessions", params={"open": "true", "limit": 200}, headers=admin
        ).json()
        for sess in sessions["items"]:
            if sess.get("institution_id") == s.institution_id or sess.get("eligible_position_types"):
                continue
            r = c.post(
                f"/pelatihan/v1/sessions/{sess['id']}/enrolments",
                json={"nip": v["nip"]},
                headers=victim.headers,
            )
            if r.status_code == 201:
                values["session_id"] = sess["id"]
                values["enrolment_id"] = r.json()["id"]
                break
        # A claim of outside learning (issue 18): only the victim, their supervisor and training admins see it.
        ended = today() - timedelta(days=2)
        claim = c.post(
            "/pelatihan/v1/outside-learning",
            json={
                "path": "SEMINAR_WORKSHOP",
                "title": "Seminar korban",
                "provider": "Universitas Bengkulu",
                "certificate_number": f"IDOR-{v['nip']}",
                "starts_on": ended.isoformat(),
                "ends_on": ended.isoformat(),
                "jp": 4,
                "evidence_url": "https://unib.ac.id/sertifikat/idor",
            },
            headers=victim.headers,
        )
        assert claim.status_code == 201, claim.text
        values["claim_id"] = claim.json()["id"]
        # The demo integrator's webhook endpoint: another integrator must not see or change it.
        hook = c.post(
            "/webhooks/endpoints",
            json={"url": "https://tpp.bengkuluprov.go.id/hooks/asn", "event_types": ["evaluation.finalized"]},
            headers={"Authorization": f"Bearer {s.tokens['integrator']}"},
        )
        if hook.status_code == 201:
            values["endpoint_id"] = hook.json()["id"]
        pubs = c.get("/publik/v1/publications", headers=admin).json().get("items", [])
        if pubs:
            values["publication_id"] = pubs[0]["id"]
        values["part_result_id"], values["part_id"] = build_part(s, c, mine)
        build_publik(c, admin, values)
    # Objects the seed has none of and that take a long flow to make (an objection to a final evaluation,
    # a realisation of an approved SKP): probed with an unknown id, which must still be 403/404.
    for name in ("objection_id", "realization_id", "publication_id", "endpoint_id"):
        if name not in values:
            values[name] = str(uuid.uuid4())
            victim.random_ids.append(name)
    return victim


def build_part(s: Seeded, c: httpx.Client, mine: set[str]) -> tuple[str, str]:
    """The demo's transfer: the new supervisor opens the transferred employee's result for the demo period,
    the earlier supervisor opens their part of it. Returns the result's and the part's ids (the victim's own
    result is not divided: the sweep probes the paths under ``/parts`` with this result)."""
    moved = s.demo["demo_transfer"]
    assert not {moved["nip"], moved["from_supervisor"], moved["to_supervisor"]} & mine
    new_sup = make_account(s, moved["to_supervisor"])
    old_sup = make_account(s, moved["from_supervisor"])
    ev = c.post(
        "/kinerja/v1/evaluations",
        json={"nip": moved["nip"], "period": s.demo["demo_period"]},
        headers=new_sup,
    )
    assert ev.status_code == 201, ev.text
    part = c.post(f"/kinerja/v1/evaluations/{ev.json()['id']}/parts", json={}, headers=old_sup)
    assert part.status_code == 201, part.text
    return str(ev.json()["id"]), str(part.json()["id"])


def build_publik(c: httpx.Client, admin: dict[str, str], values: dict[str, str]) -> None:
    """publik's objects of the victim's unit: a service of its catalogue, a citizen's comment (sent the way
    a citizen sends one: a form token, then the answers) and an SKM period of the province."""
    unit = values["unit_id"]
    svc = c.post(f"/publik/v1/units/{unit}/services", json={"name": "Layanan korban"}, headers=admin)
    assert svc.status_code == 201, svc.text
    values["service_id"] = svc.json()["id"]
    token = c.post("/publik/v1/surveys/form-token", json={"unit_id": unit})
    assert token.status_code == 201, token.text
    answer = c.post(
        "/publik/v1/surveys",
        json={
            "unit_id": unit,
            "answers": [3] * 9,
            "comment": "Antrean lama di loket korban.",
            "form_token": token.json()["token"],
        },
    )
    assert answer.status_code == 201, answer.text
    values["comment_id"] = answer.json()["id"]
    code = f"{today().year}-S1"
    period = c.post("/publik/v1/skm-periods", json={"code": code}, headers=admin)
    assert period.status_code == 201, period.text
    values["code"] = code


def state_of(s: Seeded, v: Victim) -> dict[str, Any]:
    admin = s.headers("admin")
    with httpx.Client(base_url=s.url, timeout=15) as c:
        out: dict[str, Any] = {
            "skp": c.get(f"/kinerja/v1/skp/{v.values['skp_id']}", headers=admin).json(),
            "evaluation": c.get(f"/kinerja/v1/evaluations/{v.values['evaluation_id']}", headers=admin).json(),
            "employee": c.get(f"/kinerja/v1/employees/{v.nip}", headers=admin).json(),
        }
        out["part"] = c.get(
            f"/kinerja/v1/evaluations/{v.values['part_result_id']}/parts/{v.values['part_id']}", headers=admin
        ).json()
        out["service"] = c.get(f"/publik/v1/services/{v.values['service_id']}", headers=admin).json()
        out["comments"] = c.get(
            "/publik/v1/comments", params={"unit_id": v.values["unit_id"]}, headers=admin
        ).json()
        out["periods"] = c.get("/publik/v1/skm-periods", headers=admin).json()
        out["feed"] = c.get(
            "/publik/v1/feed", params={"unit_id": v.values["unit_id"], "kind": "TINDAK_LANJUT"}, headers=admin
        ).json()
        out["claim"] = c.get(f"/pelatihan/v1/outside-learning/{v.values['claim_id']}", headers=admin).json()
        out["caps"] = c.get("/pelatihan/v1/outside-learning/caps", headers=admin).json()
        if "enrolment_id" in v.values:
            out["enrolment"] = c.get(
                f"/pelatihan/v1/enrolments/{v.values['enrolment_id']}", headers=admin
            ).json()
    return out


def body_for(method: str, path: str, v: Victim) -> dict[str, Any] | None:
    if method in ("get", "delete"):
        return None
    if path.endswith("/enrolments"):
        return {"nip": v.nip}
    if path.endswith("/attendance"):
        return {"on": "2026-06-01", "present": [v.nip]}
    if path.endswith("/complete"):
        return {"passed": True, "score": 90}
    if "/evaluations/{evaluation_id}" in path and method == "patch":
        return {"result_rating": "SESUAI_EKSPEKTASI"}
    if path.endswith("/results"):
        return {"kind": "UTAMA", "text": "x", "indicators": [{"text": "x", "target": "1"}]}
    if path.endswith(("/return", "/reopen", "/objections", "/decide", "/close", "/verify", "/reject")):
        return {"reason": "IDOR probe"}
    if path.endswith("/outside-learning/{claim_id}/revoke"):
        return {"reason": "IDOR probe"}
    if path.endswith("/caps/{path}"):
        return {"jp_per_year": 99}
    if path.endswith("/employees/{nip}"):
        return {"position": "Changed by an intruder"}
    # publik's unit writes get a valid body, so that a 422 cannot stand in for the refusal.
    if path.endswith("/services"):
        return {"name": "Layanan penyusup"}
    if path.endswith("/services/{service_id}"):
        return {"name": "Diubah penyusup", "active": False}
    if path.endswith("/follow-ups"):
        return {"period": f"{today().year}-S1", "statement": "Tindak lanjut palsu dari unit lain."}
    if path.endswith("/service-population"):
        return {"population": 1234}
    return {}


def test_no_caller_sees_or_changes_anothers_objects(seeded: Seeded) -> None:
    v = build_victim(seeded)
    before = state_of(seeded, v)
    own_unit = httpx.get(
        f"{seeded.url}/kinerja/v1/employees/{seeded.nips['pegawai']}",
        headers=seeded.headers("admin"),
        timeout=10,
    ).json()["unit_id"]
    assert own_unit != v.unit_id
    other_client = httpx.post(
        seeded.url + "/auth/clients",
        json={"name": "idor integrator", "roles": ["integrator"]},
        headers=seeded.headers("admin"),
        timeout=10,
    ).json()
    intruders = {
        "other employee": seeded.headers("pegawai"),
        "other supervisor": seeded.headers("supervisor"),
        "mitra of another institution": seeded.headers("mitra"),
        "integrator": {
            "Authorization": f"Bearer {client_token(seeded.url, other_client['client_id'], other_client['client_secret'])}"
        },
        # A unit admin acts for its own unit only: not the victim's comments, services or follow-ups.
        "unit_admin of another unit": make_account(seeded, None, unit_admin_of=own_unit),
    }
    spec: dict[str, Any] = httpx.get(seeded.url + "/openapi.json", timeout=10).json()
    fixed = {
        **v.values,
        "period": "2026-Q1",
        "year": "2026",
        "username": "admin",
        # Revoking a subject's tokens is the admin's alone: no intruder may log the victim out.
        "subject": v.values["nip"],
        "client_id": "demo-integrator",
        "number": "BGK-2026-NOPE",
        "path": "SEMINAR_WORKSHOP",
        "n": "1",
        "figure": "predikat",
    }
    leaks: list[str] = []
    unclassified: list[str] = []
    swept = 0
    with httpx.Client(base_url=seeded.url, timeout=15) as c:
        for path, item in sorted(spec["paths"].items()):
            params = re.findall(r"\{([^}]+)\}", path)
            if not params:
                continue
            for method in ("get", "post", "put", "patch", "delete"):
                if (
                    method not in item
                    or (method, path) in PUBLIC
                    or (path.startswith("/publik/v1/") and method == "get")
                ):
                    continue
                missing = [p for p in params if p not in fixed]
                if missing:
                    unclassified.append(f"{method.upper()} {path} ({', '.join(missing)})")
                    continue
                # A part's paths name its result: the transferred employee's, not the victim's undivided one.
                ids = {**fixed, "evaluation_id": fixed["part_result_id"]} if "/parts" in path else fixed
                url = path
                for p in params:
                    url = url.replace("{" + p + "}", ids[p])
                body = body_for(method, path, v)
                # Required query parameters (``?year=`` of credit points, the evaluation document) get a valid
                # value, so the request reaches the object check instead of stopping at 422.
                query = {
                    q["name"]: fixed[q["name"]]
                    for q in item[method].get("parameters", [])
                    if q.get("in") == "query" and q.get("required") and q["name"] in fixed
                }
                for who, headers in intruders.items():
                    resp = c.request(
                        method, url, params=query, json=body, headers={**headers, "If-Match": '"1"'}
                    )
                    swept += 1
                    allowed = DENIED if method == "get" else DENIED_WRITE
                    if who == "integrator" and method == "get" and path.startswith(INTEGRATOR_READS):
                        allowed = {200, *allowed}
                    if who == "integrator" and method == "get" and path in INTEGRATOR_CONFLICTS:
                        allowed = {409, *allowed}
                    if resp.status_code not in allowed:
                        leaks.append(f"{method.upper()} {url} as {who}: {resp.status_code} {resp.text[:150]}")
                    elif resp.status_code >= 400 and v.name in resp.text:
                        leaks.append(f"{method.upper()} {url} as {who}: the error names the victim")
    after = state_of(seeded, v)
    assert not unclassified, f"paths with an id no victim value covers: {unclassified}"
    assert not leaks, "\n".join(leaks)
    assert after == before, "an intruder changed the victim's objects"
    assert swept >= 150
    assert "enrolment_id" in v.values, (
        "the victim could not enrol: the enrolment paths were probed with nothing"
    )
    # endpoint_id: creating a webhook endpoint resolves its host (SSRF check), which needs DNS.
    assert set(v.random_ids) <= {"objection_id", "realization_id", "publication_id", "endpoint_id"}
