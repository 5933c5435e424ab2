"""Public reads: strong ETag and 304, CORS, gzip, Cache-Control, invalidation on change; feed formats."""

from __future__ import annotations

import asyncio
import gzip
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import feedparser  # type: ignore[import-untyped]
import httpx
import jsonschema  # type: ignore[import-untyped]

from services.publik_api.config import PublikSettings
from services.publik_api.feed.schemas import JsonFeed
from services.publik_api.main import create_app
from tests.publik.conftest import envelope, performance, publish, send_event, training
from tests.support.fixtures import Tokens, running

# JSON Feed 1.1 (https://jsonfeed.org/version/1.1), strict: no unknown top-level or item keys except
# extensions starting with "_".
RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
JSON_FEED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": {"type": "string", "format": "uri"},
        "feed_url": {"type": "string", "format": "uri"},
        "description": {"type": "string"},
        "language": {"type": "string"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_text"]}, {"required": ["content_html"]}],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "url": {"type": "string"},
                    "title": {"type": "string"},
                    "content_text": {"type": "string"},
                    "content_html": {"type": "string"},
                    "date_published": {"type": "string", "pattern": RFC3339},
                    "date_modified": {"type": "string", "pattern": RFC3339},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
                "patternProperties": {"^_": {"type": "object"}},
                "additionalProperties": False,
            },
        },
    },
    "patternProperties": {"^_": {"type": "object"}},
    "additionalProperties": False,
}


async def _published_feed(client: httpx.AsyncClient, tokens: Tokens) -> uuid.UUID:
    unit = uuid.uuid4()
    await send_event(client, tokens, envelope("kinerja.unit_performance", performance(unit)))
    await send_event(client, tokens, envelope("pelatihan.training_stats", training(unit)))
    await publish(client, tokens, "2026-Q1")
    await publish(client, tokens, "2026")
    return unit


async def test_etag_304_cors_and_cache_control(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    unit = await _published_feed(publik, tokens)
    for path in [
        "/v1/feed",
        "/v1/feed.json",
        "/v1/feed.atom",
        f"/v1/units/{unit}/scorecard?year=2026",
        f"/v1/ikm?unit_id={unit}&year=2026",
        "/v1/innovations",
        "/v1/snapshots/latest",
        "/v1/snapshots/1",
        "/v1/snapshots/jwks.json",
        "/embed/widget.js",
        f"/embed/units/{unit}",
    ]:
        first = await publik.get(path, headers={"Origin": "https://example.org"})
        assert first.status_code == 200, (path, first.text)
        etag = first.headers["etag"]
        assert etag.startswith('"'), path
        assert first.headers["access-control-allow-origin"] == "*"
        assert "max-age=" in first.headers["cache-control"]
        assert first.headers["x-request-id"]
        again = await publik.get(path)
        assert again.headers["etag"] == etag, path
        assert again.content == first.content, path
        revalidated = await publik.get(path, headers={"If-None-Match": etag})
        assert revalidated.status_code == 304, path
        assert revalidated.content == b""
        assert revalidated.headers["etag"] == etag
        assert revalidated.headers["access-control-allow-origin"] == "*"
        other = await publik.get(path, headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200
        weak = await publik.get(path, headers={"If-None-Match": f'"something-else", W/{etag}'})
        assert weak.status_code == 304, path  # weak comparison, any tag of the list


async def test_gzip_when_asked(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    await _published_feed(publik, tokens)
    plain = await publik.get("/v1/feed", headers={"Accept-Encoding": "identity"})
    zipped = await publik.get("/v1/feed", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    # httpx decodes transparently; the bytes are the same document with a different validator.
    assert zipped.content == plain.content
    assert zipped.headers["etag"] != plain.headers["etag"]
    assert (
        await publik.get(
            "/v1/feed", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]}
        )
    ).status_code == 304
    # Either representation's tag revalidates the other: the content is the same.
    assert (
        await publik.get(
            "/v1/feed", headers={"Accept-Encoding": "identity", "If-None-Match": zipped.headers["etag"]}
        )
    ).status_code == 304
    assert gzip.decompress(gzip.compress(plain.content)) == plain.content


async def test_a_change_invalidates_the_cache_at_once(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    await _published_feed(publik, tokens)
    before = await publik.get("/v1/feed")
    await send_event(
        publik, tokens, envelope("kinerja.unit_performance", performance(uuid.uuid4(), name="Dinas Sosial"))
    )
    await publish(publik, tokens, "2026-Q1")
    after = await publik.get("/v1/feed", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert len(after.json()["items"]) == len(before.json()["items"]) + 1


async def test_preflight_and_cors_on_writes(publik: httpx.AsyncClient) -> None:
    pre = await publik.options(
        "/v1/surveys",
        headers={"Origin": "https://bengkuluprov.go.id", "Access-Control-Request-Method": "POST"},
    )
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == "*"
    assert "POST" in pre.headers["access-control-allow-methods"]
    refused = await publik.post("/v1/surveys", json={})
    assert refused.status_code == 422
    assert refused.headers["access-control-allow-origin"] == "*"


async def test_embed_page_is_limited_to_allowed_frame_ancestors(publik: httpx.AsyncClient) -> None:
    page = await publik.get(f"/embed/units/{uuid.uuid4()}")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'self' https://bengkuluprov.go.id https://*.bengkuluprov.go.id" in csp
    assert "set-cookie" not in page.headers
    assert (await publik.get("/embed/units/not-a-uuid")).status_code in (404, 422)
    widget = await publik.get("/embed/widget.js")
    css = await publik.get("/embed/widget.css")
    assert len(widget.content) + len(css.content) + len(page.content) < 50 * 1024


async def test_feed_filters_and_cursor(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    units = [uuid.uuid4() for _ in range(3)]
    for u in units:
        await send_event(publik, tokens, envelope("kinerja.unit_performance", performance(u)))
        await send_event(publik, tokens, envelope("kinerja.unit_performance", performance(u, "2026-Q2")))
    await publish(publik, tokens, "2026-Q1")
    await publish(publik, tokens, "2026-Q2")
    seen: list[str] = []
    cursor = None
    while True:
        url = "/v1/feed?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await publik.get(url)).json()
        seen.extend(i["id"] for i in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6
    assert len((await publik.get(f"/v1/feed?unit_id={units[0]}")).json()["items"]) == 2
    assert len((await publik.get("/v1/feed?period=2026-Q2")).json()["items"]) == 3
    assert len((await publik.get("/v1/feed?kind=IKM")).json()["items"]) == 0
    assert (await publik.get("/v1/feed?kind=NOPE")).status_code == 422
    assert (await publik.get("/v1/feed?cursor=bogus")).status_code == 422


async def test_json_feed_is_valid_json_feed_1_1(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    await _published_feed(publik, tokens)
    resp = await publik.get("/v1/feed.json")
    assert resp.headers["content-type"].startswith("application/feed+json")
    doc = resp.json()
    jsonschema.validate(doc, JSON_FEED_SCHEMA, format_checker=jsonschema.FormatChecker())
    JsonFeed.model_validate(doc)  # what OpenAPI documents for generated clients is what is sent
    assert len(doc["items"]) == 2
    for item in doc["items"]:
        datetime.fromisoformat(item["date_published"].replace("Z", "+00:00"))


async def test_atom_feed_parses_with_feedparser(publik: httpx.AsyncClient, tokens: Tokens) -> None:
    unit = await _published_feed(publik, tokens)
    resp = await publik.get("/v1/feed.atom")
    assert resp.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(resp.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title
    assert len(parsed.entries) == 2
    for entry in parsed.entries:
        assert entry.id.startswith("urn:uuid:")
        assert entry.title
        assert entry.summary
        assert entry.updated_parsed
        assert entry.link
    item_id = parsed.entries[0].id.removeprefix("urn:uuid:")
    assert (await publik.get(f"/v1/items/{item_id}")).json()["unit_id"] == str(unit)


async def test_another_replica_sees_a_change_within_the_poll_interval(
    publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    settings = publik_settings(cache_poll_interval_s=0.2)
    async with running(create_app(settings)) as a, running(create_app(settings)) as b:
        await _published_feed(a, tokens)
        cached = await b.get("/v1/feed")
        assert len(cached.json()["items"]) == 2
        await send_event(
            a, tokens, envelope("kinerja.unit_performance", performance(uuid.uuid4(), name="Dinas Sosial"))
        )
        await publish(a, tokens, "2026-Q1")
        # Replica b made no change itself; its poll notices the new version within the interval.
        await asyncio.sleep(0.5)
        fresh = await b.get("/v1/feed", headers={"If-None-Match": cached.headers["etag"]})
        assert fresh.status_code == 200
        assert len(fresh.json()["items"]) == 3
