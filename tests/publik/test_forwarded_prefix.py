"""publik's cached public bodies never vary by X-Forwarded-Prefix (the cache key ignores it), while its
problems still point below the prefix the gateway gave."""

from __future__ import annotations

import uuid

import httpx

PREFIX = {"X-Forwarded-Prefix": "/publik"}


async def test_cached_bodies_are_the_same_with_or_without_the_prefix(publik: httpx.AsyncClient) -> None:
    for path in ("/v1/feed.json", "/v1/innovations", "/v1/feed.atom"):
        first = await publik.get(path, headers=PREFIX)
        bare = await publik.get(path)
        again = await publik.get(path, headers={"X-Forwarded-Prefix": "/somewhere-else"})
        assert first.status_code == bare.status_code == again.status_code == 200, path
        assert first.content == bare.content == again.content, path


async def test_a_problem_on_a_cacheable_path_points_below_the_prefix(publik: httpx.AsyncClient) -> None:
    path = f"/v1/units/{uuid.uuid4()}/scorecard"
    resp = await publik.get(path, headers=PREFIX)
    assert resp.status_code == 404
    assert resp.json()["instance"] == "/publik" + path
    # Not stored: the same path asked directly says its own path.
    assert (await publik.get(path)).json()["instance"] == path
