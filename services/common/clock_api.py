"""``GET``/``PUT /internal/v1/clock``: read and move the test clock of a running app (development and test only).

Every app (the three services and the gateway) serves it; it is not in the OpenAPI documents. Who may use it,
checked in this order so that nothing is revealed to those who may not:

1. ``environment`` is ``development`` or ``test`` — else **404**, as if the path did not exist (production
   also refuses ``ASN_FAKE_NOW`` at startup, services/common/settings.py).
2. The TCP peer is loopback (127.0.0.1 / ::1) — else **404**. The gateway never forwards ``/internal``
   (gateway/proxy.py ``is_internal``), so a caller from outside reaches only the gateway's own endpoint,
   and a development machine that exposes its ports on a network does not let that network move its clock.
3. A valid token with role ``admin`` or ``service`` — else 401/403. The clock changes every user's "today",
   so a loopback peer alone (any local process, or a proxy on the same host) is not enough.

``PUT`` with ``{"now": "2026-12-31T23:30:00+07:00"}`` sets the clock to that instant (it runs on from there,
services/common/clock.py); ``{"now": null}`` returns to real time. Each process keeps its own clock: a test
moves every process it started.
"""

from __future__ import annotations

import ipaddress
from datetime import date, datetime

from fastapi import Depends, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict

from services.common import clock
from services.common.auth import Role, require_roles
from services.common.errors import NotFound, problem_responses
from services.common.routing import ServiceRouter
from services.common.settings import AppSettings

TEST_ENVIRONMENTS = frozenset({"development", "test"})


class ClockSet(BaseModel):
    """The instant the clock should read now (with a UTC offset), or null for the real time."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"now": "2026-12-31T23:30:00+07:00"}]}
    )

    now: AwareDatetime | None


class ClockRead(BaseModel):
    """What the app's clock reads."""

    now: datetime
    today: date
    year: int
    fake: bool


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client is not None else None
    if host is None:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def clock_router(settings: AppSettings) -> ServiceRouter:
    """The clock endpoints of one app, bound to its settings."""

    async def allowed(request: Request) -> None:
        if settings.environment not in TEST_ENVIRONMENTS or not _loopback(request):
            raise NotFound()

    caller = require_roles(Role.ADMIN, Role.SERVICE)
    router = ServiceRouter(
        prefix="/internal/v1",
        tags=["internal"],
        include_in_schema=False,
        # The gate runs before the token is looked at: production and remote callers get a plain 404.
        dependencies=[Depends(allowed), Depends(caller)],
        responses=problem_responses(401, 403, 404, 422),
    )

    def _read() -> ClockRead:
        return ClockRead(now=clock.now(), today=clock.today(), year=clock.this_year(), fake=clock.is_fake())

    @router.get("/clock", operation_id="internal_clock_get", summary="Read the test clock")
    async def get_clock() -> ClockRead:
        """The app's current instant, its WIB date and year, and whether a test clock is set."""
        return _read()

    @router.put("/clock", operation_id="internal_clock_set", summary="Move the test clock")
    async def set_clock(body: ClockSet) -> ClockRead:
        """Set the clock to ``now`` (it runs on from there), or back to real time with ``null``."""
        clock.set_fake_now(body.now)
        return _read()

    return router


def install_fake_now(settings: AppSettings) -> None:
    """At startup: start the clock from ``ASN_FAKE_NOW`` when set (settings refuse it in production)."""
    if settings.fake_now is not None and settings.environment in TEST_ENVIRONMENTS:
        clock.set_fake_now(settings.fake_now)


def uninstall_fake_now(settings: AppSettings) -> None:
    """At shutdown: an app that set the clock from its settings gives the real time back to the process."""
    if settings.fake_now is not None:
        clock.set_fake_now(None)
