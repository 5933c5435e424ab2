"""Composing the unit scorecard from the services' own reports, over HTTP (never their tables).

Failure policy (documented in docs/integrators.md): a service that is down, times out or answers 5xx
leaves its part null and listed in ``missing`` (status 502/503/504) and the report is still 200, so a
nightly job gets what exists; when every part is missing the answer is a 503 problem. A 404 from kinerja
(no such unit) is the report's 404; a 404 from pelatihan or publik (the unit has no data there yet) is a
missing part with status 404. Any other 4xx (401, 403, 422) is passed on as the report's own problem.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import httpx

from gateway.reports.clients import ReportClients, UpstreamUnavailable
from gateway.reports.schemas import (
    KinerjaCompliance,
    KinerjaPart,
    MissingPart,
    PelatihanPart,
    PublikPart,
    UnitScorecard,
)
from gateway.reports.specs import UNIT_SCORECARD
from services.common import clock
from services.common.errors import NotFound, ProblemError, ServiceUnavailable
from services.common.i18n import joined, msg

JSON_ONLY = {"Accept": "application/json"}


class _PartMissing(Exception):
    def __init__(self, part: MissingPart) -> None:
        super().__init__(part.detail)
        self.part = part


def _body(service: str, resp: httpx.Response) -> dict[str, Any]:
    if resp.status_code == 200:
        body: dict[str, Any] = resp.json()
        return body
    try:
        detail = str(resp.json().get("detail") or f"{service} answered {resp.status_code}")
    except ValueError:
        detail = f"{service} answered {resp.status_code}"
    if resp.status_code == 404:
        if service == "kinerja":
            raise NotFound(detail)
        raise _PartMissing(MissingPart(service=service, status=404, detail=detail))
    raise ProblemError(msg("{service}: {detail}", service=service, detail=detail), status=resp.status_code)


def _as_of(*bodies: dict[str, Any]) -> list[datetime]:
    out = []
    for b in bodies:
        value = b.get("data_as_of")
        if value:
            out.append(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    return out


async def unit_scorecard(
    clients: ReportClients, unit_id: uuid.UUID, period: str, headers: dict[str, str]
) -> UnitScorecard:
    """The three parts fetched concurrently, with the caller's token (each service checks it again)."""
    year = int(period[:4])
    h = {**headers, **JSON_ONLY}
    unit = str(unit_id)

    async def kinerja() -> tuple[KinerjaPart, list[datetime]]:
        dist_resp, comp_resp = await asyncio.gather(
            clients.get(
                "kinerja", "/v1/reports/predikat-distribution", {"period": period, "unit_id": unit}, h
            ),
            clients.get(
                "kinerja", "/v1/reports/compliance", {"period": period, "unit_id": unit, "limit": 1}, h
            ),
        )
        dist, comp = _body("kinerja", dist_resp), _body("kinerja", comp_resp)
        part = KinerjaPart(
            total=dist["total"],
            counts=dist["counts"],
            org_predikat=dist.get("org_predikat"),
            curve_check_ok=bool(dist["curve_check"]["ok"]),
            compliance=KinerjaCompliance(headcount=comp["headcount"], **comp["counts"]),
        )
        return part, _as_of(dist, comp)

    async def pelatihan() -> tuple[PelatihanPart, list[datetime]]:
        resp = await clients.get("pelatihan", "/v1/reports/jp-compliance", {"year": year, "unit_id": unit}, h)
        body = _body("pelatihan", resp)
        row = next((u for u in body["units"] if u["unit_id"] == unit), None)
        part = PelatihanPart(
            pns_total=row["pns_total"] if row else 0,
            pns_meeting_20jp=row["pns_meeting_20jp"] if row else 0,
            pns_below_20jp=row["pns_below_20jp"] if row else 0,
            share_meeting_20jp=row["share_meeting_20jp"] if row else 0.0,
            jp_delivered=row["jp_delivered"] if row else 0,
        )
        return part, _as_of(body)

    async def publik() -> tuple[PublikPart, list[datetime]]:
        resp = await clients.get("publik", "/v1/reports/ikm", {"year": year, "unit_id": unit}, h)
        body = _body("publik", resp)
        row = body["units"][0]
        part = PublikPart(
            respondents=row["respondents"], ikm=row["ikm"], mutu=row["mutu"], kinerja=row["kinerja"]
        )
        return part, _as_of(body)

    calls: dict[str, Awaitable[tuple[Any, list[datetime]]]] = {
        "kinerja": kinerja(),
        "pelatihan": pelatihan(),
        "publik": publik(),
    }
    results = await asyncio.gather(*calls.values(), return_exceptions=True)
    parts: dict[str, Any] = {}
    missing: list[MissingPart] = []
    stamps: list[datetime] = []
    for name, result in zip(calls, results, strict=True):
        if isinstance(result, UpstreamUnavailable):
            missing.append(MissingPart(service=name, status=result.status, detail=result.detail))
        elif isinstance(result, _PartMissing):
            missing.append(result.part)
        elif isinstance(result, BaseException):
            raise result
        else:
            parts[name] = result[0]
            stamps.extend(result[1])
    if not parts:
        raise ServiceUnavailable(
            msg("No service could answer: {reasons}", reasons=joined("; ", [m.detail for m in missing])),
            headers={"Retry-After": "5"},
        )
    return UnitScorecard(
        schema_version=UNIT_SCORECARD.schema_version,
        generated_at=clock.now(),
        data_as_of=min(stamps) if stamps else None,
        unit_id=unit_id,
        period=period,
        year=year,
        kinerja=parts.get("kinerja"),
        pelatihan=parts.get("pelatihan"),
        publik=parts.get("publik"),
        missing=missing,
    )
