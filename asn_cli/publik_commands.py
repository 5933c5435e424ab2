"""publik commands of the ``asn`` CLI: ``asn verify-snapshots URL`` checks the whole snapshot chain and every
signature from the outside, over HTTP, like any citizen or auditor could."""

from __future__ import annotations

import argparse
from typing import Any

import httpx

from services.publik_api.snapshots.verify import verify_chain


class VerifyError(Exception):
    """The snapshots could not be fetched."""


def _base(client: httpx.Client, url: str) -> str:
    """publik's base: the URL itself when it is publik, else the gateway's /publik prefix."""
    url = url.rstrip("/")
    for base in (url, url + "/publik"):
        resp = client.get(base + "/v1/snapshots/jwks.json")
        if resp.status_code == 200:
            return base
    raise VerifyError(
        f"no snapshot keys at {url}/v1/snapshots/jwks.json or {url}/publik/v1/snapshots/jwks.json"
    )


def fetch_chain(client: httpx.Client, url: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every snapshot 1..latest and the JWKS (publik's, merged with the gateway's when there is one)."""
    base = _base(client, url)
    jwks: dict[str, Any] = client.get(base + "/v1/snapshots/jwks.json").json()
    if base != url.rstrip("/"):
        well_known = client.get(url.rstrip("/") + "/.well-known/jwks.json")
        if well_known.status_code == 200:
            known = {k.get("kid") for k in jwks.get("keys", [])}
            jwks["keys"] = [
                *jwks.get("keys", []),
                *(k for k in well_known.json().get("keys", []) if k.get("kid") not in known),
            ]
    latest = client.get(base + "/v1/snapshots/latest")
    if latest.status_code == 404:
        return [], jwks
    latest.raise_for_status()
    n = int(latest.json()["n"])
    snapshots: list[dict[str, Any]] = []
    for i in range(1, n + 1):
        resp = client.get(f"{base}/v1/snapshots/{i}")
        if resp.status_code == 404:
            snapshots.append({"n": i, "missing": True})
            continue
        resp.raise_for_status()
        snapshots.append(resp.json())
    return snapshots, jwks


def verify_url(url: str, client: httpx.Client | None = None) -> tuple[int, list[str]]:
    """(number of snapshots, problems) for the publik (or gateway) at ``url``."""
    own = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(10.0), trust_env=False)
    try:
        snapshots, jwks = fetch_chain(client, url)
    finally:
        if own:
            client.close()
    present = [s for s in snapshots if not s.get("missing")]
    problems = [f"snapshot {s['n']}: missing (404)" for s in snapshots if s.get("missing")]
    problems.extend(verify_chain(present, jwks))
    return len(snapshots), problems


def cmd_verify_snapshots(args: argparse.Namespace, settings: Any) -> int:
    """Print the result; exit 1 on any problem, 2 when the snapshots cannot be fetched."""
    try:
        count, problems = verify_url(args.url)
    except (httpx.HTTPError, VerifyError, ValueError, KeyError) as exc:
        print(f"asn: cannot fetch snapshots from {args.url}: {exc}")
        return 2
    if count == 0:
        print("no snapshots published yet; nothing to verify")
        return 0
    if problems:
        print(f"FAILED: {len(problems)} problem(s) in {count} snapshot(s):")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"OK: {count} snapshot(s); every signature verifies and every hash links to the one before")
    return 0


def register(sub: Any) -> None:
    """Add the publik subcommands to the parser."""
    p: argparse.ArgumentParser = sub.add_parser(
        "verify-snapshots", help="check every publik snapshot's signature and hash chain at URL"
    )
    p.add_argument("url", help="the gateway's base URL (e.g. http://127.0.0.1:8000) or publik's")
    p.set_defaults(fn=cmd_verify_snapshots)
