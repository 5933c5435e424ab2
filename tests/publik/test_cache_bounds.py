"""publik's public-read cache keys on the normalised known parameters only (unknown ones are ignored, for the
key and for the handler) and, when full, evicts the least recently used entry instead of emptying itself: a
flood of requests with random query strings neither grows the cache past its bound nor evicts a hot entry."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from services.publik_api.cache.middleware import _EXACT, _PATTERNS, PublicReadMiddleware
from services.publik_api.config import PublikSettings
from services.publik_api.main import create_app
from services.publik_api.state import public_cache_of
from tests.publik.test_cache_and_feeds import _published_feed
from tests.support.fixtures import Tokens, running

BOUND = 16


async def test_a_flood_of_unknown_parameters_neither_grows_the_cache_nor_evicts_a_hot_entry(
    publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    app = create_app(publik_settings(cache_max_entries=BOUND))
    async with running(app) as client:
        await _published_feed(client, tokens)
        hot = await client.get("/v1/feed.atom?kind=UNIT_PERFORMANCE")
        assert hot.status_code == 200
        cache = public_cache_of(app)
        assert cache is not None
        (key,) = [k for k in cache.entries if k.startswith(b"/v1/feed.atom")]
        assert key == b"/v1/feed.atom?kind=UNIT_PERFORMANCE"  # declared, sorted; unit_id has no default
        stored = cache.entries[key]
        for i in range(300):
            junk = f"/v1/feed.atom?kind=UNIT_PERFORMANCE&utm_{i}={uuid.uuid4()}&x=%3Cscript%3E"
            again = await client.get(junk)
            assert again.status_code == 200
            assert again.content == hot.content  # the junk never reaches the rendered feed
            assert again.headers["etag"] == hot.headers["etag"]
            other = await client.get(f"/v1/feed?junk={i}&limit=50")
            assert other.status_code == 200
            assert len(cache.entries) <= BOUND
        assert cache.entries[key] is stored  # the hot entry was served from the cache throughout
        assert b"utm_" not in b"".join(cache.entries)
        # Defaults apply: no limit and limit=50 (the default) are one entry.
        assert b"/v1/feed?limit=50" in cache.entries
        assert not [k for k in cache.entries if k.startswith(b"/v1/feed?") and k != b"/v1/feed?limit=50"]


async def test_a_full_cache_evicts_in_least_recently_used_order(
    publik_settings: Callable[..., PublikSettings], tokens: Tokens
) -> None:
    app = create_app(publik_settings(cache_max_entries=BOUND))
    async with running(app) as client:
        await _published_feed(client, tokens)
        cache = public_cache_of(app)
        assert cache is not None
        units = [uuid.uuid4() for _ in range(BOUND)]
        for u in units:
            assert (await client.get(f"/v1/feed.json?unit_id={u}")).status_code == 200
        assert len(cache.entries) == BOUND
        first = f"/v1/feed.json?unit_id={units[0]}".encode()
        second = f"/v1/feed.json?unit_id={units[1]}".encode()
        kept = cache.entries[first]
        await client.get(f"/v1/feed.json?unit_id={units[0]}&ignored=1")  # a hit makes it most recent
        assert list(cache.entries)[-1] == first
        await client.get(f"/v1/feed.json?unit_id={uuid.uuid4()}")
        assert len(cache.entries) == BOUND
        assert second not in cache.entries  # the least recently used went, and only it
        assert cache.entries[first] is kept
        for u in units[2:]:
            assert f"/v1/feed.json?unit_id={u}".encode() in cache.entries


async def test_every_cacheable_path_has_its_declared_parameters(
    publik_settings: Callable[..., PublikSettings],
) -> None:
    app = create_app(publik_settings())
    layer = PublicReadMiddleware(app)
    scope = {"app": app}
    paths = [
        *_EXACT,
        f"/v1/units/{uuid.uuid4()}/scorecard",
        f"/v1/units/{uuid.uuid4()}/services",
        f"/v1/units/{uuid.uuid4()}/trends",
        f"/v1/units/{uuid.uuid4()}/trends/predikat.svg",
        f"/v1/services/{uuid.uuid4()}",
        f"/v1/innovations/{uuid.uuid4()}/ikm",
        "/v1/snapshots/12",
        f"/v1/items/{uuid.uuid4()}",
        f"/embed/units/{uuid.uuid4()}",
    ]
    assert len(paths) == len(_EXACT) + len(_PATTERNS)
    for path in paths:
        assert layer.known_query(scope, path) is not None, path
    feed = layer.known_query(scope, "/v1/feed")
    assert feed is not None
    assert [p.name for p in feed.params] == ["cursor", "kind", "limit", "period", "unit_id"]
