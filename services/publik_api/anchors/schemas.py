"""Bodies of /v1/anchors: the anchor records as served (heads only: app, seq, hash; nothing personal)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

_HASH = "7d793037a0760186574b0282f2f435e7" * 2


class AnchoredHead(BaseModel):
    """One app's audit head at the time of the record."""

    seq: int = Field(ge=0, description="The chain's last entry (0 while it is empty).")
    hash: str = Field(description="That entry's hash (64 zeros while the chain is empty).")


class AnchorRead(BaseModel):
    """Anchor `n`: `payload` is the canonical JSON that `hash` (sha256) and `jws` (RS256 with the snapshot key,
    /v1/snapshots/jwks.json) cover; `heads` is the same content, decoded."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "n": 3,
                    "prev_hash": _HASH,
                    "hash": _HASH,
                    "kid": "publik-snapshot-AbCdEf0123456789",
                    "created_at": "2026-04-15T03:00:00Z",
                    "heads": {"kinerja": {"seq": 1200, "hash": _HASH}},
                    "payload": "{...}",
                    "jws": "eyJ...",
                }
            ]
        },
    )

    n: int
    prev_hash: str | None
    hash: str
    kid: str
    created_at: datetime
    heads: dict[str, AnchoredHead]
    payload: str
    jws: str
