"""Citizens' comments: the admin reads all, a unit_admin its own unit's with personal data masked; both mark
them handled; a follow-up statement is published in the feed and on the card, through the personal-data guard."""

from __future__ import annotations

import uuid

import httpx

from services.common.roles import Role
from tests.publik.conftest import envelope, send_event, submit_survey
from tests.support.fixtures import Tokens


async def _unit(client: httpx.AsyncClient, tokens: Tokens, name: str) -> uuid.UUID:
    unit = uuid.uuid4()
    data = {"unit_id": str(unit), "code": "U" + unit.hex[:6], "name": name, "parent_id": None, "active": True}
    assert (await send_event(client, tokens, envelope("kinerja.unit", data))).status_code == 202
    return unit


def _unit_admin(tokens: Tokens, unit: uuid.UUID) -> dict[str, str]:
    return tokens.headers("opd.admin", roles=[Role.UNIT_ADMIN], unit_id=str(unit))


async def test_comments_are_read_by_the_admin_and_the_units_own_admin(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    dukcapil, dinsos = (
        await _unit(publik, tokens, "Dinas Dukcapil"),
        await _unit(publik, tokens, "Dinas Sosial"),
    )
    private = "Antrean lama. Hubungi saya 0812-3456-7890 atau siti@example.org, NIK 1771012345678901."
    assert (await submit_survey(publik, dukcapil, [2] * 9, comment=private)).status_code == 201
    assert (await submit_survey(publik, dukcapil, [4] * 9)).status_code == 201  # no comment: not listed
    assert (await submit_survey(publik, dinsos, [3] * 9, comment="Ruang tunggu panas.")).status_code == 201

    assert (await publik.get("/v1/comments")).status_code == 401
    assert (await publik.get("/v1/comments", headers=tokens.pegawai("198609262015051001"))).status_code == 403
    everything = (await publik.get("/v1/comments", headers=tokens.admin())).json()["items"]
    assert {c["comment"] for c in everything} >= {private, "Ruang tunggu panas."}
    own = (await publik.get("/v1/comments", headers=_unit_admin(tokens, dukcapil))).json()["items"]
    assert [c["unit_id"] for c in own] == [str(dukcapil)]
    masked = own[0]["comment"]
    assert own[0]["masked"] is True
    for secret in ("0812-3456-7890", "siti@example.org", "1771012345678901"):
        assert secret not in masked
    assert masked.startswith("Antrean lama.")
    # Another unit's comments are not theirs to read or handle.
    other = await publik.get(f"/v1/comments?unit_id={dinsos}", headers=_unit_admin(tokens, dukcapil))
    assert other.status_code == 403
    theirs = next(c for c in everything if c["unit_id"] == str(dinsos))
    assert (
        await publik.post(f"/v1/comments/{theirs['id']}/handled", headers=_unit_admin(tokens, dukcapil))
    ).status_code == 404
    handled = await publik.post(f"/v1/comments/{own[0]['id']}/handled", headers=_unit_admin(tokens, dukcapil))
    assert (handled.status_code, handled.json()["handled_by"]) == (200, "opd.admin")
    open_ones = (await publik.get("/v1/comments?handled=false", headers=tokens.admin())).json()["items"]
    assert own[0]["id"] not in {c["id"] for c in open_ones}
    # A unit_admin token without its unit claim reads nothing.
    bare = tokens.headers("x", roles=[Role.UNIT_ADMIN])
    assert (await publik.get("/v1/comments", headers=bare)).status_code == 403


async def test_a_follow_up_statement_is_published_in_the_feed_and_the_card(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit, other = await _unit(publik, tokens, "Dinas Dukcapil"), await _unit(publik, tokens, "Dinas Sosial")
    statement = {"period": "2026-S1", "statement": "Loket tambahan dibuka setiap Senin mulai Juli."}
    refused = await publik.post(
        f"/v1/units/{unit}/follow-ups",
        json={**statement, "statement": "Keluhan Bapak 198609262015051001 sudah ditangani."},
        headers=tokens.admin(),
    )
    assert (refused.status_code, refused.json()["type"].rsplit("/", 1)[-1]) == (422, "personal-data")
    assert (
        await publik.post(f"/v1/units/{other}/follow-ups", json=statement, headers=_unit_admin(tokens, unit))
    ).status_code == 403
    made = await publik.post(
        f"/v1/units/{unit}/follow-ups", json=statement, headers=_unit_admin(tokens, unit)
    )
    assert made.status_code == 201, made.text
    assert made.json()["kind"] == "TINDAK_LANJUT"
    feed = (await publik.get(f"/v1/feed?kind=TINDAK_LANJUT&unit_id={unit}")).json()["items"]
    assert [i["data"]["statement"] for i in feed] == [statement["statement"]]
    card = (await publik.get(f"/v1/units/{unit}/scorecard")).json()
    assert card["follow_ups"][0]["data"]["statement"] == statement["statement"]
    atom = (await publik.get("/v1/feed.atom")).text
    assert "Tindak lanjut hasil survei kepuasan 2026-S1" in atom
