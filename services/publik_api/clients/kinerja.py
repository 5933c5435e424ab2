"""Typed client for kinerja_api (owned by publik): who is unit X? Used when a survey names a unit publik has
not learnt from the outbox yet."""

from __future__ import annotations

import time
import uuid

import httpx
from pydantic import BaseModel, ValidationError

from services.common.errors import ServiceUnavailable
from services.common.i18n import msg


class KinerjaUnit(BaseModel):
    """kinerja's ``GET /v1/units/{unit_id}`` body."""

    id: uuid.UUID
    code: str
    name: str
    parent_id: uuid.UUID | None = None


class KinerjaClient:
    """Wraps one long-lived httpx client (service token, request id and timeouts come from the client).
    Remembers "no such unit" answers briefly, so bogus ids cannot turn into a flood of lookups."""

    def __init__(self, http: httpx.AsyncClient, *, negative_ttl_s: float = 60.0) -> None:
        self.http = http
        self.negative_ttl_s = negative_ttl_s
        self._missing: dict[uuid.UUID, float] = {}

    async def get_unit(self, unit_id: uuid.UUID) -> KinerjaUnit | None:
        """The unit, or None when kinerja does not know it; 503 when kinerja cannot be asked."""
        now = time.monotonic()
        if self._missing.get(unit_id, 0.0) > now:
            return None
        try:
            resp = await self.http.get(f"/v1/units/{unit_id}")
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                msg("The unit registry (kinerja) cannot be reached; retry shortly.")
            ) from exc
        if resp.status_code == 404:
            if len(self._missing) > 10_000:
                self._missing.clear()
            self._missing[unit_id] = now + self.negative_ttl_s
            return None
        if not resp.is_success:
            raise ServiceUnavailable(
                msg(
                    "The unit registry (kinerja) answered {status_code}; retry shortly.",
                    status_code=resp.status_code,
                )
            )
        try:
            return KinerjaUnit.model_validate(resp.json())
        except (ValidationError, ValueError) as exc:
            raise ServiceUnavailable(
                msg("The unit registry (kinerja) answered something unexpected.")
            ) from exc
