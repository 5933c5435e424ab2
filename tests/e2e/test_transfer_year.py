"""A year with two transfers, through the gateway with real logins on the test clock (issue 15, domain.md
§11.1): Siti reports to A, moves to a new position under B on 15 March 2026 and back under A on 20 May.
Each stretch gets its own SKP and is assessed by the right person; Q1, Q2 and the annual evaluation (with
the clock in January 2027) each end with one result; the former supervisor reads the evidence of the dates
they assessed and nothing newer; the predikat curve, the SIASN export and the aggregate for publik count
Siti once per period."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.kinerja_api.samples import numbered_nip
from tests.support.stack import Stack, running_on_clock

pytestmark = pytest.mark.e2e

HEAD, A, B, SITI = (numbered_nip(i) for i in (31, 32, 33, 34))


def siasn_id(nip: str) -> str:
    """A SIASN person id for a test employee (32 hexadecimal digits)."""
    return hashlib.md5(nip.encode()).hexdigest().upper()


PASSWORD = "transfer-password-123"
S, DA = "SESUAI_EKSPEKTASI", "DI_ATAS_EKSPEKTASI"
EVIDENCE = "https://drive.bengkuluprov.go.id/bkd/siti-2026-q1.pdf"


@pytest.fixture(scope="module")
def stack(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_on_clock(
        e2e_database, Path(tmp_path_factory.mktemp("e2e-transfer")), "2026-01-05T10:00:00+07:00"
    ) as s:
        yield s


def _ok(resp: httpx.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.request.method, str(resp.request.url), resp.text)
    return resp.json()


class World:
    """The stack, an admin and one logged-in client per person."""

    def __init__(self, stack: Stack, client: httpx.Client) -> None:
        self.stack, self.c = stack, client
        self.admin = {"Authorization": f"Bearer {stack.token()}"}
        self.auth: dict[str, dict[str, str]] = {}

    def at(self, instant: str) -> None:
        """Move the clock of every process (PUT /internal/v1/clock on each, never through the gateway)."""
        for procs in self.stack.procs.values():
            for proc in procs:
                r = httpx.put(
                    proc.url + "/internal/v1/clock", json={"now": instant}, headers=self.admin, timeout=10
                )
                assert r.status_code == 200, (proc.app, r.text)

    def login(self, nip: str) -> None:
        self.auth[nip] = {"Authorization": f"Bearer {self.stack.token(f'u{nip}', PASSWORD)}"}

    def get(self, who: str, path: str) -> httpx.Response:
        return self.c.get("/kinerja/v1" + path, headers=self.admin if who == "admin" else self.auth[who])

    def post(self, who: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        h = {**(self.admin if who == "admin" else self.auth[who]), **headers}
        return self.c.post("/kinerja/v1" + path, json=body, headers=h)

    def patch(self, who: str, path: str, body: Any, etag: str) -> httpx.Response:
        h = {**(self.admin if who == "admin" else self.auth[who]), "If-Match": etag}
        return self.c.patch("/kinerja/v1" + path, json=body, headers=h)

    def skp(self, nip: str, results: list[dict[str, Any]], approver: str) -> dict[str, Any]:
        """Siti's (or anyone's) SKP for the position held today, submitted and approved."""
        skp = _ok(self.post(nip, "/skp", {"year": 2026}), 201)
        for r in results:
            _ok(self.post(nip, f"/skp/{skp['id']}/results", {"kind": "UTAMA", **r}), 201)
        _ok(self.post(nip, f"/skp/{skp['id']}/submit"))
        out: dict[str, Any] = _ok(self.post(approver, f"/skp/{skp['id']}/approve"))
        return out

    def move(self, nip: str, **change: Any) -> None:
        etag = self.get("admin", f"/employees/{nip}").headers["ETag"]
        _ok(self.patch("admin", f"/employees/{nip}", change, etag))

    def rate(self, who: str, path: str, version: int) -> dict[str, Any]:
        # Anchored (issue 16): every main result of the SKPs covering the stretch, the seven BerAKHLAK levels.
        mains = _ok(self.get(who, f"/evaluations/{path.rsplit('/', 1)[1]}/main-results"))["items"]
        body = {
            "result_rating": DA,
            "behavior_rating": S,
            "main_ratings": {m["skp_result_id"]: {"rating": DA} for m in mains},
            "behavior_notes": {v: {"level": S} for v in BERAKHLAK},
        }
        out: dict[str, Any] = _ok(self.patch(who, path, body, f'"{version}"'))
        return out

    def part(self, who: str, result_id: str) -> dict[str, Any]:
        """``who`` takes the PART_TO_WRITE task the list offers them, rates and finalises the part."""
        tasks = _ok(self.get(who, "/me/tasks"))["items"]
        offered = [t for t in tasks if t["kind"] == "PART_TO_WRITE" and t["subject_nip"] == SITI]
        assert offered, tasks
        link = offered[0]["link"].removeprefix("/kinerja/v1")
        assert (link, offered[0]["method"]) == (f"/evaluations/{result_id}/parts", "POST")
        part = _ok(self.post(who, link, offered[0]["create_body"]), 201)
        url = f"/evaluations/{result_id}/parts/{part['id']}"
        self.rate(who, url, part["version"])
        done: dict[str, Any] = _ok(self.post(who, f"{url}/finalize"))
        assert (done["status"], done["predikat"]) == ("FINAL", None)
        return done

    def result(self, who: str, period: str) -> dict[str, Any]:
        tasks = _ok(self.get(who, "/me/tasks"))["items"]
        kinds = [t["kind"] for t in tasks if t["subject_nip"] == SITI and t["period"] == period]
        # One result to write (A also has a part of the annual one, for the stretch before 15 March).
        assert kinds.count("EVALUATION_TO_WRITE") == 1, kinds
        out: dict[str, Any] = _ok(self.post(who, "/evaluations", {"nip": SITI, "period": period}), 201)
        return out

    def finalize(self, who: str, result: dict[str, Any]) -> dict[str, Any]:
        rated = self.rate(who, f"/evaluations/{result['id']}", result["version"])
        out: dict[str, Any] = _ok(self.post(who, f"/evaluations/{rated['id']}/finalize"))
        assert (out["status"], out["predikat"], out["kind"]) == ("FINAL", "BAIK", "RESULT")
        return out


BERAKHLAK = ("BERORIENTASI_PELAYANAN", "AKUNTABEL", "KOMPETEN", "HARMONIS", "LOYAL", "ADAPTIF", "KOLABORATIF")


def _reset(stack: Stack, admin: dict[str, str]) -> None:
    for procs in stack.procs.values():
        for proc in procs:
            httpx.put(proc.url + "/internal/v1/clock", json={"now": None}, headers=admin, timeout=10)


def test_a_year_with_two_transfers(stack: Stack) -> None:
    with httpx.Client(base_url=stack.url, timeout=20) as client:
        w = World(stack, client)
        try:
            _year(w)
        finally:
            _reset(stack, w.admin)


def _year(w: World) -> None:
    unit = _ok(w.post("admin", "/units", {"code": "XFER", "name": "Bidang Mutasi"}), 201)["id"]
    for nip, boss, kind, position in (
        (HEAD, None, "JPT", "Kepala Badan"),
        (A, HEAD, "ADMINISTRATOR", "Kepala Bidang Mutasi"),
        (B, HEAD, "ADMINISTRATOR", "Kepala Bidang Penilaian"),
        (SITI, A, "PELAKSANA", "Analis Mutasi"),
    ):
        body = {
            "nip": nip,
            "name": f"Pegawai {nip[-4:]}",
            "unit_id": unit,
            "position": position,
            "position_type": kind,
            "rank": "III/b",
            "employment": "PNS",
            "supervisor_nip": boss,
            "effective_on": "2026-01-01",
            # SIASN names the person by its own id, never the NIP (issue 17).
            "siasn_id": siasn_id(nip),
        }
        _ok(w.post("admin", "/employees", body), 201)
        account = {"username": f"u{nip}", "password": PASSWORD, "roles": ["pegawai"], "nip": nip}
        _ok(w.c.post("/auth/accounts", json=account, headers=w.admin), 201)
        w.login(nip)

    # January: the SKPs cascade HEAD -> A, B -> Siti; Siti reports Q1 with evidence.
    def rhk(text: str, **shape: Any) -> dict[str, Any]:
        return {"text": text, "indicators": [{"text": f"IKI {text}", "target": "100%"}], **shape}

    head = w.skp(HEAD, [rhk("Layanan kepegawaian", perspective="PENERIMA_LAYANAN")], "admin")
    top = head["results"][0]["id"]
    sup = {
        n: w.skp(n, [rhk(f"Layanan bidang {n[-2:]}", parent_result_id=top, aspect="KUANTITAS")], HEAD)
        for n in (A, B)
    }
    parent = {n: s["results"][0]["id"] for n, s in sup.items()}
    skp1 = w.skp(SITI, [rhk("Berkas mutasi", parent_result_id=parent[A])], A)
    assert (skp1["valid_from"], skp1["valid_to"], skp1["position"]) == (
        "2026-01-01",
        "2027-01-01",
        "Analis Mutasi",
    )
    indicator = skp1["results"][0]["indicators"][0]["id"]
    report = {
        "period": "2026-Q1",
        "indicator_id": indicator,
        "realization": "120 berkas",
        "evidence_url": EVIDENCE,
    }
    _ok(w.post(SITI, f"/skp/{skp1['id']}/realizations", report), 201)

    # 15 March: a new position under B. The first SKP closes; the second cascades from B.
    w.at("2026-03-16T09:00:00+07:00")
    w.move(SITI, position="Analis Kebijakan", supervisor_nip=B, effective_on="2026-03-15")
    assert _ok(w.get(SITI, f"/skp/{skp1['id']}"))["valid_to"] == "2026-03-15"
    assert w.post(SITI, f"/skp/{skp1['id']}/realizations", report).status_code == 409
    skp2 = w.skp(SITI, [rhk("Kajian penilaian", parent_result_id=parent[B])], B)
    assert (skp2["valid_from"], skp2["position"]) == ("2026-03-15", "Analis Kebijakan")

    # April: B writes the Q1 result, A (offered a part, not a result) assesses 1 January-14 March.
    w.at("2026-04-02T09:00:00+07:00")
    q1 = w.result(B, "2026-Q1")
    assert (q1["evaluator_nip"], q1["period_start"]) == (B, "2026-03-15")
    part_a = w.part(A, q1["id"])
    assert (part_a["period_start"], part_a["period_end"]) == ("2026-01-01", "2026-03-14")
    # The former supervisor reads the part's evidence, and nothing newer.
    reals = _ok(w.get(A, f"/skp/{skp1['id']}/realizations?period=2026-Q1"))["items"]
    assert [r["evidence_url"] for r in reals] == [EVIDENCE]
    assert w.get(A, f"/skp/{skp1['id']}/realizations?period=2026-Q2").status_code == 404
    assert w.get(A, f"/skp/{skp2['id']}").status_code == 404
    assert [s["id"] for s in _ok(w.get(A, f"/skp?nip={SITI}"))["items"]] == [skp1["id"]]
    w.finalize(B, q1)

    # 20 May: back to the first position under A; a third SKP.
    w.at("2026-05-21T09:00:00+07:00")
    w.move(SITI, position="Analis Mutasi", supervisor_nip=A, effective_on="2026-05-20")
    skp3 = w.skp(SITI, [rhk("Berkas mutasi semester II", parent_result_id=parent[A])], A)
    assert (skp3["valid_from"], skp3["valid_to"]) == ("2026-05-20", "2027-01-01")
    years = _ok(w.get(SITI, f"/skp?nip={SITI}&year=2026"))["items"]
    assert [(s["valid_from"], s["valid_to"]) for s in years] == [
        ("2026-01-01", "2026-03-15"),
        ("2026-03-15", "2026-05-20"),
        ("2026-05-20", "2027-01-01"),
    ]

    # July: A writes the Q2 result, B assesses 1 April-19 May and then reads nothing of the third SKP.
    w.at("2026-07-02T09:00:00+07:00")
    q2 = w.result(A, "2026-Q2")
    part_b = w.part(B, q2["id"])
    assert (part_b["period_start"], part_b["period_end"]) == ("2026-04-01", "2026-05-19")
    assert w.get(B, f"/skp/{skp2['id']}").status_code == 200
    assert w.get(B, f"/skp/{skp3['id']}").status_code == 404
    w.finalize(A, q2)

    # January 2027: the annual result by A, with A's and B's earlier stretches as parts.
    w.at("2027-01-05T09:00:00+07:00")
    annual = w.result(A, "2026")
    w.part(A, annual["id"])
    w.part(B, annual["id"])
    parts = _ok(w.get(A, f"/evaluations/{annual['id']}/parts"))["items"]
    assert [(p["evaluator_nip"], p["period_start"], p["period_end"]) for p in parts] == [
        (A, "2026-01-01", "2026-03-14"),
        (B, "2026-03-15", "2026-05-19"),
    ]
    w.finalize(A, annual)

    # Once per period: the list, the curve, SIASN and the aggregate for publik.
    for period in ("2026-Q1", "2026-Q2", "2026"):
        listed = _ok(w.get("admin", f"/evaluations?period={period}&nip={SITI}"))["items"]
        assert [(e["kind"], e["status"]) for e in listed] == [("RESULT", "FINAL")], period
        curve = _ok(w.get("admin", f"/reports/predikat-distribution?period={period}&unit_id={unit}"))
        assert (curve["total"], curve["counts"]["BAIK"]) == (1, 1), (period, curve)
        published = _ok(w.post("admin", f"/publication/units/{unit}/periods/{period}"), 202)
        assert sum(published["data"]["counts"].values()) == 1, published
    for period, evaluator in (("2026-Q1", B), ("2026-Q2", A)):
        items = _ok(w.get("admin", f"/reports/siasn-kinerja?period={period}"))["items"]
        mine = [i for i in items if i["pnsDinilaiId"] == siasn_id(SITI)]
        assert len(mine) == 1, items
        assert mine[0]["penilaiNipNrp"] == evaluator
