"""Response bodies of /v1/audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.common.rfc3339 import normalise

ENTRY_EXAMPLE: dict[str, Any] = {
    "seq": 42,
    "at": "2026-01-20T03:00:00Z",
    "actor": "admin",
    "on_behalf_of": "GUBERNUR",
    "action": "skp.approve",
    "entity": "skp",
    "entity_id": "3f1c9a52-8b0e-4d7e-9a51-7c2b1d0e4f6a",
    "reason": None,
    "before": {"status": "SUBMITTED", "version": 3},
    "after": {"status": "APPROVED", "version": 4},
    "prev_hash": "5d41402abc4b2a76b9719d911017c592" * 2,
    "hash": "7d793037a0760186574b0282f2f435e7" * 2,
}


class AuditEntryRead(BaseModel):
    """One recorded change: who, when, what, before and after, and its link in the hash chain."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [ENTRY_EXAMPLE]})

    seq: int
    at: datetime
    actor: str = Field(description="The NIP of the employee, or the token subject of an admin or client.")
    on_behalf_of: str | None = Field(description="`GUBERNUR` when an admin acted in the governor's name.")
    action: str
    entity: str
    entity_id: str
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str
    hash: str

    @field_validator("before", "after")
    @classmethod
    def _rfc3339(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        # Stored states keep the text their hash covers (``2026-12-02 11:37:50+00:00``); the answer writes
        # their timestamps as the rest of the API does. /audit/verify reads the rows, not this model.
        return normalise(value) if value is not None else None


class ChainCheck(BaseModel):
    """The result of recomputing the whole chain: the first entry whose hash or link does not match."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"entries": 1200, "valid": True, "first_bad_seq": None, "problem": None},
                {
                    "entries": 17,
                    "valid": False,
                    "first_bad_seq": 17,
                    "problem": "the entry's content does not match its hash",
                },
            ]
        }
    )

    entries: int = Field(description="How many entries were checked (up to the first bad one).")
    valid: bool
    first_bad_seq: int | None
    problem: str | None
