"""The gateway's upstreams: each service's instances, their health, and the pooled client that reaches them.

Requests are spread round robin over the healthy instances of an upstream. An instance is ejected after
``health_failures_to_eject`` failed health checks in a row, or at once when a connection to it is refused
while proxying; a background task GETs every instance's ``/healthz`` and puts it back when it answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from gateway.config import GatewaySettings
from gateway.fastclient import Client, UpstreamError, get

log = logging.getLogger("asn.upstreams")


@dataclass(eq=False)
class Instance:
    """One running replica of a service."""

    url: str
    host: str
    port: int
    healthy: bool = True
    failures: int = 0
    last_error: str | None = None

    @classmethod
    def from_url(cls, url: str) -> Instance:
        """Parse ``http://host:port``; only plain HTTP is spoken to upstreams (they sit on a private network)."""
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream URL must be http://host:port, got {url!r}")
        return cls(url=url.rstrip("/"), host=parts.hostname, port=parts.port or 80)


@dataclass(eq=False)
class Upstream:
    """One service: its instances and the one pooled client shared by them."""

    name: str
    instances: list[Instance]
    client: Client
    _next: int = field(default=0)

    def pick(self, exclude: Iterable[Instance] = ()) -> Instance | None:
        """The next healthy instance, round robin, skipping ``exclude`` (instances already tried)."""
        skip = tuple(exclude)
        candidates = [i for i in self.instances if i.healthy and i not in skip]
        if not candidates:
            return None
        self._next += 1
        return candidates[self._next % len(candidates)]


class Upstreams:
    """Every upstream of the gateway, with health checking. Built in the lifespan; ``start`` then ``close``."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self._upstreams: dict[str, Upstream] = {
            name: Upstream(
                name=name,
                instances=[Instance.from_url(u) for u in urls],
                client=Client(
                    pool_size=settings.upstream_pool_size,
                    connect_timeout_s=settings.upstream_connect_timeout_s,
                    read_timeout_s=settings.upstream_read_timeout_s,
                ),
            )
            for name, urls in settings.upstreams().items()
        }
        count = sum(len(u.instances) for u in self._upstreams.values())
        # Health checks get their own small pool so a saturated proxy pool cannot make an instance
        # look dead (and a dead-looking pool cannot starve the checks).
        self._health_client = Client(
            pool_size=max(1, count),
            connect_timeout_s=settings.upstream_connect_timeout_s,
            read_timeout_s=settings.upstream_read_timeout_s,
        )
        self._task: asyncio.Task[None] | None = None

    @property
    def names(self) -> list[str]:
        """The upstream names (the first path segment they are reached under)."""
        return list(self._upstreams)

    def get(self, name: str) -> Upstream | None:
        """The upstream called ``name``, if there is one."""
        return self._upstreams.get(name)

    def base_urls(self, name: str) -> list[str]:
        """Every configured instance URL of an upstream (healthy or not)."""
        upstream = self._upstreams.get(name)
        return [i.url for i in upstream.instances] if upstream else []

    def pick(self, name: str, exclude: Iterable[Instance] = ()) -> Instance | None:
        """A healthy instance of ``name`` (round robin), or None when none is healthy."""
        upstream = self._upstreams.get(name)
        return upstream.pick(exclude) if upstream else None

    def eject(self, instance: Instance, reason: str) -> None:
        """Take an instance out of rotation at once (its port refused a connection)."""
        if instance.healthy:
            log.warning("ejecting upstream instance %s: %s", instance.url, reason)
        instance.healthy = False
        instance.failures = max(instance.failures, self.settings.health_failures_to_eject)
        instance.last_error = reason

    async def readiness(self) -> tuple[dict[str, Any], str]:
        """Facts per upstream and the gateway's verdict (docs/operations.md, "Readiness").

        An upstream is ready when one of its instances in rotation answers its own ``/readyz`` with 200 (its
        database answers and is migrated; ``degraded`` counts, the instance is serving). The verdict is
        ``ready`` when every upstream is, ``down`` when none is (the gateway can serve nothing it forwards),
        else ``degraded``. The probes run concurrently, each bounded by the health-check timeout."""
        probes = [
            (name, instance)
            for name, upstream in self._upstreams.items()
            for instance in upstream.instances
            if instance.healthy
        ]
        answers = await asyncio.gather(*(self._readyz(i) for _, i in probes))
        seen = {id(i): answer for (_, i), answer in zip(probes, answers, strict=True)}
        facts: dict[str, Any] = {}
        ready_upstreams = 0
        for name, upstream in self._upstreams.items():
            readyz = {i.url: seen.get(id(i), "out of rotation") for i in upstream.instances}
            ready = any(answer == 200 for answer in readyz.values())
            ready_upstreams += ready
            facts[name] = {
                "ready": ready,
                "healthy": sum(1 for i in upstream.instances if i.healthy),
                "instances": [
                    {"url": i.url, "healthy": i.healthy, "consecutive_failures": i.failures}
                    for i in upstream.instances
                ],
                # Each instance's own /readyz answer (its status code, or why there was none).
                "readyz": readyz,
            }
        if ready_upstreams == len(self._upstreams):
            return facts, "ready"
        return facts, ("down" if ready_upstreams == 0 else "degraded")

    async def _readyz(self, instance: Instance) -> int | str:
        """The instance's /readyz status code, or why it gave none."""
        try:
            status, _ = await get(
                self._health_client, instance.host, instance.port, b"/readyz", timeout_s=self._check_timeout()
            )
        except (UpstreamError, TimeoutError, OSError) as exc:
            return f"{type(exc).__name__}: {exc}"
        return status

    def _check_timeout(self) -> float:
        # A check must finish well within one interval so rounds never pile up.
        return min(
            self.settings.upstream_read_timeout_s,
            max(self.settings.upstream_connect_timeout_s, self.settings.health_check_interval_s),
        )

    async def start(self) -> None:
        """Check every instance once (so readiness is truthful from the start), then keep checking."""
        await self.check_all(initial=True)
        self._task = asyncio.create_task(self._run(), name="gateway-health-checks")

    async def close(self) -> None:
        """Stop checking and close every pooled connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for upstream in self._upstreams.values():
            await upstream.client.aclose()
        await self._health_client.aclose()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.settings.health_check_interval_s)
            try:
                await self.check_all()
            except Exception:  # a bug here must not stop health checking for good
                log.exception("health check round failed")

    async def check_all(self, *, initial: bool = False) -> None:
        """One health-check round over every instance, concurrently."""
        instances = [i for u in self._upstreams.values() for i in u.instances]
        await asyncio.gather(*(self._check(i, initial=initial) for i in instances))

    async def _check(self, instance: Instance, *, initial: bool) -> None:
        timeout = self._check_timeout()
        try:
            status, _ = await get(
                self._health_client, instance.host, instance.port, b"/healthz", timeout_s=timeout
            )
            error = None if status == 200 else f"/healthz answered {status}"
        except (UpstreamError, TimeoutError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        if error is None:
            if not instance.healthy:
                log.info("upstream instance %s is back", instance.url)
            instance.healthy = True
            instance.failures = 0
            instance.last_error = None
            return
        instance.failures += 1
        instance.last_error = error
        # On the first round nothing is known yet: one failure is enough to start out of rotation. That is
        # the normal state of a start where the services come up after the gateway, not a fault: no warning.
        if instance.healthy and initial:
            log.info("upstream instance %s is not up yet: %s", instance.url, error)
            instance.healthy = False
        elif instance.healthy and instance.failures >= self.settings.health_failures_to_eject:
            log.warning("ejecting upstream instance %s: %s", instance.url, error)
            instance.healthy = False
