"""One rule for background calls to another app (services.common.logging.failure_level): a failure while
that app may still be starting is logged at INFO, failures that persist at WARNING. The outbox's use is
tested in test_outbox.py; the services' revocation reader and publik's anchor keeper here, against a loopback
port nothing listens on."""

from __future__ import annotations

import logging
from typing import cast

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.auth import NotBefore
from services.common.logging import WARN_AFTER_FAILURES, failure_level
from services.common.revocations import ServiceRevocations
from services.publik_api.anchors.keeper import AnchorKeeper
from services.publik_api.snapshots.service import SnapshotSigner
from tests.support.fixtures import free_port


def test_failure_level() -> None:
    assert [failure_level(n) for n in range(1, WARN_AFTER_FAILURES + 2)] == [
        *[logging.INFO] * (WARN_AFTER_FAILURES - 1),
        logging.WARNING,
        logging.WARNING,
    ]
    assert failure_level(1, warn_after=1) == logging.WARNING
    assert [failure_level(n, warn_after=2) for n in (1, 2)] == [logging.INFO, logging.WARNING]


def _levels(caplog: pytest.LogCaptureFixture, logger: str) -> list[int]:
    return [r.levelno for r in caplog.records if r.name == logger]


async def test_revocation_reads_warn_after_three_consecutive_failures(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="asn.auth.revocations")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}", timeout=2.0) as dead:
        reader = ServiceRevocations(dead, NotBefore(), interval_s=30)
        for _ in range(4):
            assert not await reader.load()
    assert _levels(caplog, "asn.auth.revocations") == [
        logging.INFO,
        logging.INFO,
        logging.WARNING,
        logging.WARNING,
    ]


async def test_the_anchor_keeper_forgives_only_the_start_up_round(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="asn.publik.anchors")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}", timeout=2.0) as dead:
        keeper = AnchorKeeper(
            async_sessionmaker(), cast("SnapshotSigner", None), {"kinerja": dead}, interval_s=3600
        )
        for rounds in (0, 1, 2):
            keeper.rounds = rounds
            assert await keeper._remote_head("kinerja") is None
    assert _levels(caplog, "asn.publik.anchors") == [logging.INFO, logging.WARNING, logging.WARNING]
