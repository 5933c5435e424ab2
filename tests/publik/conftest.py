"""Fixtures of the publik tests: the app on the test database, and helpers to build events."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app
from tests.support.fixtures import Tokens, free_port, running


def closed_url() -> str:
    """A loopback URL nothing listens on (publik must never reach another developer's gateway)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def publik_settings(
    db: str, settings_for: Callable[..., Any], tmp_path: Path
) -> Callable[..., PublikSettings]:
    def make(**overrides: Any) -> PublikSettings:
        values: dict[str, Any] = {
            "gateway_url": closed_url(),
            "kinerja_url": closed_url(),
            "pelatihan_url": closed_url(),
            "data_dir": tmp_path,
            "cache_poll_interval_s": 0.05,
            "ikm_refresh_interval_s": 0.05,
            "survey_rate_limit": 10_000,
            "survey_token_rate_limit": 10_000,
        }
        values.update(overrides)
        settings: PublikSettings = settings_for(PublikSettings, **values)
        return settings

    return make


@pytest.fixture
async def publik(publik_settings: Callable[..., PublikSettings]) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(publik_settings())) as client:
        yield client


def envelope(event_type: str, data: dict[str, Any], event_id: uuid.UUID | None = None) -> dict[str, Any]:
    return {
        "id": str(event_id or uuid.uuid4()),
        "type": event_type,
        "source": event_type.split(".")[0],
        "occurred_at": "2026-04-15T03:00:00Z",
        "data": data,
    }


def performance(
    unit_id: uuid.UUID,
    period: str = "2026-Q1",
    *,
    counts: dict[str, int] | None = None,
    headcount: int | None = None,
    name: str = "Badan Kepegawaian Daerah",
) -> dict[str, Any]:
    counts = counts or {"SANGAT_BAIK": 6, "BAIK": 25, "BUTUH_PERBAIKAN": 5, "KURANG": 2, "SANGAT_KURANG": 0}
    evaluated = sum(counts.values())
    return {
        "unit_id": str(unit_id),
        "unit_name": name,
        "period": period,
        "headcount": headcount if headcount is not None else evaluated + 2,
        "evaluated": evaluated,
        "counts": counts,
        "compliance": {
            "skp_approved": evaluated + 1,
            "realization_reported": evaluated,
            "evaluated": evaluated,
        },
        "policy_version": "2026.1",
        "data_as_of": "2026-04-15T03:00:00Z",
    }


def training(unit_id: uuid.UUID, year: int = 2026, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "unit_id": str(unit_id),
        "unit_name": "Badan Kepegawaian Daerah",
        "year": year,
        "participants": 30,
        "jp_delivered": 640.0,
        "pns_total": 40,
        "pns_meeting_20jp": 31,
        "share_meeting_20jp": 0.775,
        "data_as_of": "2026-04-15T03:00:00Z",
    }
    data.update(overrides)
    return data


async def send_event(client: httpx.AsyncClient, tokens: Tokens, env: dict[str, Any]) -> httpx.Response:
    return await client.post("/internal/v1/events", json=env, headers=tokens.service())


async def publish(client: httpx.AsyncClient, tokens: Tokens, period: str) -> dict[str, Any]:
    """Approve the publication of a period; returns it."""
    pubs = (await client.get("/v1/publications", headers=tokens.admin())).json()["items"]
    pub = next(p for p in pubs if p["period"] == period)
    resp = await client.post(f"/v1/publications/{pub['id']}/approve", headers=tokens.admin())
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def answers_for(respondents: int, total: int) -> list[list[int]]:
    """``respondents`` answer sets (nine answers 1-4 each) whose answers add up to ``total``."""
    assert 9 * respondents <= total <= 36 * respondents
    extra = total - 9 * respondents
    sets = []
    for _ in range(respondents):
        row = []
        for _ in range(9):
            add = min(3, extra)
            extra -= add
            row.append(1 + add)
        sets.append(row)
    return sets


async def form_token(
    client: httpx.AsyncClient, unit_id: uuid.UUID | str, headers: dict[str, str] | None = None
) -> str:
    """A survey form token for the unit, asked for the way the widget does."""
    resp = await client.post("/v1/surveys/form-token", json={"unit_id": str(unit_id)}, headers=headers)
    assert resp.status_code == 201, resp.text
    token: str = resp.json()["token"]
    return token


async def submit_survey(
    client: httpx.AsyncClient,
    unit_id: uuid.UUID | str,
    answers: list[int],
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> httpx.Response:
    """Open the form (one token) and answer it, from one address, like a citizen's browser."""
    token = await form_token(client, unit_id, headers)
    body = {"unit_id": str(unit_id), "answers": answers, "form_token": token, **fields}
    return await client.post("/v1/surveys", json=body, headers=headers)
