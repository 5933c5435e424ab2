"""The demo is made by the real flows: kinerja's and pelatihan's figures reach publik through their outboxes and
become public through the admin approval, so every public figure is the internal one after disclosure control;
and seeding never changes data it did not create (three seeds over real data, every row compared)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from asn_cli.seed import app_session, publish_demo, seed_demo
from services.common.apps import APP_NAMES
from services.common.clock import today
from services.common.outbox import PENDING, OutboxDispatcher, http_transport
from services.common.settings import normalise_database_url
from services.kinerja_api.calendar.periods import quarter_of
from services.kinerja_api.employees import repository as employees
from services.kinerja_api.employees.repository import EmployeeState
from services.kinerja_api.events import OutboxEvent as KinerjaOutbox
from services.kinerja_api.reports import repository as kinerja_reports
from services.pelatihan_api.models.outbox import OutboxEvent as PelatihanOutbox
from services.pelatihan_api.stats import service as pelatihan_stats
from services.publik_api.config import PublikSettings
from services.publik_api.publications import suppression
from tests.publik.conftest import envelope, performance, publish, send_event
from tests.support.fixtures import Tokens

SCHEMAS = APP_NAMES


async def deliver(db: str, publik: httpx.AsyncClient, tokens: Tokens) -> None:
    """Run kinerja's and pelatihan's outbox dispatchers until nothing is left for publik (the same code the
    services run, POSTing to publik's ingest with a service token)."""
    engine = create_async_engine(normalise_database_url(db))
    publik.headers.update(tokens.service())
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        transport = {"publik": http_transport(publik, "/internal/v1/events")}
        for model, source in ((KinerjaOutbox, "kinerja"), (PelatihanOutbox, "pelatihan")):
            dispatcher = OutboxDispatcher(maker, model, transport, source=source, batch_size=200)
            # A delivery that timed out on a loaded machine is left pending with a back-off; no running
            # dispatcher retries it here, so make it due again and go on until nothing is pending.
            for _ in range(20):
                while await dispatcher.run_once():
                    pass
                async with maker() as session, session.begin():
                    retried = await session.execute(
                        update(model)
                        .where(model.status == PENDING, model.destination == "publik")
                        .values(available_at=func.now())
                    )
                if not retried.rowcount:  # type: ignore[attr-defined]
                    break
    finally:
        publik.headers.pop("Authorization", None)
        await engine.dispose()


async def seed_and_publish(
    db: str, publik: httpx.AsyncClient, tokens: Tokens
) -> tuple[dict[str, Any], list[str]]:
    """What ``asn run`` does: seed, let the outboxes deliver, approve the demo's periods."""
    context: dict[str, Any] = {}
    urls = dict.fromkeys(APP_NAMES, db)
    summary = await seed_demo(urls, None, context)  # type: ignore[arg-type]
    await deliver(db, publik, tokens)
    summary += await publish_demo(urls, context, timeout_s=5)
    return context, summary


async def every_row(db: str) -> dict[str, list[str]]:
    """Every row of every table of the four schemas, as JSON text, sorted."""
    engine = create_async_engine(normalise_database_url(db))
    try:
        async with AsyncSession(engine) as session:
            tables = (
                await session.execute(
                    text(
                        "SELECT table_schema, table_name FROM information_schema.tables "
                        "WHERE table_schema = ANY(:s) AND table_type = 'BASE TABLE'"
                    ),
                    {"s": list(SCHEMAS)},
                )
            ).all()
            rows: dict[str, list[str]] = {}
            for schema, table in tables:
                found = await session.scalars(
                    text(f'SELECT row_to_json(t)::text FROM "{schema}"."{table}" t')
                )
                rows[f"{schema}.{table}"] = sorted(found.all())
            return rows
    finally:
        await engine.dispose()


@pytest.fixture
def publik_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The approval signs a snapshot with publik's key: the same data dir as the in-process publik app.
    monkeypatch.setenv("PUBLIK_DATA_DIR", str(tmp_path))


@pytest.mark.usefixtures("publik_env")
async def test_public_figures_are_the_services_own_after_disclosure_control(
    db: str, publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    context, summary = await seed_and_publish(db, publik, tokens)
    period = quarter_of(today()).previous().code
    year = today().year - 1
    assert context["demo_period"] == period
    assert any("approved for" in line for line in summary), summary
    units = context["publik_demo_units"]
    mut = uuid.UUID(str(context["demo_units"]["BKD.MUT"]))
    items = (await publik.get("/v1/feed?limit=200")).json()["items"]
    assert {i["kind"] for i in items} == {
        "UNIT_PERFORMANCE",
        "TRAINING_STATS",
        "IKM",
        "INOVASI",
        "CAPAIAN_KINERJA",
    }
    # The head of Bidang Mutasi has an approved SKP: its targets are public by unit, naming no one.
    capaian = [i for i in items if i["kind"] == "CAPAIAN_KINERJA"]
    assert [(i["unit_id"], i["period"]) for i in capaian] == [(str(mut), period)]
    assert capaian[0]["data"]["results"]
    assert not re.search(r"\d{18}", json.dumps(capaian[0]["data"]))
    k = PublikSettings().min_group_size

    # Performance: exactly one public card, Bidang Mutasi's finished quarter, equal to kinerja's own report.
    perf = [i for i in items if i["kind"] == "UNIT_PERFORMANCE"]
    assert [(i["unit_id"], i["period"]) for i in perf] == [(str(mut), period)]
    async with app_session(db) as session:
        counts = await kinerja_reports.predikat_counts(session, period, mut)
    evaluated = sum(counts.values())
    assert evaluated >= 5
    public_counts = perf[0]["data"]["counts"]
    for predikat, value in public_counts.items():
        assert value == (None if f"counts.{predikat}" in perf[0]["suppressed"] else counts.get(predikat, 0))
    assert perf[0]["data"]["evaluated"] in (evaluated, None)

    # Training: every demo unit's card is pelatihan's own figures for last year after suppression.
    training = {i["unit_id"]: i for i in items if i["kind"] == "TRAINING_STATS"}
    assert str(mut) in training
    assert all(i["period"] == str(year) for i in training.values())
    async with app_session(db) as session:
        for unit, item in training.items():
            raw = await pelatihan_stats.unit_stats(session, uuid.UUID(unit), year)
            raw = {key: v for key, v in raw.items() if key not in ("unit_id", "year", "data_as_of")}
            public, hidden = suppression.training_stats(raw, k)
            assert item["data"] == public, unit
            assert item["suppressed"] == hidden, unit

    card = (await publik.get(f"/v1/units/{units['SETDA']}/scorecard")).json()
    assert any("kependudukan" in i["data"]["title"] for i in card["innovations"])
    assert card["ikm"]["respondents"] == 25
    assert (await publik.get("/v1/snapshots/latest")).json()["n"] >= 2


async def real_data(db: str) -> tuple[uuid.UUID, str]:
    """A unit and an employee kinerja's admins created (not the demo's)."""
    unit = uuid.UUID("a1f0c9d2-3b4e-4f5a-8b6c-7d8e9f0a1b2c")
    async with app_session(db) as session:
        await session.execute(
            text("INSERT INTO kinerja.unit (id, code, name) VALUES (:i, 'REAL', 'Unit Nyata')"), {"i": unit}
        )
        nip = "198001012005011001"
        state = EmployeeState(nip, "Budi Nyata", unit, "Analis", "PELAKSANA", "III/a", "PNS", None, True)
        await employees.bulk_upsert(session, [state])
        await employees.bulk_record_assignments(session, [state], today().replace(month=1, day=1))
    return unit, nip


@pytest.mark.usefixtures("publik_env")
async def test_seeding_three_times_over_real_data_changes_nothing_it_did_not_create(
    db: str, publik: httpx.AsyncClient, tokens: Tokens
) -> None:
    real_unit, _ = await real_data(db)
    # publik already shows a real, approved figure of that unit.
    assert (
        await send_event(publik, tokens, envelope("kinerja.unit_performance", performance(real_unit)))
    ).status_code == 202
    await publish(publik, tokens, "2026-Q1")
    before = await every_row(db)

    context, _ = await seed_and_publish(db, publik, tokens)
    after_first = await every_row(db)
    for table, rows in before.items():
        if table == "publik.publication_state":
            continue  # the feed's version counter: new public demo items move it on (compared below)
        missing = set(rows) - set(after_first[table])
        # Every row that existed is still there, unchanged.
        assert not missing, (table, sorted(missing)[:3])

    # Real changes to data the demo created: a renamed unit (kinerja told publik), an employee who moved.
    mut = str(context["demo_units"]["BKD.MUT"])
    async with app_session(db) as session:
        await session.execute(text("UPDATE publik.unit SET name = 'Bidang Mutasi' WHERE id = :i"), {"i": mut})
        await session.execute(
            text("UPDATE kinerja.employee SET position = 'Analis SDM' WHERE nip = :n"),
            {"n": context["demo_accounts"][2]["nip"]},
        )
    # ... and a later real figure of a demo unit, approved by the admin.
    later = performance(uuid.UUID(mut), "2026-Q2", name="Bidang Mutasi")
    assert (await send_event(publik, tokens, envelope("kinerja.unit_performance", later))).status_code == 202
    await publish(publik, tokens, "2026-Q2")
    version = (await publik.get("/v1/feed?limit=1")).headers.get("etag")
    snapshot = (await publik.get("/v1/snapshots/latest")).json()
    baseline = await every_row(db)
    for _ in range(2):
        await seed_and_publish(db, publik, tokens)
        assert await every_row(db) == baseline
        assert (await publik.get("/v1/feed?limit=1")).headers.get("etag") == version
        assert (await publik.get("/v1/snapshots/latest")).json() == snapshot
