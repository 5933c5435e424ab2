"""The cost of the per-subject "not before" check on the token verify path (docs/benchmarks.md).

Times ``TokenVerifier.verify`` on a cached, valid token (the common case: a client sends the same token
many times) with no revocation list, and with a list of ``--subjects`` revoked subjects (the caller not
among them, so the full check runs and passes). Run: ``.venv/bin/python -m bench.not_before``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import time
import timeit

from services.common.auth import (
    NotBefore,
    Principal,
    StaticKeySource,
    TokenSigner,
    TokenVerifier,
    generate_private_key_pem,
)

ISSUER, AUDIENCE = "bench", "bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--number", type=int, default=200_000)
    parser.add_argument("--subjects", type=int, default=10_000)
    args = parser.parse_args()
    signer = TokenSigner(generate_private_key_pem(), issuer=ISSUER, audience=AUDIENCE)
    token = signer.issue("caller", ["admin"], ttl_s=3600)
    revoked = NotBefore()
    revoked.replace({f"subject-{i}": int(time.time()) for i in range(args.subjects)})
    results: dict[str, float] = {}
    for label, not_before in (("without the check", None), ("with the check", revoked)):
        verifier = TokenVerifier(
            StaticKeySource([signer.jwk]), issuer=ISSUER, audience=AUDIENCE, not_before=not_before
        )
        asyncio.run(verifier.verify(token))  # warm the verified-token cache
        best = min(
            timeit.repeat(functools.partial(_verify_now, verifier, token), number=args.number, repeat=5)
        )
        results[label] = best / args.number * 1e9
        print(f"{label:>18}: {results[label]:8.0f} ns per verify (cached token)")
    difference = results["with the check"] - results["without the check"]
    print(f"{'difference':>18}: {difference:8.0f} ns per call")
    # The check alone (a dict lookup and the iat comparison), free of the verify path's noise.
    plain = TokenVerifier(StaticKeySource([signer.jwk]), issuer=ISSUER, audience=AUDIENCE)
    principal = asyncio.run(plain.verify(token))
    alone = min(timeit.repeat(functools.partial(revoked.revoked, principal), number=args.number, repeat=5))
    print(f"{'the check alone':>18}: {alone / args.number * 1e9:8.0f} ns per call ({args.subjects} listed)")


def _verify_now(verifier: TokenVerifier, token: str) -> Principal:
    # A cached verification never suspends: drive the coroutine by hand, without an event loop's overhead.
    coro = verifier.verify(token)
    try:
        coro.send(None)
    except StopIteration as done:
        principal: Principal = done.value
        return principal
    coro.close()
    raise RuntimeError("the verification suspended: the token was not cached")


if __name__ == "__main__":
    main()
