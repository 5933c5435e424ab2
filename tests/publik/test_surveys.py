"""SKM surveys and the IKM: exact formula and category boundaries, refusals (422, 429), units from kinerja."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event

from services.publik_api.cache.store import PublicCache
from services.publik_api.clients.kinerja import KinerjaClient
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app
from services.publik_api.state import public_cache_of, publik_state
from services.publik_api.surveys import form_token as form_tokens
from services.publik_api.surveys.ikm import compute_ikm, krejcie_morgan
from tests.publik.conftest import answers_for, envelope, form_token, send_event, submit_survey
from tests.support.fixtures import Tokens, running


def public_cache(app: Any) -> PublicCache:
    """The running app's public-read cache."""
    cache = public_cache_of(app)
    assert cache is not None
    return cache


async def _unit(client: httpx.AsyncClient, tokens: Tokens, name: str = "Dinas Dukcapil") -> uuid.UUID:
    unit = uuid.uuid4()
    data = {"unit_id": str(unit), "code": "U" + unit.hex[:6], "name": name, "parent_id": None, "active": True}
    assert (await send_event(client, tokens, envelope("kinerja.unit", data))).status_code == 202
    return unit


def _ip(n: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"10.0.{n // 250}.{n % 250 + 1}"}


@pytest.mark.parametrize(
    ("respondents", "total", "ikm", "mutu", "kinerja"),
    [
        # Hand-computed: IKM = 25 x total / (9 x respondents), rounded half-up to two decimals.
        (19, 604, "88.30", "B", "BAIK"),  # 88.3041 -> 88.30: the top of B
        (24, 763, "88.31", "A", "SANGAT_BAIK"),  # 88.3102 -> 88.31: the bottom of A
        (26, 717, "76.60", "C", "KURANG_BAIK"),  # 76.6026 -> 76.60: the top of C
        (19, 524, "76.61", "B", "BAIK"),  # 76.6082 -> 76.61: the bottom of B
        (5, 117, "65.00", "C", "KURANG_BAIK"),  # exactly 65
        (38, 889, "64.99", "D", "TIDAK_BAIK"),  # 64.9854 -> 64.99
        (1, 36, "100.00", "A", "SANGAT_BAIK"),
        (1, 9, "25.00", "D", "TIDAK_BAIK"),
    ],
)
def test_ikm_formula_and_boundaries(respondents: int, total: int, ikm: str, mutu: str, kinerja: str) -> None:
    sets = answers_for(respondents, total)
    sums = [sum(row[i] for row in sets) for i in range(9)]
    result = compute_ikm(respondents, sums)
    assert result.ikm == Decimal(ikm)
    assert (result.mutu, result.kinerja) == (mutu, kinerja)
    assert result.respondents == respondents
    # The weight is exactly 1/9: the mean NRR times 25, never 0.11 (which would give a lower score).
    assert result.ikm == Decimal(ikm)
    assert Fraction(25 * total, 9 * respondents) - Fraction(str(result.ikm)) < Fraction(1, 200)


def test_ikm_uses_the_exact_weight_not_0_11() -> None:
    # Unsur NRRs 4,4,4,3,4,4,4,3,3 (one respondent): exact 25 x 33/9 = 91.67; with 0.11 it would be 90.75.
    result = compute_ikm(1, [4, 4, 4, 3, 4, 4, 4, 3, 3])
    assert result.ikm == Decimal("91.67")
    assert [u.nrr for u in result.per_unsur][:4] == [Decimal("4.0000")] * 3 + [Decimal("3.0000")]


def test_krejcie_morgan_table() -> None:
    table = {100: 80, 200: 132, 500: 217, 1000: 278, 2000: 322, 5000: 357, 10_000: 370, 1_000_000: 384}
    assert {n: krejcie_morgan(n) for n in table} == table


async def test_ikm_through_the_api_with_sample_size(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    unit = await _unit(publik, tokens)
    for i, row in enumerate(answers_for(24, 763)):
        resp = await submit_survey(publik, unit, row, headers=_ip(i))
        assert resp.status_code == 201, resp.text
    body = (await publik.get(f"/v1/ikm?unit_id={unit}")).json()
    assert (body["respondents"], body["ikm"], body["mutu"], body["kinerja"]) == (
        24,
        88.31,
        "A",
        "SANGAT_BAIK",
    )
    assert len(body["per_unsur"]) == 9
    assert body["per_unsur"][0]["name"] == "Persyaratan"
    assert body["min_sample"] is None
    resp = await publik.put(
        f"/v1/units/{unit}/service-population", json={"population": 100}, headers=tokens.admin()
    )
    assert resp.status_code == 200
    body = (await publik.get(f"/v1/ikm?unit_id={unit}")).json()
    assert (body["min_sample"], body["sample_sufficient"]) == (80, False)
    # The IKM is a live feed item too, refreshed in batches (every 50 ms here, 1 s by default).
    await asyncio.sleep(0.3)
    ikm_items = (await publik.get("/v1/feed?kind=IKM")).json()["items"]
    assert ikm_items[0]["data"]["ikm"] == 88.31
    assert (await publik.get(f"/v1/ikm?unit_id={uuid.uuid4()}")).status_code == 404


def _signed(
    settings: PublikSettings, unit: uuid.UUID | str, now: datetime | None = None, ttl_s: int = 600
) -> str:
    """A token signed with the server's key, as the token endpoint would (for units it cannot vouch for)."""
    key = settings.survey_form_key.get_secret_value().encode()
    return form_tokens.issue(key, uuid.UUID(str(unit)), now or datetime.now(UTC), ttl_s)[0]


async def test_malformed_surveys_get_422(
    publik: httpx.AsyncClient, publik_settings: Callable[..., PublikSettings], tokens: Tokens, db: str
) -> None:
    unit = await _unit(publik, tokens)
    stranger = uuid.uuid4()
    bad_bodies: list[Any] = [
        {"unit_id": str(unit), "answers": [3] * 8},
        {"unit_id": str(unit), "answers": [3] * 10},
        {"unit_id": str(unit), "answers": [3] * 8 + [5]},
        {"unit_id": str(unit), "answers": [0] + [3] * 8},
        {"unit_id": str(unit), "answers": ["3"] * 9},
        {"unit_id": str(unit), "answers": [3.0] * 9},
        {"unit_id": str(unit), "answers": [True] * 9},
        {"unit_id": str(unit), "answers": [3] * 9, "comment": "x" * 1001},
        {"unit_id": str(unit), "answers": [3] * 9, "ip": "1.2.3.4"},
        {"unit_id": "not-a-uuid", "answers": [3] * 9},
        # A unit publik never heard of, while kinerja cannot be asked: 503 (retry), not a verdict.
        {"unit_id": str(stranger), "answers": [3] * 9},
        [3] * 9,
    ]
    statuses = []
    for i, body in enumerate(bad_bodies):
        if isinstance(body, dict) and body["unit_id"] != "not-a-uuid":
            body["form_token"] = _signed(publik_settings(), body["unit_id"])
        resp = await publik.post("/v1/surveys", json=body, headers=_ip(i))
        statuses.append(resp.status_code)
        assert resp.headers["content-type"] == "application/problem+json"
    assert statuses[:10] == [422] * 10
    assert statuses[10:] == [503, 422]
    conn = await asyncpg.connect(db.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        assert await conn.fetchval("SELECT count(*) FROM publik.survey_response") == 0
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'publik' "
            "AND table_name = 'survey_response'"
        )
    finally:
        await conn.close()
    assert not any("ip" in c["column_name"].split("_") for c in columns)


async def test_rate_limited_survey_gets_429(
    publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    async with running(create_app(publik_settings(survey_rate_limit=3, survey_rate_window_s=60))) as client:
        unit = await _unit(client, tokens)
        statuses = [(await submit_survey(client, unit, [3] * 9, _ip(7))).status_code for _ in range(4)]
        assert statuses == [201, 201, 201, 429]
        limited = await submit_survey(client, unit, [3] * 9, _ip(7))
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["content-type"] == "application/problem+json"
        # Another address is not affected.
        assert (await submit_survey(client, unit, [3] * 9, _ip(8))).status_code == 201


async def test_an_ipv6_household_is_one_address_for_the_limit(
    publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    """An IPv6 subscriber holds a whole /64 and may use a fresh address per request: they count as one."""
    async with running(create_app(publik_settings(survey_rate_limit=2, survey_rate_window_s=60))) as client:
        unit = await _unit(client, tokens)
        hops = [{"X-Forwarded-For": f"2001:db8:aa:bb::{n:x}"} for n in (1, 0xBEEF, 0xFFFF)]
        statuses = [(await submit_survey(client, unit, [3] * 9, h)).status_code for h in hops]
        assert statuses == [201, 201, 429]
        # The next /64 is another subscriber.
        other = {"X-Forwarded-For": "2001:db8:aa:bc::1"}
        assert (await submit_survey(client, unit, [3] * 9, other)).status_code == 201
    async with running(create_app(publik_settings(survey_token_rate_limit=2))) as client:
        unit = await _unit(client, tokens)
        minted = [
            (await client.post("/v1/surveys/form-token", json={"unit_id": str(unit)}, headers=h)).status_code
            for h in hops
        ]
        assert minted == [201, 201, 429]


async def test_one_answer_per_form_token(
    publik: httpx.AsyncClient, publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    unit = await _unit(publik, tokens)
    other = await _unit(publik, tokens, "Dinas Sosial")
    issued = await publik.post("/v1/surveys/form-token", json={"unit_id": str(unit)})
    assert issued.status_code == 201
    assert issued.headers["cache-control"] == "no-store"
    token = issued.json()["token"]
    body = {"unit_id": str(unit), "answers": [4] * 9, "form_token": token}
    assert (await publik.post("/v1/surveys", json=body)).status_code == 201
    # The same token again, from anywhere: the database keeps one answer.
    again = await publik.post("/v1/surveys", json={**body, "answers": [1] * 9}, headers=_ip(3))
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    # Two answers racing with one fresh token: exactly one is stored.
    fresh = await form_token(publik, unit)
    race = await asyncio.gather(
        *(publik.post("/v1/surveys", json={**body, "form_token": fresh}, headers=_ip(i)) for i in range(6))
    )
    assert sorted(r.status_code for r in race) == [201] + [409] * 5
    # A token is for its unit only, and a client cannot do without one or make one up.
    for bad in (await form_token(publik, other), token[:-2] + "AA", "x" * 40):
        refused = await publik.post("/v1/surveys", json={**body, "form_token": bad})
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["loc"] == ["body", "form_token"]
    missing = await publik.post("/v1/surveys", json={"unit_id": str(unit), "answers": [4] * 9})
    assert missing.status_code == 422
    # A token signed with another key (an attacker's) is refused; an expired one too.
    forged = form_tokens.issue(b"attacker-key", unit, datetime.now(UTC), 600)[0]
    expired = _signed(publik_settings(), unit, datetime.now(UTC) - timedelta(hours=2), 600)
    for bad in (forged, expired):
        refused = await publik.post("/v1/surveys", json={**body, "form_token": bad})
        assert refused.status_code == 422, refused.text
    assert (await publik.get(f"/v1/ikm?unit_id={unit}")).json()["respondents"] == 2


async def test_a_unit_created_in_kinerja_a_minute_ago_is_accepted(
    publik_settings: Callable[..., PublikSettings], settings_for: Callable[..., Any], tokens: Tokens
) -> None:
    """Contract test of publik's kinerja client against the real kinerja app."""
    kinerja_main = pytest.importorskip("services.kinerja_api.main")
    from services.kinerja_api.config import KinerjaSettings

    async with running(kinerja_main.create_app(settings_for(KinerjaSettings))) as kinerja:
        created = await kinerja.post(
            "/v1/units",
            json={"code": "DISDUK-" + uuid.uuid4().hex[:6], "name": "Dinas Kependudukan"},
            headers=tokens.admin(),
        )
        assert created.status_code == 201, created.text
        unit_id = created.json()["id"]
        kinerja.headers.update(tokens.service("svc-publik"))
        app = create_app(publik_settings())
        async with running(app) as publik:
            publik_state(app).kinerja = KinerjaClient(kinerja)
            resp = await submit_survey(publik, unit_id, [4] * 9)
            assert resp.status_code == 201, resp.text
            card = (await publik.get(f"/v1/units/{unit_id}/scorecard")).json()
            assert card["unit"]["name"] == "Dinas Kependudukan"
            assert card["ikm"]["ikm"] == 100.0
            unknown = await publik.post("/v1/surveys/form-token", json={"unit_id": str(uuid.uuid4())})
            assert unknown.status_code == 422
            assert unknown.json()["errors"][0]["loc"] == ["body", "unit_id"]


async def test_unknown_unit_while_kinerja_is_down_gets_503(publik: httpx.AsyncClient) -> None:
    resp = await publik.post("/v1/surveys/form-token", json={"unit_id": str(uuid.uuid4())})
    assert resp.status_code == 503


async def test_survey_limit_keys_ipv6_on_the_64(
    publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    """Issue 13, finding 3: one IPv6 customer owns a /64 and may answer from any of its 2**64 addresses; the
    limit counts the /64 (here forwarded by the trusted gateway, as in production)."""
    async with running(create_app(publik_settings(survey_rate_limit=3, survey_rate_window_s=60))) as client:
        unit = await _unit(client, tokens)
        statuses = [
            (
                await submit_survey(
                    client, unit, [3] * 9, headers={"X-Forwarded-For": f"2001:db8:7:7::{n + 1:x}"}
                )
            ).status_code
            for n in range(4)
        ]
        assert statuses == [201, 201, 201, 429]
        other = {"X-Forwarded-For": "2001:db8:7:8::1"}
        assert (await submit_survey(client, unit, [3] * 9, headers=other)).status_code == 201


async def test_surveys_leave_cached_reads_without_database_queries(
    publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    """A survey stream must not turn cached reads into database round trips: only the IKM refresher's batch
    changes what is public (and the version every cache watches)."""
    app = create_app(publik_settings(cache_poll_interval_s=60, ikm_refresh_interval_s=60))
    async with running(app) as client:
        unit = await _unit(client, tokens)
        await asyncio.sleep(3.1)  # the event's write made this replica re-read the version for a while
        assert (await client.get("/v1/feed")).status_code == 200
        queries: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            queries.append(statement)

        sync_engine = publik_state(app).engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", count)
        try:
            assert (await submit_survey(client, unit, [4] * 9)).status_code == 201
            after_survey = len(queries)
            for _ in range(20):
                assert (await client.get("/v1/feed")).status_code == 200
            assert len(queries) == after_survey, queries[after_survey:]
        finally:
            event.remove(sync_engine, "before_cursor_execute", count)
        # The refresher folds the survey in and bumps the version once: the cached feed shows the IKM.
        assert await publik_state(app).ikm_refresher.flush() == 1
        await public_cache(app).read_version()
        items = (await client.get("/v1/feed?kind=IKM")).json()["items"]
        assert [(i["unit_id"], i["data"]["respondents"]) for i in items] == [(str(unit), 1)]
        # Refreshing again with nothing new changes nothing public, so no cache is invalidated.
        version = await public_cache(app).read_version()
        publik_state(app).ikm_refresher.note(unit, items[0]["period"] and int(items[0]["period"]))
        await publik_state(app).ikm_refresher.flush()
        assert await public_cache(app).read_version() == version
