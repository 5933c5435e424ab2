"""Capaian kinerja organisasi in publik: the unit's targets and realisations wait for the period's approval,
then show in the feed and on the card, by unit only; a payload carrying anything personal is refused."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.publik.conftest import envelope, publish, send_event
from tests.support.fixtures import Tokens


def targets(unit: uuid.UUID, period: str = "2026-Q1", **extra: Any) -> dict[str, Any]:
    return {
        "unit_id": str(unit),
        "unit_name": "Dinas Kependudukan dan Pencatatan Sipil",
        "period": period,
        "results": [
            {
                "kind": "UTAMA",
                "text": "Meningkatnya cakupan kepemilikan dokumen kependudukan",
                "indicators": [
                    {
                        "text": "Persentase penduduk ber-KTP-el",
                        "target": "98%",
                        "realizations": [{"period": "2026-Q1", "realization": "96,4%"}],
                    }
                ],
            }
        ],
        "data_as_of": "2026-04-15T03:00:00Z",
        **extra,
    }


async def test_targets_are_public_after_approval_and_on_the_card(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit = uuid.uuid4()
    sent = await send_event(publik, tokens, envelope("kinerja.organisation_performance", targets(unit)))
    assert sent.status_code == 202, sent.text
    assert (await publik.get("/v1/feed?kind=CAPAIAN_KINERJA")).json()["items"] == []
    await publish(publik, tokens, "2026-Q1")
    items = (await publik.get("/v1/feed?kind=CAPAIAN_KINERJA")).json()["items"]
    assert len(items) == 1
    assert items[0]["unit_id"] == str(unit)
    assert items[0]["data"]["results"][0]["indicators"][0]["realizations"] == [
        {"period": "2026-Q1", "realization": "96,4%"}
    ]
    card = (await publik.get(f"/v1/units/{unit}/scorecard?year=2026")).json()
    assert [c["period"] for c in card["capaian"]] == ["2026-Q1"]
    atom = await publik.get("/v1/feed.atom?kind=CAPAIAN_KINERJA")
    assert "Capaian kinerja organisasi" in atom.text


async def test_a_personal_field_or_value_is_refused(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    unit = uuid.uuid4()
    named = targets(unit)
    named["results"][0]["indicators"][0]["nip"] = "198001012006041001"
    refused = await send_event(publik, tokens, envelope("kinerja.organisation_performance", named))
    assert refused.status_code == 422
    head = await send_event(
        publik, tokens, envelope("kinerja.organisation_performance", targets(unit, name="Budi"))
    )
    assert head.status_code == 422
    value = targets(unit)
    value["results"][0]["indicators"][0]["realizations"][0]["realization"] = "oleh 198001012006041001"
    assert (
        await send_event(publik, tokens, envelope("kinerja.organisation_performance", value))
    ).status_code == 422


async def test_a_correction_of_public_targets_waits_for_the_next_approval(
    publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    unit = uuid.uuid4()
    await send_event(publik, tokens, envelope("kinerja.organisation_performance", targets(unit)))
    await publish(publik, tokens, "2026-Q1")
    corrected = targets(unit)
    corrected["results"][0]["indicators"][0]["realizations"][0]["realization"] = "97,1%"
    assert (
        await send_event(publik, tokens, envelope("kinerja.organisation_performance", corrected))
    ).status_code == 202

    def realization(items: list[dict[str, Any]]) -> str:
        value: str = items[0]["data"]["results"][0]["indicators"][0]["realizations"][0]["realization"]
        return value

    items = (await publik.get("/v1/feed?kind=CAPAIAN_KINERJA")).json()["items"]
    assert realization(items) == "96,4%"
    assert items[0]["version"] == 1
    await publish(publik, tokens, "2026-Q1")
    items = (await publik.get("/v1/feed?kind=CAPAIAN_KINERJA")).json()["items"]
    assert realization(items) == "97,1%"
    assert items[0]["version"] == 2
