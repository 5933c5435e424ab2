"""SKP through the API on real PostgreSQL: the status flow, who may approve, the frozen state, the cascade
rule and each way it can be broken, JPT perspectives, approval in the governor's name, coverage,
realisations and feedback, ETags."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import event

from services.common.auth import Role
from services.kinerja_api.config import KinerjaSettings
from services.kinerja_api.main import create_app
from services.kinerja_api.state import kinerja_state
from tests.support.fixtures import Tokens, running

HEAD = "197503121999031002"  # JPT, answers to the governor
BOSS = "198001012005011001"  # under HEAD
OTHER = "198505052010051001"  # another supervisor under HEAD
STAFF = "199001012015011001"  # under BOSS
STAFF2 = "199202022016022001"  # under BOSS
OTHER_STAFF = "199303032017031001"  # under OTHER
Json = dict[str, Any]


async def org(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    resp = await client.post(
        "/v1/units", json={"code": "BKD", "name": "Badan Kepegawaian Daerah"}, headers=admin
    )
    assert resp.status_code == 201, resp.text
    unit = resp.json()["id"]
    people = [
        (HEAD, None, "JPT", "IV/c"),
        (BOSS, HEAD, "PENGAWAS", "III/d"),
        (OTHER, HEAD, "PENGAWAS", "III/d"),
        (STAFF, BOSS, "PELAKSANA", "III/a"),
        (STAFF2, BOSS, "PELAKSANA", "III/a"),
        (OTHER_STAFF, OTHER, "PELAKSANA", "III/a"),
    ]
    for nip, sup, ptype, rank in people:
        body = {
            "nip": nip,
            "name": f"Pegawai {nip[-4:]}",
            "unit_id": unit,
            "position": "Analis",
            "position_type": ptype,
            "rank": rank,
            "employment": "PNS",
            "supervisor_nip": sup,
        }
        resp = await client.post("/v1/employees", json=body, headers=admin)
        assert resp.status_code == 201, resp.text


def indicator(text: str = "Persentase usulan tepat waktu", target: str = "95%") -> Json:
    return {"text": text, "target": target}


def jpt_result(text: str = "Meningkatnya kualitas layanan kepegawaian") -> Json:
    return {"kind": "UTAMA", "text": text, "perspective": "PENERIMA_LAYANAN", "indicators": [indicator()]}


def result(parent: str | None, text: str = "Terlaksananya layanan mutasi", **extra: Any) -> Json:
    return {
        "kind": "UTAMA",
        "text": text,
        "parent_result_id": parent,
        "aspect": "KUANTITAS",
        "indicators": [indicator()],
        **extra,
    }


async def create(client: httpx.AsyncClient, headers: dict[str, str], year: int = 2026, **extra: Any) -> Json:
    resp = await client.post("/v1/skp", json={"year": year, **extra}, headers=headers)
    assert resp.status_code == 201, resp.text
    assert resp.headers["etag"] == '"1"'
    body: Json = resp.json()
    return body


async def add(client: httpx.AsyncClient, skp_id: str, headers: dict[str, str], body: Json) -> httpx.Response:
    return await client.post(f"/v1/skp/{skp_id}/results", json=body, headers=headers)


async def added(client: httpx.AsyncClient, skp_id: str, headers: dict[str, str], body: Json) -> Json:
    resp = await add(client, skp_id, headers, body)
    assert resp.status_code == 201, resp.text
    out: Json = resp.json()
    return out


async def step(
    client: httpx.AsyncClient, skp_id: str, verb: str, headers: dict[str, str], **kw: Any
) -> httpx.Response:
    return await client.post(f"/v1/skp/{skp_id}/{verb}", headers=headers, **kw)


async def approved(
    client: httpx.AsyncClient,
    tokens: Tokens,
    nip: str,
    approver: dict[str, str],
    bodies: list[Json],
    year: int = 2026,
) -> tuple[str, list[str]]:
    """An APPROVED SKP of ``nip`` with the given results; returns its id and the result ids."""
    me = tokens.pegawai(nip)
    skp = await create(client, me, year)
    ids = [(await added(client, skp["id"], me, b))["id"] for b in bodies]
    assert (await step(client, skp["id"], "submit", me)).status_code == 200
    resp = await step(client, skp["id"], "approve", approver)
    assert resp.status_code == 200, resp.text
    return skp["id"], ids


def slug(resp: httpx.Response) -> str:
    assert resp.headers["content-type"] == "application/problem+json", resp.text
    return str(resp.json()["type"]).rsplit("/", 1)[1]


async def test_status_flow_and_who_decides(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    await org(client, admin)
    head, boss, staff, other = (tokens.pegawai(n) for n in (HEAD, BOSS, STAFF, OTHER))

    # The JPT at the top: perspective, no parent, approved by an admin in the governor's name.
    head_skp = await create(client, head)
    assert head_skp["status"] == "DRAFT"
    assert head_skp["nip"] == HEAD
    assert head_skp["results"] == []
    no_persp = await add(client, head_skp["id"], head, {**jpt_result(), "perspective": None})
    assert no_persp.status_code == 422
    assert slug(no_persp) == "result-shape"
    with_parent = await add(
        client, head_skp["id"], head, {**jpt_result(), "parent_result_id": str(uuid.uuid4())}
    )
    assert with_parent.status_code == 422
    assert slug(with_parent) == "result-shape"
    r_head = await added(client, head_skp["id"], head, jpt_result())
    assert r_head["perspective"] == "PENERIMA_LAYANAN"
    assert r_head["parent_result_id"] is None
    assert (await step(client, head_skp["id"], "submit", head)).json()["status"] == "SUBMITTED"
    for who in (head, boss):
        refused = await step(client, head_skp["id"], "approve", who)
        assert refused.status_code == 403
        assert slug(refused) == "not-direct-supervisor"
    ok = await step(client, head_skp["id"], "approve", admin)
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["status"] == "APPROVED"
    assert body["approver_nip"] is None
    assert body["approved_on_behalf"] is True
    assert body["approved_at"]
    log = await client.get("/v1/audit", params={"entity": "skp", "entity_id": head_skp["id"]}, headers=admin)
    assert log.status_code == 200
    actions = [(e["action"], e["actor"], e["on_behalf_of"]) for e in log.json()["items"]]
    assert actions == [
        ("skp.create", HEAD, None),
        ("skp.result.add", HEAD, None),
        ("skp.submit", HEAD, None),
        ("skp.approve", "admin", "GUBERNUR"),
    ]

    # A non-JPT employee: submit needs a main result with an indicator.
    boss_skp = await create(client, boss)
    empty = await step(client, boss_skp["id"], "submit", boss)
    assert empty.status_code == 409
    assert slug(empty) == "skp-incomplete"
    no_parent = await add(client, boss_skp["id"], boss, result(None))
    assert no_parent.status_code == 422
    assert slug(no_parent) == "parent-result-required"
    r_boss = await added(client, boss_skp["id"], boss, result(r_head["id"]))
    assert r_boss["parent_result_id"] == r_head["id"]
    assert r_boss["indicators"][0]["target"] == "95%"
    assert (await step(client, boss_skp["id"], "submit", boss)).status_code == 200
    # While submitted, the owner cannot edit; only the direct supervisor decides.
    locked = await add(client, boss_skp["id"], boss, result(r_head["id"], "Lain"))
    assert locked.status_code == 409
    assert slug(locked) == "skp-wrong-status"
    for who in (other, staff, boss, admin):
        refused = await step(client, boss_skp["id"], "approve", who)
        assert refused.status_code == 403, (who, refused.text)
        refused = await step(client, boss_skp["id"], "return", who, json={"reason": "x"})
        assert refused.status_code == 403
    no_reason = await step(client, boss_skp["id"], "return", head, json={})
    assert no_reason.status_code == 422
    returned = await step(client, boss_skp["id"], "return", head, json={"reason": "Target belum terukur"})
    assert returned.status_code == 200
    assert returned.json()["status"] == "RETURNED"
    assert returned.json()["returned_reason"] == "Target belum terukur"
    again = await step(client, boss_skp["id"], "approve", head)
    assert again.status_code == 409
    assert slug(again) == "skp-wrong-status"

    # Editing a returned SKP puts it back to DRAFT; resubmitted, the supervisor approves.
    patched = await client.patch(
        f"/v1/skp/{boss_skp['id']}/results/{r_boss['id']}",
        json={"indicators": [indicator(target="98%")]},
        headers=boss,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["indicators"][0]["target"] == "98%"
    assert (await client.get(f"/v1/skp/{boss_skp['id']}", headers=boss)).json()["status"] == "DRAFT"
    assert (await step(client, boss_skp["id"], "submit", boss)).status_code == 200
    done = await step(client, boss_skp["id"], "approve", head)
    assert done.status_code == 200
    assert done.json()["approver_nip"] == HEAD
    assert done.json()["approved_on_behalf"] is False

    # Approved means frozen.
    frozen = [
        await add(client, boss_skp["id"], boss, result(r_head["id"], "Lain")),
        await client.patch(
            f"/v1/skp/{boss_skp['id']}/results/{r_boss['id']}", json={"text": "x"}, headers=boss
        ),
        await client.delete(f"/v1/skp/{boss_skp['id']}/results/{r_boss['id']}", headers=boss),
        await step(client, boss_skp["id"], "submit", boss),
        await step(client, boss_skp["id"], "approve", head),
        await step(client, boss_skp["id"], "return", head, json={"reason": "x"}),
    ]
    assert [r.status_code for r in frozen] == [409] * 6
    assert {slug(r) for r in frozen} == {"skp-frozen"}


async def test_create_rules(client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens) -> None:
    await org(client, admin)
    staff = tokens.pegawai(STAFF)
    await create(client, staff)
    dup = await client.post("/v1/skp", json={"year": 2026}, headers=staff)
    assert dup.status_code == 409
    assert slug(dup) == "skp-exists"
    for_other = await client.post("/v1/skp", json={"year": 2027, "nip": STAFF2}, headers=staff)
    assert for_other.status_code == 403
    by_admin = await client.post("/v1/skp", json={"year": 2026, "nip": STAFF2}, headers=admin)
    assert by_admin.status_code == 201
    assert by_admin.json()["nip"] == STAFF2
    admin_no_nip = await client.post("/v1/skp", json={"year": 2026}, headers=admin)
    assert admin_no_nip.status_code == 422
    unknown = await client.post("/v1/skp", json={"year": 2026, "nip": "199404042018041002"}, headers=admin)
    assert unknown.status_code == 422
    assert slug(unknown) == "unknown-employee"
    integrator = tokens.headers("bkn-sync", [Role.INTEGRATOR])
    assert (await client.post("/v1/skp", json={"year": 2026}, headers=integrator)).status_code == 403
    bad_year = await client.post("/v1/skp", json={"year": 1999}, headers=staff)
    assert bad_year.status_code == 422
    qual = await client.post("/v1/skp", json={"year": 2027, "approach": "KUALITATIF"}, headers=staff)
    assert qual.status_code == 201
    assert qual.json()["approach"] == "KUALITATIF"


async def test_cascade_validation(client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens) -> None:
    await org(client, admin)
    head, boss, other, staff = (tokens.pegawai(n) for n in (HEAD, BOSS, OTHER, STAFF))
    _, (r_head,) = await approved(client, tokens, HEAD, admin, [jpt_result()])
    _, (r_other,) = await approved(client, tokens, OTHER, head, [result(r_head, "Hasil OTHER")])
    # BOSS: a 2025 SKP (draft, one additional result needs no parent) and a submitted 2026 SKP.
    boss_2025 = await create(client, boss, 2025)
    r_boss_2025 = await added(client, boss_2025["id"], boss, {**result(None, "2025"), "kind": "TAMBAHAN"})
    boss_skp = await create(client, boss)
    r_boss = await added(client, boss_skp["id"], boss, result(r_head))
    assert (await step(client, boss_skp["id"], "submit", boss)).status_code == 200

    staff_skp = await create(client, staff)
    sid = staff_skp["id"]

    not_approved = await add(client, sid, staff, result(r_boss["id"]))
    assert not_approved.status_code == 409
    assert slug(not_approved) == "parent-skp-not-approved"
    assert "not approved" in not_approved.json()["detail"]

    someone_else = await add(client, sid, staff, result(r_other))
    assert someone_else.status_code == 422
    assert slug(someone_else) == "parent-result-not-supervisors"
    assert OTHER in someone_else.json()["detail"]
    assert BOSS in someone_else.json()["detail"]
    assert someone_else.json()["errors"][0]["loc"] == ["body", "parent_result_id"]

    skipping_a_level = await add(client, sid, staff, result(r_head))
    assert skipping_a_level.status_code == 422
    assert slug(skipping_a_level) == "parent-result-not-supervisors"

    wrong_year = await add(client, sid, staff, result(r_boss_2025["id"]))
    assert wrong_year.status_code == 422
    assert slug(wrong_year) == "parent-result-wrong-year"
    assert "2025" in wrong_year.json()["detail"]

    unknown = await add(client, sid, staff, result(str(uuid.uuid4())))
    assert unknown.status_code == 422
    assert slug(unknown) == "parent-result-unknown"

    perspective = await add(client, sid, staff, result(r_boss["id"], perspective="ANGGARAN"))
    assert perspective.status_code == 422
    assert slug(perspective) == "result-shape"

    malformed = await add(client, sid, staff, {**result(None), "kind": "UTAMAX"})
    assert malformed.status_code == 422
    too_many = await add(client, sid, staff, {**result(None), "indicators": [indicator()] * 11})
    assert too_many.status_code == 422
    too_long = await add(client, sid, staff, result(None, "x" * 2001))
    assert too_long.status_code == 422

    assert (await step(client, boss_skp["id"], "approve", head)).status_code == 200
    ok = await added(client, sid, staff, result(r_boss["id"]))
    assert ok["parent_result_id"] == r_boss["id"]
    # An additional result may go without a parent; a PATCH is checked again.
    extra = await added(client, sid, staff, {**result(None, "Tugas tambahan"), "kind": "TAMBAHAN"})
    to_main = await client.patch(
        f"/v1/skp/{sid}/results/{extra['id']}", json={"kind": "UTAMA"}, headers=staff
    )
    assert to_main.status_code == 422
    assert slug(to_main) == "parent-result-required"
    bad_patch = await client.patch(
        f"/v1/skp/{sid}/results/{ok['id']}", json={"parent_result_id": r_other}, headers=staff
    )
    assert bad_patch.status_code == 422
    assert slug(bad_patch) == "parent-result-not-supervisors"
    gone = await client.delete(f"/v1/skp/{sid}/results/{extra['id']}", headers=staff)
    assert gone.status_code == 204
    assert gone.headers["etag"]
    body = (await client.get(f"/v1/skp/{sid}", headers=staff)).json()
    assert [r["id"] for r in body["results"]] == [ok["id"]]
    # Only the owner edits.
    by_boss = await add(client, sid, boss, result(r_boss["id"]))
    assert by_boss.status_code == 403
    assert slug(by_boss) == "not-skp-owner"
    by_other = await add(client, sid, other, result(r_boss["id"]))
    assert by_other.status_code == 404


async def test_visibility_and_listing(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    await org(client, admin)
    staff, staff2, boss, other = (tokens.pegawai(n) for n in (STAFF, STAFF2, BOSS, OTHER))
    s1 = await create(client, staff)
    s2 = await create(client, staff2)
    await create(client, staff, 2025)
    b = await create(client, boss)
    integrator = tokens.headers("bkn-sync", [Role.INTEGRATOR])

    for who, code in (
        (staff, 200),
        (boss, 200),
        (admin, 200),
        (integrator, 200),
        (staff2, 404),
        (other, 404),
    ):
        resp = await client.get(f"/v1/skp/{s1['id']}", headers=who)
        assert resp.status_code == code, (who, resp.text)
    assert (await client.get(f"/v1/skp/{uuid.uuid4()}", headers=admin)).status_code == 404
    assert (await client.get(f"/v1/skp/{s1['id']}")).status_code == 401

    async def ids(headers: dict[str, str], **params: Any) -> list[str]:
        resp = await client.get("/v1/skp", params=params, headers=headers)
        assert resp.status_code == 200, resp.text
        return [i["id"] for i in resp.json()["items"]]

    assert await ids(staff2) == [s2["id"]]
    assert len(await ids(staff)) == 2
    assert set(await ids(boss, year=2026)) == {b["id"], s1["id"], s2["id"]}
    assert await ids(boss, nip=STAFF2) == [s2["id"]]
    assert await ids(other) == []
    assert len(await ids(admin)) == 4
    assert len(await ids(admin, year=2025)) == 1
    assert await ids(admin, status="SUBMITTED") == []
    first = await client.get("/v1/skp", params={"limit": 3}, headers=admin)
    page1 = first.json()
    assert len(page1["items"]) == 3
    assert page1["next_cursor"]
    page2 = (
        await client.get("/v1/skp", params={"limit": 3, "cursor": page1["next_cursor"]}, headers=admin)
    ).json()
    assert len(page2["items"]) == 1
    assert page2["next_cursor"] is None
    keys = [(i["nip"], i["year"]) for i in page1["items"] + page2["items"]]
    assert keys == sorted(keys)
    bad = await client.get("/v1/skp", params={"cursor": "nonsense"}, headers=admin)
    assert bad.status_code == 422


async def test_if_match(client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens) -> None:
    await org(client, admin)
    head = tokens.pegawai(HEAD)
    skp = await create(client, head)
    r1 = await add(client, skp["id"], head, jpt_result())
    assert r1.headers["etag"] == '"2"'
    stale = {**head, "If-Match": '"1"'}
    resp = await client.patch(
        f"/v1/skp/{skp['id']}/results/{r1.json()['id']}", json={"text": "x"}, headers=stale
    )
    assert resp.status_code == 412
    assert slug(resp) == "stale-etag"
    fresh = {**head, "If-Match": '"2"'}
    resp = await client.patch(
        f"/v1/skp/{skp['id']}/results/{r1.json()['id']}", json={"text": "y"}, headers=fresh
    )
    assert resp.status_code == 200
    assert resp.headers["etag"] == '"3"'
    assert (await add(client, skp["id"], stale, jpt_result("z"))).status_code == 412
    assert (
        await client.delete(f"/v1/skp/{skp['id']}/results/{r1.json()['id']}", headers=stale)
    ).status_code == 412
    assert (await step(client, skp["id"], "submit", fresh)).status_code == 412
    sub = await step(client, skp["id"], "submit", {**head, "If-Match": '"3"'})
    assert sub.status_code == 200
    assert sub.headers["etag"] == '"4"'
    assert (await step(client, skp["id"], "approve", {**admin, "If-Match": '"3"'})).status_code == 412
    ok = await step(client, skp["id"], "approve", {**admin, "If-Match": '"4"'})
    assert ok.status_code == 200
    assert ok.json()["version"] == 5
    got = await client.get(f"/v1/skp/{skp['id']}", headers=head)
    assert got.headers["etag"] == '"5"'


async def test_coverage(client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens) -> None:
    await org(client, admin)
    head, boss, other = (tokens.pegawai(n) for n in (HEAD, BOSS, OTHER))
    head_id, (r1, r2, r3) = await approved(
        client, tokens, HEAD, admin, [jpt_result("R1"), jpt_result("R2"), jpt_result("R3")]
    )
    boss_id, (b1,) = await approved(client, tokens, BOSS, head, [result(r1, "B1")])
    other_skp = await create(client, other)
    o1 = await added(client, other_skp["id"], other, result(r1, "O1"))
    o2 = await added(client, other_skp["id"], other, result(r3, "O3"))

    resp = await client.get(f"/v1/skp/{head_id}/coverage", headers=head)
    assert resp.status_code == 200, resp.text
    cov = resp.json()
    assert (cov["total"], cov["covered"], cov["uncovered_result_ids"]) == (3, 2, [r2])
    by_id = {r["result_id"]: r for r in cov["results"]}
    assert [r["result_id"] for r in cov["results"]] == [r1, r2, r3]
    assert [(s["nip"], s["result_id"], s["skp_status"]) for s in by_id[r1]["supported_by"]] == [
        (BOSS, b1, "APPROVED"),
        (OTHER, o1["id"], "DRAFT"),
    ]
    assert by_id[r2]["covered"] is False
    assert by_id[r2]["supported_by"] == []
    assert by_id[r3]["supported_by"][0]["result_id"] == o2["id"]
    # The owner and admins; anyone else 404.
    assert (await client.get(f"/v1/skp/{head_id}/coverage", headers=admin)).status_code == 200
    assert (await client.get(f"/v1/skp/{head_id}/coverage", headers=boss)).status_code == 404
    leaf = await client.get(f"/v1/skp/{boss_id}/coverage", headers=boss)
    assert leaf.json()["uncovered_result_ids"] == [b1]


async def test_realizations_and_feedback(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    await org(client, admin)
    head, boss, staff, staff2, other = (tokens.pegawai(n) for n in (HEAD, BOSS, STAFF, STAFF2, OTHER))
    _, (r_head,) = await approved(client, tokens, HEAD, admin, [jpt_result()])
    _, (r_boss,) = await approved(client, tokens, BOSS, head, [result(r_head)])
    staff_skp = await create(client, staff)
    sid = staff_skp["id"]
    res = await added(client, sid, staff, result(r_boss))
    ind = res["indicators"][0]["id"]

    def report(period: str = "2026-Q1", **extra: Any) -> Json:
        return {
            "period": period,
            "indicator_id": ind,
            "realization": "412 dari 430 usulan",
            "evidence_url": "https://drive.bengkuluprov.go.id/q1.pdf",
            **extra,
        }

    url = f"/v1/skp/{sid}/realizations"
    early = await client.post(url, json=report(), headers=staff)
    assert early.status_code == 409
    assert slug(early) == "skp-not-approved"
    assert (await step(client, sid, "submit", staff)).status_code == 200
    assert (await step(client, sid, "approve", boss)).status_code == 200

    other_year = await client.post(url, json=report("2025-Q1"), headers=staff)
    assert other_year.status_code == 422
    assert slug(other_year) == "bad-period"
    for bad in (
        report("2026-Q5"),
        report("26-Q1"),
        report(evidence_url="ftp://x/y"),
        report(evidence_url="javascript:alert(1)"),
    ):
        assert (await client.post(url, json=bad, headers=staff)).status_code == 422, bad
    foreign = await client.post(url, json=report(indicator_id=str(uuid.uuid4())), headers=staff)
    assert foreign.status_code == 422
    assert slug(foreign) == "unknown-indicator"
    by_boss = await client.post(url, json=report(), headers=boss)
    assert by_boss.status_code == 403
    by_stranger = await client.post(url, json=report(), headers=staff2)
    assert by_stranger.status_code == 404

    first = await client.post(url, json=report(), headers=staff)
    assert first.status_code == 201, first.text
    real = first.json()
    assert real["period"] == "2026-Q1"
    assert real["evidence_url"] == "https://drive.bengkuluprov.go.id/q1.pdf"
    replaced = await client.post(url, json=report(realization="420 dari 430"), headers=staff)
    assert replaced.status_code == 200
    assert replaced.json()["id"] == real["id"]
    annual = await client.post(url, json=report("2026", evidence_url=None), headers=staff)
    assert annual.status_code == 201
    assert annual.json()["evidence_url"] is None

    fb_url = f"/v1/realizations/{real['id']}/feedback"
    for who, code in ((staff, 403), (admin, 403), (head, 404), (other, 404), (staff2, 404)):
        resp = await client.post(fb_url, json={"text": "x"}, headers=who)
        assert resp.status_code == code, (who, resp.text)
    assert (
        await client.post(f"/v1/realizations/{uuid.uuid4()}/feedback", json={"text": "x"}, headers=boss)
    ).status_code == 404
    assert (await client.post(fb_url, json={"text": ""}, headers=boss)).status_code == 422
    fb = await client.post(fb_url, json={"text": "Bagus, lampirkan rekap."}, headers=boss)
    assert fb.status_code == 201
    assert fb.json()["author_nip"] == BOSS

    async def listed(headers: dict[str, str], **params: Any) -> httpx.Response:
        return await client.get(url, params=params, headers=headers)

    own = (await listed(staff, period="2026-Q1")).json()
    assert [i["realization"] for i in own["items"]] == ["420 dari 430"]
    assert own["items"][0]["feedback"][0]["text"] == "Bagus, lampirkan rekap."
    assert len((await listed(staff)).json()["items"]) == 2
    assert any(i["feedback"] for i in (await listed(boss)).json()["items"])
    integrator = tokens.headers("bkn-sync", [Role.INTEGRATOR])
    seen = (await listed(integrator)).json()["items"]
    assert len(seen) == 2
    assert all(i["feedback"] == [] for i in seen)
    assert (await listed(staff2)).status_code == 404
    assert (await listed(staff, period="2026-Q9")).status_code == 422

    log = await client.get("/v1/audit", params={"entity": "skp", "entity_id": sid}, headers=admin)
    actions = [e["action"] for e in log.json()["items"]]
    assert actions[-4:] == [
        "skp.realization.report",
        "skp.realization.report",
        "skp.realization.report",
        "skp.feedback.add",
    ]
    replaced_entry = log.json()["items"][-3]
    assert replaced_entry["before"]["realization"] == "412 dari 430 usulan"
    assert replaced_entry["after"]["realization"] == "420 dari 430"


async def test_simultaneous_requests(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    """The SKP row lock and the unique (nip, year) turn races into one winner and a clean 409."""
    await org(client, admin)
    head, boss = tokens.pegawai(HEAD), tokens.pegawai(BOSS)
    _, (r_head,) = await approved(client, tokens, HEAD, admin, [jpt_result()])

    creates = await asyncio.gather(
        *(client.post("/v1/skp", json={"year": 2026}, headers=boss) for _ in range(4))
    )
    assert sorted(r.status_code for r in creates) == [201, 409, 409, 409]
    skp_id = next(r.json()["id"] for r in creates if r.status_code == 201)

    adds = await asyncio.gather(*(add(client, skp_id, boss, result(r_head, f"R{n}")) for n in range(5)))
    assert [r.status_code for r in adds] == [201] * 5
    assert sorted(r.json()["position"] for r in adds) == [1, 2, 3, 4, 5]
    assert (await client.get(f"/v1/skp/{skp_id}", headers=boss)).json()["version"] == 6

    assert (await step(client, skp_id, "submit", boss)).status_code == 200
    decisions = await asyncio.gather(
        step(client, skp_id, "approve", head),
        step(client, skp_id, "approve", head),
        step(client, skp_id, "return", head, json={"reason": "x"}),
    )
    assert sorted(r.status_code for r in decisions) == [200, 409, 409]
    log = await client.get("/v1/audit", params={"entity": "skp", "entity_id": skp_id}, headers=admin)
    decided = [e["action"] for e in log.json()["items"] if e["action"] in ("skp.approve", "skp.return")]
    assert len(decided) == 1
    check = (await client.get("/v1/audit/verify", headers=admin)).json()
    assert check["valid"] is True


async def test_list_query_count_does_not_grow(
    db: str, settings_for: Callable[..., Any], admin: dict[str, str], tokens: Tokens
) -> None:
    """Results and indicators come with ``selectinload``: listing 2 or 6 SKPs costs the same statements."""
    app = create_app(settings_for(KinerjaSettings))
    async with running(app) as client:
        await org(client, admin)
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        async def cost() -> int:
            statements.clear()
            event.listen(kinerja_state(app).engine.sync_engine, "before_cursor_execute", count)
            try:
                resp = await client.get("/v1/skp", params={"limit": 200}, headers=admin)
            finally:
                event.remove(kinerja_state(app).engine.sync_engine, "before_cursor_execute", count)
            assert resp.status_code == 200
            return len(statements)

        async def fill(nip: str, year: int) -> None:
            me = tokens.pegawai(nip)
            skp = await create(client, me, year)
            for n in range(3):
                body = {**jpt_result(f"R{n}"), "indicators": [indicator(), indicator("Lain")]}
                body = body if nip == HEAD else {**body, "perspective": None, "kind": "TAMBAHAN"}
                await added(client, skp["id"], me, body)

        await fill(HEAD, 2026)
        await fill(BOSS, 2026)
        small = await cost()
        for nip in (STAFF, STAFF2):
            await fill(nip, 2026)
            await fill(nip, 2027)
        assert len((await client.get("/v1/skp", headers=admin)).json()["items"]) == 6
        assert await cost() == small


async def test_who_reads_and_who_has_a_nip(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    """SKP rules not covered above: services read every SKP (list included), and on SKPs an employee is known only by the token's ``nip`` claim (a NIP-shaped subject
    without the claim owns nothing here, unlike on evaluations)."""
    await org(client, admin)
    s1 = await create(client, tokens.pegawai(STAFF))
    svc = tokens.service("svc-pelatihan")
    assert (await client.get(f"/v1/skp/{s1['id']}", headers=svc)).status_code == 200
    listed = await client.get("/v1/skp", params={"nip": STAFF}, headers=svc)
    assert [i["id"] for i in listed.json()["items"]] == [s1["id"]]
    no_claim = tokens.headers(STAFF, [Role.PEGAWAI])  # sub is the NIP, no nip claim
    assert (await client.post("/v1/skp", json={"year": 2027}, headers=no_claim)).status_code == 403
    assert (await client.get(f"/v1/skp/{s1['id']}", headers=no_claim)).status_code == 404
