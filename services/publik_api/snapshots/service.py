"""Writing snapshots: the canonical JSON of everything published, chained by hash and signed (RS256 JWS)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import generate_private_key_pem, public_jwk, public_pem_from_private, sign_jws
from services.publik_api.models.publications import Item
from services.publik_api.models.snapshots import Snapshot
from services.publik_api.models.units import Unit

# Live citizen figures (IKM) change with every survey; snapshots cover what was approved or recorded by admins.
SNAPSHOT_KINDS = ("UNIT_PERFORMANCE", "TRAINING_STATS", "INOVASI")


def canonical_json(value: Any) -> bytes:
    """Canonical JSON bytes: sorted keys, no insignificant whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def iso(dt: datetime) -> str:
    """ISO-8601 UTC with a Z."""
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


class SnapshotSigner:
    """Holds the snapshot key; its public JWK carries ``"x-purpose": "snapshot"`` so token verifiers skip it."""

    def __init__(self, private_pem: str) -> None:
        self._private_pem = private_pem
        jwk = public_jwk(public_pem_from_private(private_pem))
        self.kid = "publik-snapshot-" + jwk["kid"][:16]
        self.jwk: dict[str, str] = {**jwk, "kid": self.kid, "x-purpose": "snapshot"}

    def sign(self, payload: bytes) -> str:
        """A compact RS256 JWS over the payload."""
        return sign_jws(payload, self._private_pem, self.kid)

    def jwks(self) -> dict[str, Any]:
        """The JWKS document with the snapshot key."""
        return {"keys": [self.jwk]}


def _load_or_create_key(path: Path) -> str:
    if path.exists():
        return path.read_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(generate_private_key_pem())
    tmp.chmod(0o600)
    # os.link fails when another process created the key first; both then use that one.
    with contextlib.suppress(FileExistsError):
        os.link(tmp, path)
    tmp.unlink()
    return path.read_text()


async def load_signer(private_pem: str | None, data_dir: Path) -> SnapshotSigner:
    """The configured key, else one generated under ``data_dir/keys`` on first run."""
    if private_pem:
        return SnapshotSigner(private_pem)
    pem = await asyncio.to_thread(_load_or_create_key, data_dir / "keys" / "publik-snapshot.pem")
    return SnapshotSigner(pem)


async def published_items(session: AsyncSession) -> list[dict[str, Any]]:
    """Everything published (snapshot kinds), in a stable order."""
    rows = (
        await session.execute(
            select(Item, Unit.name)
            .outerjoin(Unit, Unit.id == Item.unit_id)
            .where(Item.published_at.is_not(None), Item.kind.in_(SNAPSHOT_KINDS))
            .order_by(Item.kind, Item.unit_id, Item.period, Item.slug)
        )
    ).all()
    return [
        {
            "id": str(item.id),
            "kind": item.kind,
            "unit_id": str(item.unit_id),
            "unit_name": name,
            "period": item.period,
            "version": item.version,
            "data": item.public_data,
            "suppressed": item.suppressed,
            "policy_version": item.policy_version,
            "published_at": iso(item.published_at) if item.published_at else None,
            "updated_at": iso(item.updated_at),
        }
        for item, name in rows
    ]


async def write_snapshot(session: AsyncSession, signer: SnapshotSigner, now: datetime) -> Snapshot:
    """Append snapshot n+1. Callers hold the publication_state row lock (bump_version), which serialises
    writers, so numbers never collide."""
    last = await session.scalar(select(Snapshot).order_by(Snapshot.n.desc()).limit(1))
    n = last.n + 1 if last else 1
    prev_hash = last.hash if last else None
    payload = canonical_json(
        {"n": n, "prev_hash": prev_hash, "created_at": iso(now), "items": await published_items(session)}
    )
    snapshot = Snapshot(
        n=n,
        prev_hash=prev_hash,
        hash=hashlib.sha256(payload).hexdigest(),
        kid=signer.kid,
        payload=payload.decode(),
        jws=await asyncio.to_thread(signer.sign, payload),
        created_at=now,
    )
    session.add(snapshot)
    await session.flush()
    return snapshot
