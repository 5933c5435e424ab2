"""Issue 19: no published number gives a person away, by any route. Each attack is sent the way kinerja and
pelatihan send figures (POST /internal/v1/events), approved as an admin, then read back from everything the
public can read: the feed, the items, the scorecards and every snapshot ever written."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx

from tests.publik.conftest import envelope, performance, publish, send_event, training
from tests.publik.disclosure_checker import Observed, disclosures, observe
from tests.support.fixtures import Tokens

K = 5


def counts(sb: int = 0, b: int = 0, bp: int = 0, kurang: int = 0, sk: int = 0) -> dict[str, int]:
    return {"SANGAT_BAIK": sb, "BAIK": b, "BUTUH_PERBAIKAN": bp, "KURANG": kurang, "SANGAT_KURANG": sk}


def figures(
    unit: uuid.UUID, cells: dict[str, int], period: str = "2026-Q1", **overrides: Any
) -> dict[str, Any]:
    """A unit_performance whose compliance is complete (every employee evaluated, SKP approved, realised)."""
    data = performance(unit, period, counts=cells)
    n = data["evaluated"]
    data["headcount"] = n
    data["compliance"] = {"skp_approved": n, "realization_reported": n, "evaluated": n}
    data.update(overrides)
    return data


def snapshot_items(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The items a snapshot signs (its JWS payload)."""
    payload = snapshot["jws"].split(".")[1]
    body: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    items: list[dict[str, Any]] = body["items"]
    return items


async def everything_published(client: httpx.AsyncClient, units: list[uuid.UUID]) -> list[dict[str, Any]]:
    """Every (kind, unit, period, version, data) the public has been able to read about these units: every
    snapshot, the feed, each item and each scorecard."""
    wanted = {str(u) for u in units}
    seen: dict[tuple[str, str, str, int], dict[str, Any]] = {}

    def add(item: dict[str, Any]) -> None:
        if item["unit_id"] not in wanted or item["kind"] not in ("UNIT_PERFORMANCE", "TRAINING_STATS"):
            return
        key = (item["kind"], item["unit_id"], item["period"], int(item["version"]))
        # The same version reads the same everywhere.
        assert seen.setdefault(key, item["data"]) == item["data"], key
        seen[key] = item["data"]

    latest = await client.get("/v1/snapshots/latest")
    if latest.status_code == 200:
        for n in range(1, latest.json()["n"] + 1):
            snap = (await client.get(f"/v1/snapshots/{n}")).json()
            for item in snapshot_items(snap):
                add(item)
    feed = (await client.get("/v1/feed?limit=200")).json()["items"]
    for item in feed:
        add(item)
        add((await client.get(f"/v1/items/{item['id']}")).json())
    for unit in units:
        card = await client.get(f"/v1/units/{unit}/scorecard?year=2026")
        if card.status_code == 200:
            body = card.json()
            for item in body["performance"] + ([body["training"]] if body["training"] else []):
                add(item)
    return [
        {"kind": kind, "unit_id": unit, "period": period, "version": version, "data": data}
        for (kind, unit, period, version), data in sorted(seen.items())
    ]


def outsider_findings(published: list[dict[str, Any]], parents: dict[str, str] | None = None) -> list[str]:
    observed: list[Observed] = []
    for p in published:
        observed.extend(observe(p["unit_id"], p["kind"], p["period"], p["version"], p["data"]))
    return disclosures(observed, parents or {}, K)


async def held(client: httpx.AsyncClient, tokens: Tokens, period: str) -> dict[str, Any]:
    pubs = (await client.get("/v1/publications", headers=tokens.admin())).json()["items"]
    found: dict[str, Any] = next(p for p in pubs if p["period"] == period)
    return found


async def test_a_unit_all_of_one_predikat_shows_no_distribution(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit = uuid.uuid4()
    await send_event(publik, tokens, envelope("kinerja.unit_performance", figures(unit, counts(b=9))))
    await publish(publik, tokens, "2026-Q1")
    item = (await publik.get("/v1/feed")).json()["items"][0]
    # The group size may show; the distribution may not (it would tell each member's predikat).
    assert item["data"]["evaluated"] == 9
    assert set(item["data"]["counts"].values()) == {None}
    # A newcomer joins; BAIK and KURANG hidden would have told the newcomer's predikat (10 - 9 = 1).
    await send_event(
        publik, tokens, envelope("kinerja.unit_performance", figures(unit, counts(b=9, kurang=1)))
    )
    await publish(publik, tokens, "2026-Q1")
    published = await everything_published(publik, [unit])
    assert [p["version"] for p in published] == [1, 2]
    assert outsider_findings(published) == []
    # Explicitly: no published version shows a BAIK count or a KURANG count.
    for p in published:
        assert p["data"]["counts"]["BAIK"] is None
        assert p["data"]["counts"]["KURANG"] is None


async def test_a_small_complement_is_not_published(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    unit = uuid.uuid4()
    await send_event(
        publik,
        tokens,
        envelope(
            "pelatihan.training_stats",
            training(unit, pns_total=12, pns_meeting_20jp=11, share_meeting_20jp=11 / 12),
        ),
    )
    perf = figures(unit, counts(sb=5, b=6), headcount=11)
    perf["compliance"]["skp_approved"] = 10  # "10 of 11 have an approved SKP"
    await send_event(publik, tokens, envelope("kinerja.unit_performance", perf))
    await publish(publik, tokens, "2026")
    await publish(publik, tokens, "2026-Q1")
    card = (await publik.get(f"/v1/units/{unit}/scorecard?year=2026")).json()
    assert card["training"]["data"]["pns_total"] == 12
    assert card["training"]["data"]["pns_meeting_20jp"] is None
    assert card["training"]["data"]["share_meeting_20jp"] is None
    assert card["performance"][0]["data"]["compliance"]["skp_approved"] is None
    assert outsider_findings(await everything_published(publik, [unit])) == []


async def test_a_correction_that_moves_one_person_waits_and_the_admin_sees_why(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit = uuid.uuid4()
    await send_event(
        publik, tokens, envelope("kinerja.unit_performance", figures(unit, counts(sb=5, b=10, bp=6)))
    )
    await publish(publik, tokens, "2026-Q1")
    first = (await publik.get("/v1/feed")).json()["items"][0]
    assert first["data"]["counts"] == counts(sb=5, b=10, bp=6)
    # An accepted objection: one person moves from BUTUH_PERBAIKAN to SANGAT_BAIK.
    await send_event(
        publik, tokens, envelope("kinerja.unit_performance", figures(unit, counts(sb=6, b=10, bp=5)))
    )
    # Before approval the admin already sees that it would wait, and why.
    pub = await held(publik, tokens, "2026-Q1")
    assert pub["status"] == "PENDING"
    assert pub["pending_items"] == 1
    approved = await publish(publik, tokens, "2026-Q1")
    assert approved["status"] == "PENDING"
    assert approved["pending_items"] == 1
    [entry] = approved["held"]
    assert entry["item_id"] == first["id"]
    assert entry["waiting"] is True
    assert any("differ by 1 from published version 1" in r for r in entry["reasons"]), entry
    # Nothing public changed: the feed, the item and every snapshot hold version 1 only.
    published = await everything_published(publik, [unit])
    assert [p["version"] for p in published] == [1]
    assert outsider_findings(published) == []
    # A later correction that changes enough people is published on approval; the waiting one never is.
    await send_event(
        publik, tokens, envelope("kinerja.unit_performance", figures(unit, counts(sb=10, b=5, bp=6)))
    )
    approved = await publish(publik, tokens, "2026-Q1")
    assert approved["status"] == "APPROVED"
    assert approved["held"] == [], approved["held"]
    published = await everything_published(publik, [unit])
    assert [p["data"]["counts"] for p in published] == [counts(sb=5, b=10, bp=6), counts(sb=10, b=5, bp=6)]
    assert outsider_findings(published) == []


async def test_a_unit_minus_its_sub_units_gives_nobody_away(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    parent, child = uuid.uuid4(), uuid.uuid4()
    for unit_id, name, up in ((parent, "Dinas Induk", None), (child, "Bidang Anak", parent)):
        body = {"unit_id": str(unit_id), "name": name, "parent_id": str(up) if up else None}
        assert (await send_event(publik, tokens, envelope("kinerja.unit", body))).status_code == 202
    # The OPD has one more BUTUH_PERBAIKAN than its sub-unit: parent - child pins that person's predikat.
    await send_event(
        publik, tokens, envelope("kinerja.unit_performance", figures(parent, counts(sb=5, b=10, bp=6)))
    )
    await send_event(
        publik, tokens, envelope("kinerja.unit_performance", figures(child, counts(sb=5, b=10, bp=5)))
    )
    approved = await publish(publik, tokens, "2026-Q1")
    published = await everything_published(publik, [parent, child])
    assert len(published) == 2
    assert outsider_findings(published, {str(child): str(parent)}) == []
    # One of the two is published with its distribution withheld, and the admin is told why.
    withheld = [p for p in published if set(p["data"]["counts"].values()) == {None}]
    assert len(withheld) == 1
    [entry] = approved["held"]
    assert entry["waiting"] is False
    assert any("minus its published sub-units" in r for r in entry["reasons"]), entry


async def test_innovations_pass_the_personal_data_guard(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    unit = uuid.uuid4()
    body = {"unit_id": str(unit), "name": "Dinas Kominfo", "parent_id": None}
    assert (await send_event(publik, tokens, envelope("kinerja.unit", body))).status_code == 202
    base = {"unit_id": str(unit), "title": "Layanan daring", "launched_on": "2025-08-17"}
    for text in (
        "Digagas oleh 198001012005011002 di bidang layanan.",  # a NIP
        "Digagas oleh 19800101 200501 1 002.",  # a NIP with its spaces
        "Hubungi budi.santoso@example.go.id untuk rinciannya.",
        "Hubungi 0812-3456-7890 untuk rinciannya.",
        "NIK pemohon 1771010101800001 tercatat.",
    ):
        resp = await publik.post(
            "/v1/innovations", json={**base, "description": text}, headers=tokens.admin()
        )
        assert resp.status_code == 422, (text, resp.text)
        assert resp.json()["type"].endswith("personal-data"), resp.text
    resp = await publik.post(
        "/v1/innovations",
        json={**base, "title": "Kontak 08123456789", "description": "x"},
        headers=tokens.admin(),
    )
    assert resp.status_code == 422
    clean = {**base, "description": "Pendaftaran layanan dari rumah, 24 jam."}
    assert (await publik.post("/v1/innovations", json=clean, headers=tokens.admin())).status_code == 201
    snapshot = (await publik.get("/v1/snapshots/latest")).json()
    texts = [i["data"]["description"] for i in snapshot_items(snapshot) if i["kind"] == "INOVASI"]
    assert texts == ["Pendaftaran layanan dari rumah, 24 jam."]


async def test_the_same_figures_sent_again_before_approval_make_no_new_version(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    parent, child = uuid.uuid4(), uuid.uuid4()
    for unit_id, up in ((parent, None), (child, parent)):
        body = {"unit_id": str(unit_id), "name": "Unit", "parent_id": str(up) if up else None}
        await send_event(publik, tokens, envelope("kinerja.unit", body))
    await send_event(
        publik, tokens, envelope("kinerja.unit_performance", figures(parent, counts(sb=5, b=10, bp=6)))
    )
    await publish(publik, tokens, "2026-Q1")
    # The child's form next to its published parent differs from its form alone (it is withheld).
    data = figures(child, counts(sb=5, b=10, bp=5))
    for _ in range(2):  # two outbox deliveries with different event ids, same figures
        await send_event(publik, tokens, envelope("kinerja.unit_performance", data))
    await publish(publik, tokens, "2026-Q1")
    [item] = (await publik.get(f"/v1/feed?unit_id={child}")).json()["items"]
    assert item["version"] == 1
    assert set(item["data"]["counts"].values()) == {None}


async def test_training_figures_are_not_differenced_between_versions(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit = uuid.uuid4()
    await send_event(publik, tokens, envelope("pelatihan.training_stats", training(unit)))
    await publish(publik, tokens, "2026")
    # One more participant, and one more PNS meeting 20 JP: the difference would name one person's training.
    more = training(unit, participants=31, pns_meeting_20jp=32, share_meeting_20jp=0.8)
    await send_event(publik, tokens, envelope("pelatihan.training_stats", more))
    approved = await publish(publik, tokens, "2026")
    [entry] = approved["held"]
    assert entry["waiting"] is True
    assert any("participants" in r for r in entry["reasons"])
    assert any("pns_meeting_20jp" in r for r in entry["reasons"])
    published = await everything_published(publik, [unit])
    assert [p["version"] for p in published] == [1]
    assert outsider_findings(published) == []
