"""The annual result rests on the year's periodic results (issue 16; domain.md §11.1): pre-filled with the most
frequent rating, a tie going to the latest; a departure needs a written reason."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from services.kinerja_api.evaluations.anchoring import prefill
from services.kinerja_api.tables.evaluation_enums import Rating
from tests.kinerja.test_evaluations_seed import Seeder, evaluate, new_evaluation
from tests.support.anchoring import anchored_body
from tests.support.clock import on_day
from tests.support.fixtures import Tokens

A, S, B = Rating.DI_ATAS_EKSPEKTASI, Rating.SESUAI_EKSPEKTASI, Rating.DI_BAWAH_EKSPEKTASI


def test_prefill_examples() -> None:
    assert prefill([]) is None
    assert prefill([A, S, S, A]) is A  # 2-2: the latest wins
    assert prefill([S, A, A, S]) is S
    assert prefill([A, A, S, B]) is A
    assert prefill([B]) is B


@given(st.lists(st.sampled_from(list(Rating)), min_size=1, max_size=12))
@settings(max_examples=200, deadline=None)
def test_prefill_is_a_most_frequent_rating_and_the_latest_of_them(ratings: list[Rating]) -> None:
    chosen = prefill(ratings)
    assert chosen is not None
    best = max(ratings.count(r) for r in ratings)
    assert ratings.count(chosen) == best
    tied = {r for r in ratings if ratings.count(r) == best}
    latest = max(i for i, r in enumerate(ratings) if r in tied)
    assert ratings[latest] is chosen


async def test_the_annual_result_is_prefilled_and_a_departure_needs_a_reason(
    client: httpx.AsyncClient, tokens: Tokens, seed: Seeder
) -> None:
    with on_day(None, date(2027, 1, 4)):  # after the year: the annual result may be finalised
        await _annual(client, tokens, seed)


async def _annual(client: httpx.AsyncClient, tokens: Tokens, seed: Seeder) -> None:
    unit = await seed.unit("ANN")
    head = await seed.employee(seed.nip(1), unit, None, position_type="JPT")
    boss = await seed.employee(seed.nip(2), unit, head, position_type="ADMINISTRATOR")
    staff = await seed.employee(seed.nip(3), unit, boss)
    await seed.anchor()
    me = tokens.pegawai(boss)
    for period, result in (("2026-Q1", A), ("2026-Q2", S), ("2026-Q3", A)):
        await evaluate(client, me, staff, result.value, S.value, period=period)
    annual = await new_evaluation(client, me, staff, "2026")
    assert (annual["result_rating"], annual["behavior_rating"]) == (A.value, S.value)
    listed = (await client.get(f"/v1/evaluations/{annual['id']}/main-results", headers=me)).json()
    assert [p["period"] for p in listed["periodic"]] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert (listed["prefill_result_rating"], listed["items"]) == (A.value, [])
    url = f"/v1/evaluations/{annual['id']}"

    async def patch(body: dict[str, Any], version: int) -> dict[str, Any]:
        resp = await client.patch(url, json=body, headers={**me, "If-Match": f'"{version}"'})
        assert resp.status_code == 200, resp.text
        out: dict[str, Any] = resp.json()
        return out

    # Departing from the pre-fill (SESUAI instead of DI_ATAS) without a reason is refused.
    ev = await patch(anchored_body([], S.value, S.value), annual["version"])
    refused = await client.post(f"{url}/finalize", headers=me)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("rating-reason-required")
    ev = await patch({"result_reason": "Triwulan IV menurun tajam."}, ev["version"])
    final = await client.post(f"{url}/finalize", headers=me)
    assert final.status_code == 200, final.text
    assert final.json()["predikat"] == "BAIK"
