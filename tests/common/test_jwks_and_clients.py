"""Services fetch the gateway's JWKS, cache it, fetch again on an unknown kid (key rotation) and once the
cached set is `jwks_max_age_s` old (a dropped key stops verifying); outgoing calls carry the request id."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.common.auth import JwksKeySource, TokenVerifier
from services.common.errors import Unauthorized
from services.common.http import make_client
from services.common.request_id import set_request_id
from tests.support.fixtures import AUDIENCE, ISSUER, new_signer


def _jwks_app(state: dict[str, Any]) -> Starlette:
    async def jwks(request: Request) -> JSONResponse:
        state["fetches"] += 1
        return JSONResponse({"keys": state["keys"]})

    return Starlette(routes=[Route("/.well-known/jwks.json", jwks)])


async def test_unknown_kid_triggers_one_refetch_and_rotation_needs_no_restart() -> None:
    old, new = new_signer(), new_signer()
    state: dict[str, Any] = {"keys": [old.jwk], "fetches": 0}
    transport = httpx.ASGITransport(app=_jwks_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        source = JwksKeySource("/.well-known/jwks.json", client, min_refresh_interval_s=0)
        verifier = TokenVerifier(source, issuer=ISSUER, audience=AUDIENCE)
        assert (await verifier.verify(old.issue("a", ["admin"], ttl_s=60))).subject == "a"
        assert (await verifier.verify(old.issue("b", ["admin"], ttl_s=60))).subject == "b"
        assert state["fetches"] == 1  # cached

        state["keys"] = [new.jwk, old.jwk]  # the gateway rotated its key
        assert (await verifier.verify(new.issue("c", ["admin"], ttl_s=60))).subject == "c"
        assert state["fetches"] == 2


async def test_refetch_is_rate_limited_so_forged_kids_cannot_flood_the_gateway() -> None:
    signer = new_signer()
    state: dict[str, Any] = {"keys": [signer.jwk], "fetches": 0}
    transport = httpx.ASGITransport(app=_jwks_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        source = JwksKeySource("/.well-known/jwks.json", client, min_refresh_interval_s=60)
        verifier = TokenVerifier(source, issuer=ISSUER, audience=AUDIENCE)
        await verifier.verify(signer.issue("a", ["admin"], ttl_s=60))
        stranger = new_signer()
        for _ in range(5):
            with pytest.raises(Unauthorized):
                await verifier.verify(stranger.issue("x", ["admin"], ttl_s=60))
        assert state["fetches"] == 1


async def test_outgoing_calls_forward_the_request_id() -> None:
    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"rid": request.headers.get("x-request-id")})

    app = Starlette(routes=[Route("/echo", echo)])
    async with make_client("http://svc", timeout_s=2, transport=httpx.ASGITransport(app=app)) as client:
        set_request_id("rid-42")
        try:
            assert (await client.get("/echo")).json() == {"rid": "rid-42"}
        finally:
            set_request_id(None)


async def test_a_snapshot_key_in_the_jwks_never_verifies_a_token() -> None:
    snapshot_signer = new_signer()
    state: dict[str, Any] = {"keys": [{**snapshot_signer.jwk, "x-purpose": "snapshot"}], "fetches": 0}
    transport = httpx.ASGITransport(app=_jwks_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        source = JwksKeySource("/.well-known/jwks.json", client, min_refresh_interval_s=0)
        verifier = TokenVerifier(source, issuer=ISSUER, audience=AUDIENCE)
        with pytest.raises(Unauthorized):
            await verifier.verify(snapshot_signer.issue("forger", ["admin"], ttl_s=60))


async def test_verified_tokens_are_cached_until_they_expire() -> None:
    signer = new_signer()
    calls = {"n": 0}

    class CountingSource:
        async def get(self, kid: str) -> dict[str, str] | None:
            calls["n"] += 1
            return signer.jwk if kid == signer.kid else None

    verifier = TokenVerifier(CountingSource(), issuer=ISSUER, audience=AUDIENCE, cache_size=4)
    token = signer.issue("a", ["admin"], ttl_s=60)
    for _ in range(100):
        assert (await verifier.verify(token)).subject == "a"
    assert calls["n"] == 1
    # A changed token is never served from the cache, and the cache stays bounded.
    with pytest.raises(Unauthorized):
        await verifier.verify(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    for i in range(10):
        await verifier.verify(signer.issue(f"u{i}", ["admin"], ttl_s=60))
    assert len(verifier._verified) <= 4
    # An expired token is checked again (and refused) rather than served from the cache.
    old = signer.issue("b", ["admin"], ttl_s=60, now=time.time() - 3600)
    with pytest.raises(Unauthorized):
        await verifier.verify(old)


async def test_a_key_dropped_from_the_jwks_stops_verifying_once_the_cached_set_is_old() -> None:
    # The gateway stops serving a (compromised) key and no new kid ever shows up: the cached key set is
    # fetched again on its schedule, and tokens signed by the dropped key are refused, cached ones too.
    kept, dropped = new_signer(), new_signer()
    state: dict[str, Any] = {"keys": [kept.jwk, dropped.jwk], "fetches": 0}
    transport = httpx.ASGITransport(app=_jwks_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        source = JwksKeySource("/.well-known/jwks.json", client, min_refresh_interval_s=60, max_age_s=0.3)
        verifier = TokenVerifier(source, issuer=ISSUER, audience=AUDIENCE)
        seen = dropped.issue("a", ["admin"], ttl_s=600)
        assert (await verifier.verify(seen)).subject == "a"
        assert (await verifier.verify(kept.issue("b", ["admin"], ttl_s=600))).subject == "b"
        assert state["fetches"] == 1

        state["keys"] = [kept.jwk]
        # Within max_age_s the cached set still answers (no fetch per request).
        assert (await verifier.verify(seen)).subject == "a"
        assert state["fetches"] == 1
        await asyncio.sleep(0.35)
        with pytest.raises(Unauthorized):
            await verifier.verify(seen)  # was cached as verified
        with pytest.raises(Unauthorized):
            await verifier.verify(dropped.issue("c", ["admin"], ttl_s=600))
        assert (await verifier.verify(kept.issue("d", ["admin"], ttl_s=600))).subject == "d"
        assert state["fetches"] == 2


async def test_a_gateway_that_does_not_answer_leaves_the_cached_keys_in_place() -> None:
    signer = new_signer()
    state: dict[str, Any] = {"keys": [signer.jwk], "fetches": 0}
    up = {"yes": True}

    async def jwks(request: Request) -> JSONResponse:
        state["fetches"] += 1
        return JSONResponse(
            {"keys": state["keys"]} if up["yes"] else {}, status_code=200 if up["yes"] else 503
        )

    transport = httpx.ASGITransport(app=Starlette(routes=[Route("/.well-known/jwks.json", jwks)]))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        source = JwksKeySource("/.well-known/jwks.json", client, min_refresh_interval_s=0, max_age_s=0.1)
        verifier = TokenVerifier(source, issuer=ISSUER, audience=AUDIENCE)
        token = signer.issue("a", ["admin"], ttl_s=600)
        assert (await verifier.verify(token)).subject == "a"
        up["yes"] = False
        await asyncio.sleep(0.15)
        assert (await verifier.verify(token)).subject == "a"
        assert state["fetches"] >= 2
