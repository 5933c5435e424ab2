"""Checking a snapshot chain from the outside: every signature, every hash, every link."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from services.common.auth import JwsInvalid, jws_header, verify_jws


def snapshot_keys(jwks: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The snapshot-signing keys of a JWKS, by kid."""
    return {
        str(k["kid"]): k
        for k in jwks.get("keys", [])
        if isinstance(k, dict) and k.get("x-purpose") == "snapshot" and "kid" in k
    }


def verify_chain(
    snapshots: list[dict[str, Any]], jwks: dict[str, Any], *, label: str = "snapshot"
) -> list[str]:
    """Problems found in snapshots 1..N (as served: n, hash, prev_hash, jws); an empty list means valid. The
    audit anchors are built the same way (signed by the snapshot key) and checked here with ``label="anchor"``."""
    problems: list[str] = []
    keys = snapshot_keys(jwks)
    if not keys:
        return ["the JWKS holds no snapshot key"]
    prev_hash: str | None = None
    for expected, snap in enumerate(sorted(snapshots, key=lambda s: int(s.get("n", 0))), start=1):
        n = snap.get("n")
        where = f"{label} {n}"
        if n != expected:
            problems.append(f"{where}: expected {label} {expected} (chain has a gap)")
        try:
            key = keys.get(str(jws_header(str(snap.get("jws", ""))).get("kid")))
            if key is None:
                problems.append(f"{where}: signed by an unknown key")
                prev_hash = snap.get("hash")
                continue
            payload = verify_jws(str(snap["jws"]), key)
        except (JwsInvalid, KeyError):
            problems.append(f"{where}: signature does not verify")
            prev_hash = snap.get("hash")
            continue
        digest = hashlib.sha256(payload).hexdigest()
        if digest != snap.get("hash"):
            problems.append(f"{where}: hash does not match the signed content")
        try:
            body = json.loads(payload)
        except ValueError:
            problems.append(f"{where}: signed content is not JSON")
            prev_hash = digest
            continue
        if body.get("n") != n:
            problems.append(f"{where}: signed number is {body.get('n')}")
        if body.get("prev_hash") != prev_hash or snap.get("prev_hash") != prev_hash:
            problems.append(f"{where}: does not link to the previous {label}'s hash")
        prev_hash = digest
    return problems
