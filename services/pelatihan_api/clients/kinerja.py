"""Typed client for the kinerja endpoints pelatihan needs: an employee, and who supervised them on a day.

Built on the app's one long-lived ``httpx.AsyncClient`` (service token and X-Request-ID attached by
services.common.http). Every call has an explicit timeout. Anything that keeps us from an answer — a
connection error, a timeout, a 5xx, or kinerja refusing our service credentials — raises
``KinerjaUnavailable`` (503), so no decision is ever taken without kinerja's word.
"""

from __future__ import annotations

import logging
from datetime import date

import httpx
from pydantic import BaseModel, ValidationError

from services.common.i18n import msg
from services.pelatihan_api.errors import KinerjaUnavailable

log = logging.getLogger("asn.pelatihan.kinerja")


class KinerjaEmployee(BaseModel):
    """``GET /v1/employees/{nip}`` as kinerja answers it."""

    nip: str
    name: str | None = None
    unit_id: str | None = None
    position: str | None = None
    position_type: str | None = None
    rank: str | None = None
    employment: str | None = None
    supervisor_nip: str | None = None
    active: bool = True


class KinerjaSupervisor(BaseModel):
    """``GET /v1/employees/{nip}/supervisor?on=`` as kinerja answers it."""

    nip: str
    on: date
    supervisor_nip: str | None = None
    unit_id: str | None = None


class KinerjaUnit(BaseModel):
    """``GET /v1/units/{unit_id}``."""

    id: str
    code: str | None = None
    name: str


class KinerjaClient:
    """The calls pelatihan makes to kinerja."""

    def __init__(self, client: httpx.AsyncClient, *, timeout_s: float = 3.0) -> None:
        self._client = client
        self._timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 2.0))

    async def _get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response | None:
        """A GET that returns None on 404 and raises KinerjaUnavailable when no answer can be had."""
        try:
            resp = await self._client.get(path, params=params, timeout=self._timeout)
        except httpx.HTTPError as exc:
            log.warning("kinerja unreachable for %s: %s", path, type(exc).__name__)
            raise KinerjaUnavailable() from exc
        if resp.status_code == 404:
            return None
        if resp.status_code in (401, 403):
            log.error("kinerja refused pelatihan's service token on %s (%s)", path, resp.status_code)
            raise KinerjaUnavailable(
                msg("kinerja refused pelatihan's service credentials; the request was not decided.")
            )
        if not resp.is_success:
            log.warning("kinerja answered %s for %s", resp.status_code, path)
            raise KinerjaUnavailable()
        return resp

    async def get_employee(self, nip: str) -> KinerjaEmployee | None:
        """The employee, or None when kinerja does not know the NIP."""
        resp = await self._get(f"/v1/employees/{nip}")
        if resp is None:
            return None
        try:
            return KinerjaEmployee.model_validate(resp.json())
        except (ValidationError, ValueError) as exc:
            raise KinerjaUnavailable(msg("kinerja answered with an unexpected employee document.")) from exc

    async def supervisor_of(self, nip: str, on: date) -> str | None:
        """The NIP of ``nip``'s direct supervisor on day ``on`` (None: unknown employee or no supervisor)."""
        resp = await self._get(f"/v1/employees/{nip}/supervisor", params={"on": on.isoformat()})
        if resp is None:
            return None
        try:
            return KinerjaSupervisor.model_validate(resp.json()).supervisor_nip
        except (ValidationError, ValueError) as exc:
            raise KinerjaUnavailable(msg("kinerja answered with an unexpected supervisor document.")) from exc

    async def unit_name(self, unit_id: str) -> str | None:
        """A unit's name, or None when kinerja cannot tell us now (used only for published labels)."""
        try:
            resp = await self._get(f"/v1/units/{unit_id}")
        except KinerjaUnavailable:
            return None
        if resp is None:
            return None
        try:
            return KinerjaUnit.model_validate(resp.json()).name
        except (ValidationError, ValueError):
            return None
